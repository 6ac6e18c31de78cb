"""meetings: the record of a meeting (attendance, note-taker, approval of the minutes), minutes
drafts awaiting confirmation, and a group's default due time for actions from its minutes

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _people_fk(table: str, column: str, ondelete: str = "SET NULL") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["people.id"], name=op.f(f"fk_{table}_{column}_people"), ondelete=ondelete
    )


def _meeting_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["meeting_id"],
        ["meetings.id"],
        name=op.f(f"fk_{table}_meeting_id_meetings"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("action_due", sa.String(length=20), nullable=False, server_default="2w")
        )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("minutes_approved_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("minutes_approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("minutes_approved_meeting_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_meetings_notes_by_id_people"),
            "people",
            ["notes_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            op.f("fk_meetings_minutes_approved_by_id_people"),
            "people",
            ["minutes_approved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            op.f("fk_meetings_minutes_approved_meeting_id_meetings"),
            "meetings",
            ["minutes_approved_meeting_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "meeting_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("guest", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _meeting_fk("meeting_attendance"),
        _people_fk("meeting_attendance", "person_id", ondelete="CASCADE"),
        _people_fk("meeting_attendance", "recorded_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendance")),
        sa.UniqueConstraint(
            "meeting_id", "person_id", name=op.f("uq_meeting_attendance_meeting_id")
        ),
    )
    op.create_index(
        "ix_meeting_attendance_meeting_id", "meeting_attendance", ["meeting_id"], unique=False
    )
    op.create_table(
        "meeting_minutes_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _meeting_fk("meeting_minutes_drafts"),
        _people_fk("meeting_minutes_drafts", "created_by_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_minutes_drafts")),
    )
    op.create_index(
        op.f("ix_meeting_minutes_drafts_meeting_id"),
        "meeting_minutes_drafts",
        ["meeting_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_minutes_drafts_meeting_id"), table_name="meeting_minutes_drafts")
    op.drop_table("meeting_minutes_drafts")
    op.drop_index("ix_meeting_attendance_meeting_id", table_name="meeting_attendance")
    op.drop_table("meeting_attendance")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_meetings_minutes_approved_meeting_id_meetings"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            op.f("fk_meetings_minutes_approved_by_id_people"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("fk_meetings_notes_by_id_people"), type_="foreignkey")
        batch_op.drop_column("minutes_approved_meeting_id")
        batch_op.drop_column("minutes_approved_by_id")
        batch_op.drop_column("minutes_approved_at")
        batch_op.drop_column("notes_by_id")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("action_due")
