"""Importing DfE absence files: real facts, both phase namings, symbols, bad files, re-imports."""

from __future__ import annotations

import csv
import functools
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.errors import UserError
from storage.attendance import AttendanceFigure, AttendanceRelease, import_file, save_release
from storage.attendance_import import ParsedFile, Value, parse_absence_csv, round_half_up
from storage.db import Database
from tests.conftest import london

REAL = (
    Path(__file__).resolve().parent.parent
    / "tests/data/attendance/absence_nat_reg_la_2006_07_to_2018_19.csv"
)


@functools.cache
def real_parsed() -> ParsedFile:
    """The shipped real excerpt, parsed once per test session."""
    return parse_absence_csv(REAL.read_bytes(), name=REAL.name)


# the areas chat tests ask about: England, regions, the core cities and a few others
TEST_AREAS = {
    "England",
    "Yorkshire and the Humber",
    "South West",
    "Inner London",
    "Outer London",
    "City of London",
    "Kingston upon Hull City of",
    "Birmingham",
    "Bristol City of",
    "Leeds",
    "Liverpool",
    "Manchester",
    "Newcastle upon Tyne",
    "Nottingham",
    "Sheffield",
}


def real_subset(*periods: str, areas: set[str] | None = None) -> ParsedFile:
    """Real rows for a few years (and areas): same figures, quicker to save in every test."""
    full = real_parsed()
    rows = [
        r
        for r in full.rows
        if r["time_period"] in periods and (areas is None or r["area_name"] in areas)
    ]
    which = "some" if areas else "all"
    return ParsedFile(rows=rows, periods=sorted(periods), checksum=f"{which}-{'-'.join(periods)}")


@functools.cache
def _real_csv() -> tuple[tuple[str, ...], tuple[dict[str, str], ...]]:
    with REAL.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return tuple(reader.fieldnames or ()), tuple(reader)


def real_lines(keep: callable = lambda row: True) -> tuple[list[str], list[dict[str, str]]]:  # type: ignore[valid-type]
    """The real file's header and (copies of) the rows `keep` picks, to edit into variants."""
    header, rows = _real_csv()
    return list(header), [dict(r) for r in rows if keep(r)]


def to_csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def find(parsed: ParsedFile, area: str, phase: str, period: str = "201819") -> dict:
    return next(
        r
        for r in parsed.rows
        if r["area_name"] == area and r["phase"] == phase and r["time_period"] == period
    )


def test_real_file_facts() -> None:
    parsed = real_parsed()
    assert len(parsed.rows) == 8400 and parsed.release == "2018/19"
    assert parsed.span == "2006/07 to 2018/19"
    assert find(parsed, "Sheffield", "secondary")["pa_pct"] == "15.31922"
    assert find(parsed, "Sheffield", "total")["pa_pct"] == "12.97771"
    england = find(parsed, "England", "total")
    assert (england["overall_pct"], england["pa_pct"]) == ("4.7", "10.9")
    assert find(parsed, "England", "secondary")["pa_pct"] == "13.7"
    assert parsed.phases == ["primary", "secondary", "special", "total"]


def test_rounding_is_half_up_from_the_unrounded_value() -> None:
    assert round_half_up(Decimal("15.31922")) == Decimal("15.3")
    assert round_half_up(Decimal("12.97771")) == Decimal("13.0")
    # floats would give 1.1 and 15.3 here (1.15 and 15.35 are stored just below the half)
    assert round(1.15, 1) == 1.1 and round_half_up(Decimal("1.15")) == Decimal("1.2")
    assert round_half_up(Decimal("15.35")) == Decimal("15.4")
    assert round_half_up(Decimal("14.95")) == Decimal("15.0")


def test_both_phase_column_namings_read_the_same() -> None:
    header, rows = real_lines(lambda r: r["time_period"] == "201819")
    old = parse_absence_csv(to_csv(header, rows))
    renamed = ["education_phase" if c == "school_type" else c for c in header]
    for r in rows:
        r["education_phase"] = r.pop("school_type")
    new = parse_absence_csv(to_csv(renamed, rows))
    assert len(new.rows) == len(old.rows) == 647
    assert find(new, "Sheffield", "secondary") == find(old, "Sheffield", "secondary")
    assert new.phases == old.phases


@pytest.mark.parametrize("symbol", ["c", "x", "z", "low", ":", "~"])
def test_dfe_symbols_are_reasons_never_numbers(symbol: str) -> None:
    header, rows = real_lines(lambda r: r["time_period"] == "201819" and r["la_name"] == "Leeds")
    rows[0]["enrolments_pa_10_exact_percent"] = symbol
    rows[0]["sess_overall_percent"] = symbol
    parsed = parse_absence_csv(to_csv(header, rows))
    row = parsed.rows[0]
    assert row["pa_pct"] is None and row["overall_pct"] is None
    assert row["symbols"]["pa_pct"] == symbol
    value = Value.of(row["pa_pct"], row["symbols"]["pa_pct"])
    assert value.number is None and value.reason and value.reason != "0"
    # the legacy ':' in the real file stays a symbol too
    assert real_parsed().rows[0]["symbols"] == {}  # sess_auth_ext_holiday is not read


def test_wrong_file_names_the_missing_column() -> None:
    header, rows = real_lines(lambda r: r["time_period"] == "201819")
    header.remove("enrolments_pa_10_exact_percent")
    for r in rows:
        del r["enrolments_pa_10_exact_percent"]
    with pytest.raises(UserError) as err:
        parse_absence_csv(to_csv(header, rows), name="wrong.csv")
    assert "enrolments_pa_10_exact_percent" in str(err.value)
    assert "nothing was imported" in str(err.value)


async def count(db: Database) -> tuple[int, int]:
    async with db.session() as session:
        releases = await session.scalar(select(func.count()).select_from(AttendanceRelease))
        figures = await session.scalar(select(func.count()).select_from(AttendanceFigure))
    return releases or 0, figures or 0


async def test_wrong_file_saves_nothing(db: Database, tmp_path: Path) -> None:
    header, rows = real_lines(lambda r: r["time_period"] == "201819")
    header.remove("school_type")
    for r in rows:
        del r["school_type"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv(header, rows))
    with pytest.raises(UserError, match="school_type"):
        async with db.session() as session:
            await import_file(session, bad, progress=None)
    assert await count(db) == (0, 0)


async def test_full_file_import_is_recorded_and_idempotent(db: Database) -> None:
    progress = io.StringIO()
    async with db.session() as session:
        report = await import_file(
            session,
            REAL,
            source="Pupil absence 2018/19",
            now=london(2023, 12, 1, 9, 0),
            progress=progress,
        )
    assert report.rows == 8400 and not report.unchanged
    assert "100%" in progress.getvalue()
    async with db.session() as session:
        again = await import_file(session, REAL, progress=None)
    assert again.unchanged and "nothing changed" in str(again)
    assert await count(db) == (1, 8400)
    async with db.session() as session:
        release = await session.scalar(select(AttendanceRelease))
        assert release is not None
        assert (release.source, release.release) == ("Pupil absence 2018/19", "2018/19")
        assert release.imported_at == london(2023, 12, 1, 9, 0)


async def test_a_newer_file_replaces_the_years_it_covers(db: Database) -> None:
    async with db.session() as session:
        await save_release(session, real_subset("201718", "201819"), source="old", file_name="a")
    header, rows = real_lines(lambda r: r["time_period"] == "201819")
    for r in rows:
        if r["la_name"] == "Sheffield" and r["school_type"] == "Total":
            r["enrolments_pa_10_exact_percent"] = "c"
    async with db.session() as session:
        await save_release(
            session, parse_absence_csv(to_csv(header, rows)), source="new", file_name="b"
        )
    async with db.session() as session:
        figs = list(
            await session.scalars(
                select(AttendanceFigure).where(
                    AttendanceFigure.area_name == "Sheffield", AttendanceFigure.phase == "total"
                )
            )
        )
    assert len(figs) == 2 and await count(db) == (2, 647 * 2)
    latest = next(f for f in figs if f.time_period == "201819")
    assert latest.value("pa_pct") == Value(None, "c")
