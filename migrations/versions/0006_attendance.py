"""attendance: DfE releases and the figures they publish

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("release", sa.String(length=20), nullable=False),
        sa.Column("span", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("latest_period", sa.String(length=6), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_releases")),
        sa.UniqueConstraint("checksum", name=op.f("uq_attendance_releases_checksum")),
    )
    op.create_table(
        "attendance_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("time_period", sa.String(length=6), nullable=False),
        sa.Column("period_note", sa.String(length=60), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("area_name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=20), nullable=True),
        sa.Column("region_name", sa.String(length=100), nullable=True),
        sa.Column("phase", sa.String(length=60), nullable=False),
        sa.Column("phase_label", sa.String(length=100), nullable=False),
        *[sa.Column(name, sa.String(length=24), nullable=True) for name in _MEASURES],
        sa.Column(
            "symbols", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["attendance_releases.id"],
            name=op.f("fk_attendance_figures_release_id_attendance_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_figures")),
        sa.UniqueConstraint(
            "time_period",
            "level",
            "area_code",
            "phase",
            name=op.f("uq_attendance_figures_time_period"),
        ),
    )
    with op.batch_alter_table("attendance_figures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendance_figures_area_phase", ["area_code", "phase"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_figures_release_id"), ["release_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attendance_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_figures_release_id"))
        batch_op.drop_index("ix_attendance_figures_area_phase")
    op.drop_table("attendance_figures")
    op.drop_table("attendance_releases")


# the figure columns, in the model's order (text as DfE published it, or NULL with a symbol)
_MEASURES = (
    "num_schools",
    "enrolments",
    "overall_pct",
    "authorised_pct",
    "unauthorised_pct",
    "pa_count",
    "pa_pct",
    "severe_count",
    "severe_pct",
)
