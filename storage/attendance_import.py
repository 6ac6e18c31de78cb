"""Reading DfE absence CSVs: validate columns, map both phase namings, keep symbols as reasons.

Pure functions (no database) so the rules are easy to test: a value is either a number, kept as
the exact text DfE published, or a symbol (`c`, `x`, `z`, `low`, `:`, `~`) kept as a reason.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bot import csvfile
from bot.csvfile import CsvFile
from bot.errors import UserError
from storage.attendance_shapes import (
    CENSUS,
    EXAMPLE,
    LA_CODE_COLUMNS,
    PHASE_COLUMNS,
    SHAPES,
    detect,
    region,
)

# what DfE's symbols mean (explore-education-statistics conventions, plus the legacy ':')
SYMBOLS = {
    "c": "confidential",
    "x": "not available",
    "z": "not applicable",
    "low": "rounds to 0 but is not 0",
    "~": "rounds to 0 but is not 0",
    ":": "not available",
    "u": "low reliability",
    "k": "rounds to 0 but is not 0",
}
SUPPRESSED_SYMBOLS = {"c", "low", "~", "k"}

LEVELS = {"national": "national", "regional": "regional", "local authority": "la"}
WHOLE_YEAR = {"academic year", ""}
PART_YEAR = {"autumn and spring term": "autumn and spring terms only"}  # 2020/21

NUMBER_RE = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
PERIOD_RE = re.compile(r"^(\d{4})(\d{2})$")


@dataclass(frozen=True)
class Value:
    """One published figure: a number (exact, as published) or the reason there is none."""

    number: Decimal | None = None
    symbol: str | None = None

    @classmethod
    def of(cls, text: str | None, symbol: str | None = None) -> Value:
        return cls(Decimal(text) if text not in (None, "") else None, symbol)

    @property
    def reason(self) -> str | None:
        if self.number is not None:
            return None
        if self.symbol is None:
            return "not published"
        return SYMBOLS.get(self.symbol.lower(), "not published")

    @property
    def suppressed(self) -> bool:
        return self.symbol is not None and self.symbol.lower() in SUPPRESSED_SYMBOLS


def round_half_up(value: Decimal, places: int = 1) -> Decimal:
    """Round as people expect (15.25 -> 15.3), from the unrounded value, never a float."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def year_label(period: str) -> str:
    """`201819` -> `2018/19`."""
    return f"{period[:4]}/{period[4:]}"


def phase_key(label: str) -> str:
    """`State-funded secondary` -> `secondary`; `Total` -> `total`."""
    key = " ".join(label.strip().lower().split())
    return key.removeprefix("state-funded ").strip() or "total"


@dataclass
class ParsedFile:
    rows: list[dict[str, Any]]
    periods: list[str]
    checksum: str
    skipped: int = 0
    duplicates: int = 0
    phases: list[str] = field(default_factory=list)
    has_severe: bool = False
    collection: str = CENSUS
    publication: str = "Pupil absence in schools in England"
    coverage: str = ""
    school_days: Decimal | None = None  # in-year: England's possible sessions per pupil / 2

    @property
    def release(self) -> str:
        return year_label(self.periods[-1])

    @property
    def span(self) -> str:
        first, last = year_label(self.periods[0]), year_label(self.periods[-1])
        return first if first == last else f"{first} to {last}"


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_absence_csv(source: bytes | CsvFile, *, name: str = "the file") -> ParsedFile:
    """Validate and read a DfE attendance CSV (any shape in `SHAPES`) into rows for a bulk insert.

    `source` is a file read with `bot.csvfile` or its bytes (decoded by it: UTF-8 with or without
    a BOM, any line endings). The shape is told from the header; UserError (nothing saved) for
    another encoding, another shape, a missing column, a bad time_period or a row without an
    area. Numbers are kept as the exact text.
    """
    import pandas as pd

    if isinstance(source, CsvFile):
        file = source
    else:
        file = csvfile.from_bytes(source, name=name, example=EXAMPLE)
    name = file.name
    shape = detect(csvfile.header(file), name)
    wanted = {
        *shape.required,
        *PHASE_COLUMNS,
        *LA_CODE_COLUMNS,
        *shape.measures.values(),
        "region_code",
        "time_identifier",
        "year_breakdown",
        "possible_sessions",
        "enrolments",
    }
    try:
        df = pd.read_csv(
            io.StringIO(file.text),
            dtype=str,
            keep_default_na=False,
            usecols=lambda c: c.strip().lower() in wanted,
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise UserError(
            f"{name} is not a readable CSV file ({str(exc).splitlines()[0][:120]}).",
            hint="Use the DfE open-data CSV for pupil absence (national, regional, LA rows).",
            example="partnership-bot import attendance absence_nat_reg_la.csv",
        ) from None
    df.columns = [c.strip().lower() for c in df.columns]
    phase_col = next(c for c in PHASE_COLUMNS if c in df.columns)
    df = df.apply(lambda s: s.str.strip())

    total = len(df)
    keep = df["geographic_level"].str.lower().isin(LEVELS)
    if "time_identifier" in df.columns:
        keep &= df["time_identifier"].str.lower().isin(WHOLE_YEAR | set(PART_YEAR))
    df = df[keep]
    skipped = total - len(df)
    if df.empty:
        raise UserError(
            f"{name} has no national, regional or local-authority rows for whole academic years.",
            example="partnership-bot import attendance absence_nat_reg_la.csv",
        )

    bad = df[~df["time_period"].str.fullmatch(r"\d{6}")]
    if not bad.empty:
        line = int(bad.index[0]) + 2
        raise UserError(
            f"Line {line}: time_period {bad['time_period'].iloc[0][:20]!r} is not like 201819.",
            example="201819,Academic year,National,E92000001,England,...",
        )

    level = df["geographic_level"].str.lower().map(LEVELS)
    # an LA is its three-digit DfE number in every shape (the rates file has no other code);
    # a file with only new codes keeps them
    la_code = pd.Series("", index=df.index)
    for col in reversed(LA_CODE_COLUMNS):
        if col in df.columns:
            real = df[col].str.fullmatch(r"\d{3}|[A-Z]\d{8}")
            la_code = la_code.mask(real, df[col])
    regions = df["region_name"].map(lambda n: region(n) or ("", n))
    region_code = regions.map(lambda r: r[0])
    if "region_code" in df.columns:
        region_code = df["region_code"].where(df["region_code"] != "", region_code)
    region_name = regions.map(lambda r: r[1])
    code = la_code.where(level == "la", "")
    code = code.mask(level == "regional", region_code)
    code = code.mask(level == "national", df["country_code"])
    area = df["la_name"].mask(level == "regional", region_name)
    area = area.mask(level == "national", df["country_name"])
    missing = df[(code == "") | (area == "")]
    if not missing.empty:
        line = int(missing.index[0]) + 2
        raise UserError(
            f"Line {line}: an area code or name is missing for a {level[missing.index[0]]} row.",
            hint="Every row needs country, region or la code and name for its level.",
        )

    note = df.get("year_breakdown")
    if "time_identifier" in df.columns:
        part = df["time_identifier"].str.lower().map(PART_YEAR)
        note = part if note is None else part.where(part.notna(), note)
    out = pd.DataFrame(
        {
            "collection": shape.collection,
            "time_period": df["time_period"],
            "period_note": note,
            "level": level,
            "area_code": code,
            "area_name": area,
            "region_code": region_code.where((level == "la") & (region_code != ""), None),
            "region_name": region_name.where(level == "la", None),
            "phase": df[phase_col].map(phase_key),
            "phase_label": df[phase_col].where(df[phase_col] != "", "Total"),
        }
    )
    symbols = pd.DataFrame(index=df.index)
    every = {m for s in SHAPES for m in s.measures}
    for ours in sorted(every):
        theirs = shape.measures.get(ours)
        if theirs is None or theirs not in df.columns:
            out[ours] = None
            continue
        text = df[theirs]
        numeric = text.str.fullmatch(NUMBER_RE)
        out[ours] = text.where(numeric, None)
        symbols[ours] = text.where(~numeric & (text != ""), None)

    before = len(out)
    out = out.drop_duplicates(subset=["time_period", "level", "area_code", "phase"])
    symbols = symbols.loc[out.index]
    out = out.astype(object).where(out.notna(), None)
    rows = out.to_dict("records")
    symbol_rows = symbols.to_dict("records")
    for row, found in zip(rows, symbol_rows, strict=True):
        row["symbols"] = {k: v for k, v in found.items() if isinstance(v, str)}
    phases = sorted(out["phase"].unique().tolist())
    coverage = (
        f"England, {out[out.level == 'regional'].area_code.nunique()} regions, "
        f"{out[out.level == 'la'].area_code.nunique()} local authorities; "
        f"phases: {', '.join(phases)}"
    )
    return ParsedFile(
        rows=rows,
        periods=sorted(out["time_period"].unique().tolist()),
        checksum=checksum(file.data),
        skipped=skipped,
        duplicates=before - len(out),
        phases=phases,
        has_severe="enrolments_pa_50_exact_percent" in df.columns,
        collection=shape.collection,
        publication=shape.publication,
        coverage=coverage,
        school_days=_school_days(df, level, phase_col),
    )


def _school_days(df: Any, level: Any, phase_col: str) -> Decimal | None:
    """England's possible sessions per enrolment / 2: how much of the year a file covers."""
    if "possible_sessions" not in df.columns or "enrolments" not in df.columns:
        return None
    england = df[(level == "national") & (df[phase_col].str.lower() == "total")]
    try:
        sessions, pupils = (
            Decimal(england["possible_sessions"].iloc[-1]),
            Decimal(england["enrolments"].iloc[-1]),
        )
    except (IndexError, ArithmeticError):
        return None
    return round_half_up(sessions / pupils / 2, 0) if pupils else None
