"""directory: a group's end date (task-and-finish groups); group kinds and roles are values

Revision ID: 0014
Revises: 0013

`groups.ends_on` is the last day a task-and-finish group runs; reminders for its meetings and
actions stop after it. The new group kind (task-and-finish group) and membership roles
(vice-chair, co-opted) are values in existing string columns, so need no schema change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("ends_on")
