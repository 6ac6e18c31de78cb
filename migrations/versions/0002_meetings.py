"""meetings: meetings, agenda items, papers, RSVPs

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
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
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("link", sa.String(length=1000), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("recurrence", sa.String(length=100), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_meetings_group_id_groups"),
            ondelete="CASCADE",
        ),
        _people_fk("meetings", "organiser_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index("ix_meetings_starts_at", "meetings", ["starts_at"], unique=False)

    op.create_table(
        "meeting_agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _meeting_fk("meeting_agenda_items"),
        _people_fk("meeting_agenda_items", "owner_id"),
        _people_fk("meeting_agenda_items", "added_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_agenda_items")),
    )
    op.create_index(
        "ix_meeting_agenda_items_meeting_id", "meeting_agenda_items", ["meeting_id"], unique=False
    )

    op.create_table(
        "meeting_papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _meeting_fk("meeting_papers"),
        _people_fk("meeting_papers", "added_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_papers")),
    )
    op.create_index("ix_meeting_papers_meeting_id", "meeting_papers", ["meeting_id"], unique=False)

    op.create_table(
        "meeting_rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        _meeting_fk("meeting_rsvps"),
        _people_fk("meeting_rsvps", "person_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_rsvps")),
        sa.UniqueConstraint("meeting_id", "person_id", name=op.f("uq_meeting_rsvps_meeting_id")),
    )


def downgrade() -> None:
    op.drop_table("meeting_rsvps")
    op.drop_index("ix_meeting_papers_meeting_id", table_name="meeting_papers")
    op.drop_table("meeting_papers")
    op.drop_index("ix_meeting_agenda_items_meeting_id", table_name="meeting_agenda_items")
    op.drop_table("meeting_agenda_items")
    op.drop_index("ix_meetings_starts_at", table_name="meetings")
    op.drop_table("meetings")
