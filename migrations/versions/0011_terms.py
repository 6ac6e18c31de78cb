"""terms: one school's own dates, each row's source; term-time scheduled posts

Revision ID: 0011
Revises: 0010

A term calendar row may belong to one organisation (an academy's own terms, a school's INSET
days) and keeps the source its file gave. A scheduled post may pause in the school holidays
(`term_time`; NULL means the default for its repeat).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("term_periods", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_term_periods_organisation_id_organisations"),
            "organisations",
            ["organisation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_term_periods_organisation_id"), ["organisation_id"], unique=False
        )
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("term_time", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.drop_column("term_time")
    op.execute("DELETE FROM term_periods WHERE organisation_id IS NOT NULL")
    with op.batch_alter_table("term_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_term_periods_organisation_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_term_periods_organisation_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_column("source")
        batch_op.drop_column("organisation_id")
