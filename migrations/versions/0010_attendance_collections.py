"""attendance: two DfE collections (census, in-year); each release says what it is and covers

Revision ID: 0010
Revises: 0009

A release records its publication, collection, period and coverage. Figures carry their
collection, so the census-based and the in-year figures for the same year live side by side and
are never mixed; the unique key gains the collection.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CENSUS = "Pupil absence in schools in England"


def upgrade() -> None:
    with op.batch_alter_table("attendance_releases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("publication", sa.String(length=120), nullable=False, server_default=CENSUS)
        )
        batch_op.add_column(
            sa.Column("collection", sa.String(length=20), nullable=False, server_default="census")
        )
        batch_op.add_column(
            sa.Column("period", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("coverage", sa.String(length=200), nullable=False, server_default="")
        )
    op.execute("UPDATE attendance_releases SET period = span WHERE period = ''")
    with op.batch_alter_table("attendance_figures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("collection", sa.String(length=20), nullable=False, server_default="census")
        )
        batch_op.drop_constraint("uq_attendance_figures_time_period", type_="unique")
        batch_op.create_unique_constraint(
            "uq_attendance_figures_collection",
            ["collection", "time_period", "level", "area_code", "phase"],
        )


def downgrade() -> None:
    op.execute("DELETE FROM attendance_figures WHERE collection <> 'census'")
    op.execute("DELETE FROM attendance_releases WHERE collection <> 'census'")
    with op.batch_alter_table("attendance_figures", schema=None) as batch_op:
        batch_op.drop_constraint("uq_attendance_figures_collection", type_="unique")
        batch_op.create_unique_constraint(
            "uq_attendance_figures_time_period", ["time_period", "level", "area_code", "phase"]
        )
        batch_op.drop_column("collection")
    with op.batch_alter_table("attendance_releases", schema=None) as batch_op:
        batch_op.drop_column("coverage")
        batch_op.drop_column("period")
        batch_op.drop_column("collection")
        batch_op.drop_column("publication")
