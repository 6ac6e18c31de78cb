"""support: requests and their audit trail

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("offer", sa.String(length=60), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ack_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["people.id"],
            name=op.f("fk_support_requests_requester_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_support_requests_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["people.id"],
            name=op.f("fk_support_requests_assignee_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_requests")),
    )
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.create_index("ix_support_requests_status", ["status"], unique=False)
        batch_op.create_index("ix_support_requests_organisation", ["organisation_id"], unique=False)

    op.create_table(
        "support_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("days", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["support_requests.id"],
            name=op.f("fk_support_events_request_id_support_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_support_events_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_events")),
    )
    with op.batch_alter_table("support_events", schema=None) as batch_op:
        batch_op.create_index("ix_support_events_request", ["request_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("support_events", schema=None) as batch_op:
        batch_op.drop_index("ix_support_events_request")
    op.drop_table("support_events")
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_support_requests_organisation")
        batch_op.drop_index("ix_support_requests_status")
    op.drop_table("support_requests")
