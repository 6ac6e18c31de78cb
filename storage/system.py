"""Small shared state: clock heartbeats and the term calendar rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.errors import UserError
from bot.terms import (
    Calendars,
    Period,
    TermCalendar,
    replace_years,
    school_year_of,
    shipped_periods,
    with_bank_holidays,
)
from storage.base import Base, UTCDateTime, dialect_insert, utcnow
from storage.directory import Organisation, all_organisations

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
    # a school's own row (an academy's terms, its INSET days); NULL: the city's calendar
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str | None] = mapped_column(String(300))  # as the imported file gave it


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


IMPORTED = "imported (terms import)"


def _period(row: TermPeriod) -> Period:
    return Period(row.name, row.start, row.end, row.kind, row.source or IMPORTED)


async def calendars(session: AsyncSession, calendar: str = "sheffield") -> Calendars:
    """The city's calendar and every school's own, from one query.

    The city's: the shipped calendar named by `calendar` (PARTNERSHIP_CALENDAR: sheffield or
    england), with imported rows in place of it for the school years they cover; England's
    bank holidays are added. A school's: see `bot.terms.Calendars`.
    """
    rows = list(await session.scalars(select(TermPeriod).order_by(TermPeriod.id)))
    city_rows = [_period(r) for r in rows if r.organisation_id is None]
    shipped = shipped_periods(calendar)
    city = TermCalendar(
        with_bank_holidays(replace_years(shipped, city_rows)) if city_rows else shipped
    )
    own: dict[int, list[Period]] = {}
    for r in rows:
        if r.organisation_id is not None:
            own.setdefault(r.organisation_id, []).append(_period(r))
    return Calendars(city, own)


async def term_calendar(
    session: AsyncSession, calendar: str = "sheffield", *, organisation_id: int | None = None
) -> TermCalendar:
    """The city's calendar (see `calendars`), or with `organisation_id` that school's own."""
    return (await calendars(session, calendar)).of(organisation_id)


def _refuse_part_years(
    rows: list[Period],
    organisation_id: int | None,
    orgs: dict[str, Organisation],
    example: str | None,
) -> None:
    """A school year's terms come whole or not at all: terms replace that year's terms, so a
    file giving only the autumn term would leave the spring and summer as holidays, and every
    nudge to that school (or the city) would stop until September. UserError, nothing changed.
    """
    years: dict[int, list[Period]] = {}
    for p in rows:
        if p.kind == "term":
            years.setdefault(school_year_of(p.start), []).append(p)
    for year, terms in sorted(years.items()):
        first, last = min(t.start for t in terms), max(t.end for t in terms)
        if first <= date(year, 9, 30) and last >= date(year + 1, 7, 1):
            continue
        whose = next((o.name for o in orgs.values() if o.id == organisation_id), "the city")
        raise UserError(
            f"The {year}/{str(year + 1)[2:]} terms for {whose} in that file run only from "
            f"{first:%d/%m/%Y} to {last:%d/%m/%Y}, so the term calendar is left as it was: a "
            "file's terms replace that whole school year's, and the rest would become holidays.",
            hint="Give the school year's terms whole (autumn to summer), or only its INSET "
            "days and holidays, which are added to the terms already known.",
            example=example,
        )


async def replace_terms(
    session: AsyncSession, periods: list[Period], *, example: str | None = None
) -> tuple[int, list[str]]:
    """Load a term calendar file (chat `terms import` and the CLI both come here).

    Rows without an organisation are the city's: they replace the city's imported rows for the
    school years their terms cover, and are refused, with nothing changed, unless there is a
    row of kind `term` (a holiday-only file would otherwise silently stop every school-day post
    and nudge). Rows naming an organisation (which must be in the directory) replace that
    school's own rows for the school years they cover; a school may give only its INSET days.
    """
    city = [p for p in periods if not p.organisation]
    if city and not any(p.kind == "term" for p in city) or not periods:
        raise UserError(
            "That file has no rows of kind `term`, so the term calendar is left as it was.",
            hint="A term calendar needs its terms as well as the holidays: kind is term, "
            "half_term, bank_holiday, inset or holiday. A school's own INSET days name the "
            "school in an `organisation` column.",
            example=example,
        )
    orgs = {o.name.lower(): o for o in await all_organisations(session)}
    scopes: dict[int | None, list[Period]] = {None: city} if city else {}
    unknown = sorted(
        {p.organisation for p in periods if p.organisation}
        - {p.organisation for p in periods if p.organisation.lower() in orgs}
    )
    if unknown:
        names = ", ".join(repr(u) for u in unknown[:5])
        are = "is not an organisation" if len(unknown) == 1 else "are not organisations"
        raise UserError(
            f"{names} {are} in the directory, so the term calendar is left as it was.",
            hint="Use the organisation's name as the directory has it (`import organisations`), "
            "or leave the column empty for the city's dates.",
            example="name,start,end,kind,organisation / "
            "INSET day,2026-09-01,2026-09-01,inset,Hillside Primary",
        )
    for p in periods:
        if p.organisation:
            scopes.setdefault(orgs[p.organisation.lower()].id, []).append(p)
    for organisation_id, rows in scopes.items():
        _refuse_part_years(rows, organisation_id, orgs, example)
    for organisation_id, rows in scopes.items():
        years = {school_year_of(p.start) for p in rows if p.kind == "term" or organisation_id}
        existing = await session.scalars(
            select(TermPeriod).where(
                TermPeriod.organisation_id.is_(None)
                if organisation_id is None
                else TermPeriod.organisation_id == organisation_id
            )
        )
        for row in existing:
            if school_year_of(row.start) in years:
                await session.delete(row)
        session.add_all(
            TermPeriod(
                name=p.name,
                start=p.start,
                end=p.end,
                kind=p.kind,
                organisation_id=organisation_id,
                source=None if p.source == "imported" else p.source[:300],
            )
            for p in rows
        )
    await session.flush()
    named = sorted({orgs[p.organisation.lower()].name for p in periods if p.organisation})
    return len(periods), named
