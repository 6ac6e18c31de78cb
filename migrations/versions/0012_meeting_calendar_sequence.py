"""meetings: the calendar SEQUENCE, rising on every change a calendar file shows

Revision ID: 0012
Revises: 0011

`sequence` keeps counting moves (reminder keys follow it); `calendar_sequence` is iCalendar's
SEQUENCE (RFC 5545 3.8.7.4), which also rises when the agenda changes, so calendar clients
replace the event they hold. Existing meetings start from their move count.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute("UPDATE meetings SET calendar_sequence = sequence")


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("calendar_sequence")
