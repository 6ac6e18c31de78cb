"""Attendance figures from DfE releases: models, the importer, and the lookups chat needs.

A release is one imported file (source, release year, checksum, import time). Figures are keyed by
(year, level, area code, phase): a newer file replaces the years it covers, and re-importing the
same file changes nothing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TextIO

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot import csvfile
from bot.csvfile import CsvFile
from storage.attendance_areas import Area, plain_name
from storage.attendance_import import (
    ParsedFile,
    Value,
    checksum,
    parse_absence_csv,
    year_label,
)
from storage.attendance_shapes import CENSUS, COLLECTION_NAMES, EXAMPLE, IN_YEAR, SHAPES
from storage.base import Base, JSONType, UTCDateTime, utcnow

# the newest file of each kind, inside the bot package: (path, source, period or None)
SHIPPED = (
    (
        "data/attendance/absence_nat_reg_la_2015_16_to_2024_25.csv",
        "DfE, Pupil absence in schools in England, 2024/25 full-year release "
        "(national, regional and local-authority rates; Open Government Licence v3.0)",
        None,
    ),
    (
        "data/attendance/pupil_attendance_ytd_2025_26.csv",
        "DfE, Pupil attendance in schools, year-to-date data, 2025/26 "
        "(Open Government Licence v3.0)",
        "2025/26 to about mid-July 2026",
    ),
)
CENSUS_PUBLICATION = SHAPES[0].publication
CHUNK = 2000
PROGRESS_FROM = 5000  # rows; smaller files import silently


class AttendanceRelease(Base):
    """One imported DfE file: what it is, where it came from, when it arrived."""

    __tablename__ = "attendance_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    publication: Mapped[str] = mapped_column(String(120), default=CENSUS_PUBLICATION)
    collection: Mapped[str] = mapped_column(String(20), default=CENSUS)  # census, in-year
    period: Mapped[str] = mapped_column(String(200), default="")  # what the figures cover
    coverage: Mapped[str] = mapped_column(String(200), default="")  # areas and phases
    release: Mapped[str] = mapped_column(String(20))  # latest year in the file, e.g. 2018/19
    span: Mapped[str] = mapped_column(String(40))  # 2006/07 to 2018/19
    file_name: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    rows: Mapped[int] = mapped_column(Integer)
    latest_period: Mapped[str] = mapped_column(String(6))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceFigure(Base):
    """One area, phase and year as DfE published it; numbers kept as exact text."""

    __tablename__ = "attendance_figures"
    __table_args__ = (
        UniqueConstraint("collection", "time_period", "level", "area_code", "phase"),
        Index("ix_attendance_figures_area_phase", "area_code", "phase"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_releases.id", ondelete="CASCADE"), index=True
    )
    collection: Mapped[str] = mapped_column(String(20), default=CENSUS)
    time_period: Mapped[str] = mapped_column(String(6))
    period_note: Mapped[str | None] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(20))  # national, regional, la
    area_code: Mapped[str] = mapped_column(String(20))
    area_name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(20))
    region_name: Mapped[str | None] = mapped_column(String(100))
    phase: Mapped[str] = mapped_column(String(60))
    phase_label: Mapped[str] = mapped_column(String(100))
    num_schools: Mapped[str | None] = mapped_column(String(24))
    enrolments: Mapped[str | None] = mapped_column(String(24))
    overall_pct: Mapped[str | None] = mapped_column(String(24))
    authorised_pct: Mapped[str | None] = mapped_column(String(24))
    unauthorised_pct: Mapped[str | None] = mapped_column(String(24))
    pa_count: Mapped[str | None] = mapped_column(String(24))
    pa_pct: Mapped[str | None] = mapped_column(String(24))
    severe_count: Mapped[str | None] = mapped_column(String(24))
    severe_pct: Mapped[str | None] = mapped_column(String(24))
    symbols: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)

    def value(self, measure: str) -> Value:
        """The figure as a number or a reason; DfE symbols never become numbers."""
        return Value.of(getattr(self, measure), (self.symbols or {}).get(measure))


@dataclass
class ImportReport:
    """What an import did, said back to whoever imported the file."""

    release_id: int
    source: str
    release: str
    span: str
    rows: int
    skipped: int = 0
    unchanged: bool = False
    publication: str = CENSUS_PUBLICATION
    collection: str = CENSUS
    period: str = ""
    coverage: str = ""

    def __str__(self) -> str:
        if self.unchanged:
            return (
                f"already imported as release #{self.release_id} ({self.source}); nothing changed"
            )
        extra = f", {self.skipped} other rows skipped" if self.skipped else ""
        return (
            f"release #{self.release_id} imported: {self.rows} rows, {self.span} "
            f"(latest {self.release}){extra}; publication: {self.publication}, "
            f"{COLLECTION_NAMES.get(self.collection, self.collection)}; period: {self.period}; "
            f"coverage: {self.coverage}; source: {self.source}; it replaces earlier "
            f"{self.collection} figures for {self.span}"
        )


def describe_period(parsed: ParsedFile) -> str:
    """What the figures cover, in words: the years, the gaps and part years, or year to date."""
    if parsed.collection == IN_YEAR:
        days = f" (about {parsed.school_days} school days per pupil)" if parsed.school_days else ""
        return f"{parsed.span} year to date{days}"
    notes = []
    published = {r["time_period"] for r in parsed.rows if r["overall_pct"] is not None}
    notes += [f"{year_label(p)} not published" for p in parsed.periods if p not in published]
    partial = {(r["time_period"], r["period_note"]) for r in parsed.rows if r["period_note"]}
    notes += [f"{year_label(p)} {note}" for p, note in sorted(partial) if note.endswith(" only")]
    return parsed.span + (f" ({'; '.join(notes)})" if notes else "")


async def import_file(
    session: AsyncSession,
    path: CsvFile | Path | str,
    *,
    source: str | None = None,
    period: str | None = None,
    now: datetime | None = None,
    progress: TextIO | bool | None = True,
) -> ImportReport:
    """Import a DfE attendance CSV of any known shape: validated first, then bulk-inserted.

    `path` is read with `bot.csvfile` (or is a file it read). Nothing is saved on error (UserError). `period` overrides the period worked out from the file
    (for an in-year file, say to which date it runs). `progress` True reports to stderr for a
    large file; a stream reports there; None is silent.
    """
    file = path if isinstance(path, CsvFile) else csvfile.read_file(path, example=EXAMPLE)
    known = await session.scalar(
        select(AttendanceRelease).where(AttendanceRelease.checksum == checksum(file.data))
    )
    if known is not None:
        return ImportReport(
            known.id, known.source, known.release, known.span, known.rows, unchanged=True
        )
    parsed = parse_absence_csv(file)
    stream = sys.stderr if progress is True else None if isinstance(progress, bool) else progress
    return await save_release(
        session,
        parsed,
        source=source,
        period=period,
        file_name=file.name,
        now=now,
        progress=stream,
    )


async def save_release(
    session: AsyncSession,
    parsed: ParsedFile,
    *,
    source: str | None,
    file_name: str,
    period: str | None = None,
    now: datetime | None = None,
    progress: TextIO | None = None,
) -> ImportReport:
    """Record the release and replace its collection's figures for the years it covers."""
    source = (source or "").strip() or (f"DfE, {parsed.publication} {parsed.release} ({file_name})")
    release = AttendanceRelease(
        source=source[:300],
        publication=parsed.publication,
        collection=parsed.collection,
        period=((period or "").strip() or describe_period(parsed))[:200],
        coverage=parsed.coverage[:200],
        release=parsed.release,
        span=parsed.span,
        file_name=file_name[:300],
        checksum=parsed.checksum,
        rows=len(parsed.rows),
        latest_period=parsed.periods[-1],
        imported_at=now or utcnow(),
    )
    session.add(release)
    await session.flush()
    await session.execute(
        delete(AttendanceFigure).where(
            AttendanceFigure.collection == parsed.collection,
            AttendanceFigure.time_period.in_(parsed.periods),
        )
    )
    total = len(parsed.rows)
    loud = progress is not None and total >= PROGRESS_FROM
    for start in range(0, total, CHUNK):
        chunk = [
            dict(row, release_id=release.id, collection=parsed.collection)
            for row in parsed.rows[start : start + CHUNK]
        ]
        await session.execute(insert(AttendanceFigure), chunk)
        if loud:
            done = min(start + CHUNK, total)
            print(f"attendance: {done}/{total} rows ({done * 100 // total}%)", file=progress)
    return ImportReport(
        release.id,
        release.source,
        release.release,
        release.span,
        total,
        skipped=parsed.skipped + parsed.duplicates,
        publication=release.publication,
        collection=release.collection,
        period=release.period,
        coverage=release.coverage,
    )


async def import_shipped(session: AsyncSession, now: datetime) -> str:
    """Import the newest shipped file of each kind (the demo's data); returns the reports."""
    reports = []
    for name, source, period in SHIPPED:
        with resources.as_file(resources.files("bot").joinpath(name)) as real:
            report = await import_file(
                session, real, source=source, period=period, now=now, progress=None
            )
        reports.append(str(report))
    return "; ".join(reports)


async def latest_release(session: AsyncSession) -> AttendanceRelease | None:
    """The release with the newest year (the later import when two cover the same year)."""
    return await session.scalar(
        select(AttendanceRelease)
        .order_by(AttendanceRelease.latest_period.desc(), AttendanceRelease.id.desc())
        .limit(1)
    )


@dataclass
class Holding:
    """A release that still supplies figures: which years of its collection it supplies."""

    release: AttendanceRelease
    periods: list[str]
    rows: int


async def holdings(session: AsyncSession) -> list[Holding]:
    """What is loaded, by collection then newest first (a release fully replaced is left out)."""
    found = await session.execute(
        select(AttendanceFigure.release_id, AttendanceFigure.time_period, func.count()).group_by(
            AttendanceFigure.release_id, AttendanceFigure.time_period
        )
    )
    periods: dict[int, dict[str, int]] = {}
    for release_id, period, n in found:
        periods.setdefault(release_id, {})[period] = n
    releases = await releases_by_id(session, set(periods))
    held = [
        Holding(r, sorted(periods[r.id]), sum(periods[r.id].values())) for r in releases.values()
    ]
    order = {CENSUS: 0, IN_YEAR: 1}
    return sorted(held, key=lambda h: (order.get(h.release.collection, 2), -h.release.id))


async def releases_by_id(session: AsyncSession, ids: set[int]) -> dict[int, AttendanceRelease]:
    rows = await session.scalars(select(AttendanceRelease).where(AttendanceRelease.id.in_(ids)))
    return {r.id: r for r in rows}


async def periods(session: AsyncSession) -> list[str]:
    rows = await session.scalars(select(AttendanceFigure.time_period).distinct())
    return sorted(rows)


async def phases(session: AsyncSession) -> list[str]:
    rows = await session.scalars(select(AttendanceFigure.phase).distinct())
    return sorted(rows)


async def figures(session: AsyncSession, *, codes: list[str], phase: str) -> list[AttendanceFigure]:
    """Every year of the given areas for one phase (trend, rank and comparison in one query)."""
    rows = await session.scalars(
        select(AttendanceFigure).where(
            AttendanceFigure.area_code.in_(codes), AttendanceFigure.phase == phase
        )
    )
    return list(rows)


async def areas(session: AsyncSession) -> list[Area]:
    """Every area named in the data, with its most recent name (made plain)."""
    rows = await session.execute(
        select(
            AttendanceFigure.area_code,
            AttendanceFigure.area_name,
            AttendanceFigure.level,
            AttendanceFigure.region_code,
            AttendanceFigure.time_period,
        )
        .distinct()
        .order_by(AttendanceFigure.time_period)
    )
    found: dict[str, Area] = {}
    for code, name, level, region, _period in rows:
        plain = plain_name(name)
        found[code] = Area(code, plain, level, region, name if plain != name else "")
    return list(found.values())


_CATALOGUES: dict[tuple[object, ...], tuple[list[Area], list[str]]] = {}


async def catalogue(session: AsyncSession) -> tuple[list[Area], list[str]]:
    """Areas and phases, read once per set of imported releases (they change only on import)."""
    releases = await session.execute(
        select(AttendanceRelease.id, AttendanceRelease.checksum).order_by(AttendanceRelease.id)
    )
    key = (str(session.bind.url) if session.bind else "", *(tuple(r) for r in releases))
    if key not in _CATALOGUES:
        if len(_CATALOGUES) > 16:
            _CATALOGUES.clear()
        _CATALOGUES[key] = (await areas(session), await phases(session))
    return _CATALOGUES[key]
