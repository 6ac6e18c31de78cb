"""Small shared state: clock heartbeats and the term calendar rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.errors import UserError
from bot.terms import Period, TermCalendar, shipped_periods, with_bank_holidays
from storage.base import Base, UTCDateTime, dialect_insert, utcnow

HEARTBEAT = "clock:heartbeat"


class SystemState(Base):
    """Key/value rows: `clock:heartbeat`, last bulletin edition, and the like."""

    __tablename__ = "system_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TermPeriod(Base):
    __tablename__ = "term_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))


async def get_state(session: AsyncSession, key: str) -> SystemState | None:
    return await session.get(SystemState, key, populate_existing=True)  # set_state bypasses the ORM


async def set_state(session: AsyncSession, key: str, value: str, *, at: datetime) -> None:
    """Write a key (an upsert: two clocks may write the same key at once)."""
    stmt = dialect_insert(session)(SystemState).values(key=key, value=value, updated_at=at)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["key"], set_={"value": stmt.excluded.value, "updated_at": at}
        )
    )


async def term_calendar(session: AsyncSession, calendar: str = "sheffield") -> TermCalendar:
    """The imported calendar, or the shipped one named by `calendar` (PARTNERSHIP_CALENDAR:
    sheffield or england) when none was imported; England's bank holidays are added to both."""
    rows = list(await session.scalars(select(TermPeriod)))
    if not rows:
        return TermCalendar(shipped_periods(calendar))
    periods = [Period(r.name, r.start, r.end, r.kind, "imported (terms import)") for r in rows]
    return TermCalendar(with_bank_holidays(periods))


async def replace_terms(
    session: AsyncSession, periods: list[Period], *, example: str | None = None
) -> int:
    """Replace the whole term calendar (chat `terms import` and the CLI both come here).

    Refused, with nothing deleted, unless there is a row of kind `term`: a holiday-only file
    would otherwise wipe the terms and silently stop every school-day post and nudge."""
    if not any(p.kind == "term" for p in periods):
        raise UserError(
            "That file has no rows of kind `term`, so the term calendar is left as it was.",
            hint="A term calendar needs its terms as well as the holidays: kind is term, "
            "half_term, bank_holiday, inset or holiday.",
            example=example,
        )
    await session.execute(delete(TermPeriod))
    session.add_all(TermPeriod(name=p.name, start=p.start, end=p.end, kind=p.kind) for p in periods)
    await session.flush()
    return len(periods)
