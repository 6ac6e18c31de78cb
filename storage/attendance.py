"""Attendance figures from DfE releases: models, the importer, and the lookups chat needs.

A release is one imported file (source, release year, checksum, import time). Figures are keyed by
(year, level, area code, phase): a newer file replaces the years it covers, and re-importing the
same file changes nothing.
"""

from __future__ import annotations

import difflib
import re
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
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.errors import NotFound
from storage.attendance_import import (
    ParsedFile,
    Value,
    checksum,
    parse_absence_csv,
    read_bytes,
)
from storage.base import Base, JSONType, UTCDateTime, utcnow

SHIPPED = "data/attendance/absence_nat_reg_la_2006_07_to_2018_19.csv"  # inside the bot package
SHIPPED_SOURCE = (
    "DfE, Pupil absence in schools in England 2018/19 (national, regional and local-authority "
    "time series; Open Government Licence v3.0)"
)
CHUNK = 2000
PROGRESS_FROM = 5000  # rows; smaller files import silently


class AttendanceRelease(Base):
    """One imported DfE file: what it is, where it came from, when it arrived."""

    __tablename__ = "attendance_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
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
        UniqueConstraint("time_period", "level", "area_code", "phase"),
        Index("ix_attendance_figures_area_phase", "area_code", "phase"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_releases.id", ondelete="CASCADE"), index=True
    )
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
    release_id: int
    source: str
    release: str
    span: str
    rows: int
    skipped: int = 0
    unchanged: bool = False

    def __str__(self) -> str:
        if self.unchanged:
            return (
                f"already imported as release #{self.release_id} ({self.source}); nothing changed"
            )
        extra = f", {self.skipped} other rows skipped" if self.skipped else ""
        return (
            f"release #{self.release_id} imported: {self.rows} rows, {self.span} "
            f"(latest {self.release}){extra}; source: {self.source}"
        )


async def import_file(
    session: AsyncSession,
    path: Path | str,
    *,
    source: str | None = None,
    now: datetime | None = None,
    progress: TextIO | bool | None = True,
) -> ImportReport:
    """Import a DfE absence CSV: validated first, then bulk-inserted; nothing saved on error.

    `progress` True reports to stderr for a large file; a stream reports there; None is silent.
    """
    path = Path(path)
    data = read_bytes(path)
    known = await session.scalar(
        select(AttendanceRelease).where(AttendanceRelease.checksum == checksum(data))
    )
    if known is not None:
        return ImportReport(
            known.id, known.source, known.release, known.span, known.rows, unchanged=True
        )
    parsed = parse_absence_csv(data, name=path.name)
    stream = sys.stderr if progress is True else None if isinstance(progress, bool) else progress
    return await save_release(
        session, parsed, source=source, file_name=path.name, now=now, progress=stream
    )


async def save_release(
    session: AsyncSession,
    parsed: ParsedFile,
    *,
    source: str | None,
    file_name: str,
    now: datetime | None = None,
    progress: TextIO | None = None,
) -> ImportReport:
    """Record the release and replace the years it covers, in chunks of bulk inserts."""
    source = (source or "").strip() or (
        f"DfE, Pupil absence in schools in England {parsed.release} ({file_name})"
    )
    release = AttendanceRelease(
        source=source[:300],
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
        delete(AttendanceFigure).where(AttendanceFigure.time_period.in_(parsed.periods))
    )
    total = len(parsed.rows)
    loud = progress is not None and total >= PROGRESS_FROM
    for start in range(0, total, CHUNK):
        chunk = [dict(row, release_id=release.id) for row in parsed.rows[start : start + CHUNK]]
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
    )


async def import_shipped(session: AsyncSession, now: datetime) -> str:
    """Import the DfE file shipped with the bot (the demo's data); returns the import report."""
    path = resources.files("bot").joinpath(SHIPPED)
    with resources.as_file(path) as real:
        report = await import_file(session, real, source=SHIPPED_SOURCE, now=now, progress=None)
    return str(report)


async def latest_release(session: AsyncSession) -> AttendanceRelease | None:
    """The release with the newest year (the later import when two cover the same year)."""
    return await session.scalar(
        select(AttendanceRelease)
        .order_by(AttendanceRelease.latest_period.desc(), AttendanceRelease.id.desc())
        .limit(1)
    )


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


# ---- forgiving area names -------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # national, regional, la
    region_code: str | None = None

    @property
    def words(self) -> frozenset[str]:
        return frozenset(normalise(self.name).split())


def normalise(name: str) -> str:
    """`Bristol, City of` and `Bristol City of` both -> `bristol city of`; `&` is `and`."""
    name = name.lower().replace("&", " and ").replace("st.", "st ")
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", name).split())


async def areas(session: AsyncSession) -> list[Area]:
    """Every area named in the data, with its most recent name."""
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
        found[code] = Area(code, name, level, region)
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


def resolve_area(name: str, known: list[Area], *, example: str) -> Area:
    """Exact name or code first, then the only area whose name holds every word given."""
    wanted = normalise(name)
    if not wanted:
        raise NotFound("Which area? Name a local authority, a region or England.", example=example)
    for area in known:
        if normalise(area.name) == wanted or area.code.lower() == wanted:
            return area
    words = set(wanted.split())
    matches = [a for a in known if words <= a.words]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(sorted(a.name for a in matches)[:6])
        raise NotFound(f"{name!r} matches several areas: {names}.", example=example)
    names = {normalise(a.name): a.name for a in known}
    near = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.5)
    hint = "Did you mean " + " or ".join(names[n] for n in near) + "?" if near else None
    raise NotFound(
        f"I have no attendance figures for an area called {name!r}.",
        hint=hint or "Use a local authority name, a region, or England.",
        example=example,
    )
