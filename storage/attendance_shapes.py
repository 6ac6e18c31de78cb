"""The DfE file shapes the importer reads, told apart by their header.

- **census**: "Pupil absence in schools in England" (the school census; full academic years),
  national / regional / LA rows. Two layouts: the full one with counts (2006/07-2018/19 file) and
  the headline rates with severe absence (2015/16-2024/25 file, phase as `education_phase`).
- **in-year**: "Pupil attendance in schools" (from schools' daily registers, published every
  fortnight), the year-to-date file; phase as `school_type` or `education_phase`.

Figures from the two collections differ slightly for the same year and are never mixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import UserError

CENSUS = "census"
IN_YEAR = "in-year"
COLLECTION_NAMES = {
    CENSUS: "school census (full-year absence statistics)",
    IN_YEAR: "in-year collection (from schools' daily registers)",
}
PHASE_COLUMNS = ("school_type", "education_phase")
LA_CODE_COLUMNS = ("old_la_code", "new_la_code")  # DfE's three-digit LA number first
EXAMPLE = "partnership-bot import attendance absence_nat_reg_la_2015_16_to_2024_25.csv"


@dataclass(frozen=True)
class Shape:
    """One kind of DfE file: its collection, publication and the columns the bot reads."""

    collection: str
    publication: str
    marker: str  # the column that tells this shape apart
    required: tuple[str, ...]
    measures: dict[str, str]  # our name -> DfE column (read when present)

    def expected(self) -> str:
        return ", ".join([*self.required, " or ".join(PHASE_COLUMNS), " or ".join(LA_CODE_COLUMNS)])


_PLACE = ("time_period", "geographic_level", "country_code", "country_name", "region_name")
SHAPES = (
    Shape(
        collection=CENSUS,
        publication="Pupil absence in schools in England",
        marker="sess_overall_percent",
        required=(*_PLACE, "la_name", "sess_overall_percent", "enrolments_pa_10_exact_percent"),
        measures={
            "num_schools": "num_schools",
            "enrolments": "enrolments",
            "overall_pct": "sess_overall_percent",
            "authorised_pct": "sess_authorised_percent",
            "unauthorised_pct": "sess_unauthorised_percent",
            "pa_count": "enrolments_pa_10_exact",
            "pa_pct": "enrolments_pa_10_exact_percent",
            "severe_count": "enrolments_pa_50_exact",
            "severe_pct": "enrolments_pa_50_exact_percent",
        },
    ),
    Shape(
        collection=IN_YEAR,
        publication="Pupil attendance in schools",
        marker="overall_absence_perc",
        required=(*_PLACE, "la_name", "overall_absence_perc", "pa_perc"),
        # enrolments here are averages over the year, not pupils: not read, so never shown
        measures={
            "num_schools": "num_schools",
            "overall_pct": "overall_absence_perc",
            "authorised_pct": "authorised_absence_perc",
            "unauthorised_pct": "unauthorised_absence_perc",
            "pa_pct": "pa_perc",
        },
    ),
)

# ONS codes of the English regions, for files that give only the name (the rates file)
REGIONS = {
    "north east": ("E12000001", "North East"),
    "north west": ("E12000002", "North West"),
    "yorkshire and the humber": ("E12000003", "Yorkshire and the Humber"),
    "east midlands": ("E12000004", "East Midlands"),
    "west midlands": ("E12000005", "West Midlands"),
    "east of england": ("E12000006", "East of England"),
    "london": ("E12000007", "London"),
    "south east": ("E12000008", "South East"),
    "south west": ("E12000009", "South West"),
    "inner london": ("E13000001", "Inner London"),
    "outer london": ("E13000002", "Outer London"),
}


def region(name: str) -> tuple[str, str] | None:
    """`Yorkshire and The Humber` -> (`E12000003`, `Yorkshire and the Humber`); None if unknown."""
    return REGIONS.get(" ".join(name.lower().split()))


def detect(columns: Iterable[str], name: str) -> Shape:
    """The shape whose marker column the header has; UserError naming what was expected."""
    present = {c.strip().lower() for c in columns}
    shape = next((s for s in SHAPES if s.marker in present), None)
    if shape is None:
        kinds = "; ".join(f'"{s.publication}" ({s.collection}): {s.expected()}' for s in SHAPES)
        raise UserError(
            f"{name} is not a DfE attendance file I can read; nothing was imported. "
            f"Expected the columns of {kinds}.",
            hint="Download the national, regional and local-authority CSV from DfE's "
            "explore-education-statistics.",
            example=EXAMPLE,
        )
    missing = [c for c in shape.required if c not in present]
    for options in (PHASE_COLUMNS, LA_CODE_COLUMNS):
        if not any(c in present for c in options):
            missing.append(" (or ".join(options) + ")")
    if missing:
        raise UserError(
            f"{name} is missing the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; nothing was imported.",
            hint=f'It looks like "{shape.publication}" ({shape.collection}), which needs '
            f"{shape.expected()}.",
            example=EXAMPLE,
        )
    return shape
