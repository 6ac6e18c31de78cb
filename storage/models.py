"""Import every domain's models so Alembic and the tests see all tables."""

from storage import (  # noqa: F401
    actions,
    attendance,
    audit,
    consultations,
    directory,
    meeting_record,
    meetings,
    opportunities,
    outbox,
    platforms,
    support,
    system,
)
