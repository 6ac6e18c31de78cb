"""opportunities: opportunities, bulletin editions, deliveries and subscriptions

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=1000), nullable=True),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("phases", JSON, nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("subscribers_only", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("posted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["posted_by_id"],
            ["people.id"],
            name=op.f("fk_opportunities_posted_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
    )
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunities_status"), ["status"], unique=False)
    op.create_table(
        "bulletin_editions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("opportunity_ids", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["people.id"],
            name=op.f("fk_bulletin_editions_sent_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_editions")),
        sa.UniqueConstraint("week", name=op.f("uq_bulletin_editions_week")),
    )
    op.create_table(
        "bulletin_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("opportunity_ids", JSON, nullable=False),
        sa.Column("outbox_key", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["bulletin_editions.id"],
            name=op.f("fk_bulletin_deliveries_edition_id_bulletin_editions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_deliveries")),
        sa.UniqueConstraint("edition_id", "target", name=op.f("uq_bulletin_deliveries_edition_id")),
    )
    with op.batch_alter_table("bulletin_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bulletin_deliveries_edition_id"), ["edition_id"], unique=False
        )
    op.create_table(
        "bulletin_subscriptions",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_bulletin_subscriptions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_bulletin_subscriptions")),
    )


def downgrade() -> None:
    op.drop_table("bulletin_subscriptions")
    with op.batch_alter_table("bulletin_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bulletin_deliveries_edition_id"))
    op.drop_table("bulletin_deliveries")
    op.drop_table("bulletin_editions")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunities_status"))
    op.drop_table("opportunities")
