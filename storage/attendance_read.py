"""The attendance figures one question needs, read in one query, with the rules for using them.

`load_figures` resolves the areas, phase and year asked about and fetches every year of those
areas, England, their regions and the core cities for one phase. `Figures` answers what a reply
needs as numbers (never prose): a value or the reason there is none, ranks, medians, changes.
Shared by the chat commands and the half-term post, so neither reaches into the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound, UserError
from storage import attendance as repo
from storage.attendance import AttendanceFigure, AttendanceRelease
from storage.attendance_areas import Area, reorganisation, resolve_area
from storage.attendance_import import Value, year_label
from storage.attendance_shapes import CENSUS, IN_YEAR

THRESHOLD = "threshold"  # our own marker: fewer pupils than the suppression threshold
COUNT_OF = {"pa_pct": "pa_count", "severe_pct": "severe_count"}
COUNTS = {"enrolments", "pa_count", "severe_count"}
PHASE_NAMES = {
    "total": "all schools (total)",
    "primary": "state-funded primary",
    "secondary": "state-funded secondary",
    "special": "special schools",
}


def phase_name(phase: str) -> str:
    """`secondary` -> `state-funded secondary` (unknown keys are shown as they are)."""
    return PHASE_NAMES.get(phase, phase)


@dataclass
class Figures:
    """Every year of a handful of areas for one phase, with the rules for using them."""

    phase: str
    threshold: int
    rows: dict[str, dict[str, AttendanceFigure]]  # area code -> period -> figure, one collection
    areas: dict[str, Area]
    england: Area
    core: list[Area]
    releases: dict[int, AttendanceRelease]
    collection: str = CENSUS

    @property
    def periods(self) -> list[str]:
        return sorted({p for by_period in self.rows.values() for p in by_period})

    def previous(self, period: str) -> str | None:
        """The academic year before `period`, if held (never an earlier one across a gap)."""
        start = int(period[:4])
        before = f"{start - 1}{start % 100:02d}"
        return before if before in self.periods else None

    def partial(self, period: str) -> str | None:
        """`autumn and spring terms only` for a year DfE published for part of the year."""
        fig = self.get(self.england.code, period)
        note = fig.period_note if fig else None
        return note if note and note.endswith(" only") else None

    def not_comparable(self, period: str) -> str | None:
        """Why this year cannot be compared with the year before (a gap or a part year)."""
        before = self.previous(period)
        if before is None:
            return None
        if self.number(self.england.code, before, "overall_pct") is None:
            return f"{year_label(before)} not published"
        for p in (before, period):
            if note := self.partial(p):
                return f"{year_label(p)} {note}"
        return None

    def get(self, code: str, period: str) -> AttendanceFigure | None:
        return self.rows.get(code, {}).get(period)

    def value(self, code: str, period: str, measure: str) -> Value:
        """The figure, unless it is about fewer pupils than the threshold (then suppressed)."""
        fig = self.get(code, period)
        if fig is None:
            return Value()
        for count in ("enrolments", COUNT_OF.get(measure), measure if measure in COUNTS else None):
            n = fig.value(count).number if count else None
            if n is not None and n < self.threshold:
                return Value(symbol=THRESHOLD)
        return fig.value(measure)

    def number(self, code: str, period: str, measure: str) -> Decimal | None:
        return self.value(code, period, measure).number

    def published(self, period: str, measure: str) -> bool:
        """Does this release carry the measure at all (a number or a reason) this year?"""
        return any(
            fig.value(measure).number is not None or fig.value(measure).symbol
            for by_period in self.rows.values()
            if (fig := by_period.get(period)) is not None
        )

    def rank(self, code: str, period: str, measure: str) -> tuple[int, int] | None:
        """(n, of) among the core cities, 1 = lowest absence; None if not a ranked core city."""
        values = {a.code: self.number(a.code, period, measure) for a in self.core}
        ranked = {c: v for c, v in values.items() if v is not None}
        if code not in ranked:
            return None
        return 1 + sum(v < ranked[code] for v in ranked.values()), len(ranked)

    def core_median(self, period: str, measure: str) -> Decimal | None:
        values = [self.number(a.code, period, measure) for a in self.core]
        known = [v for v in values if v is not None]
        return median(known) if known else None

    def difference(self, code: str, period: str, measure: str) -> Decimal | None:
        """This year minus the year before, unrounded; None when either is missing or partial."""
        before = self.previous(period)
        if self.not_comparable(period):
            return None
        now = self.number(code, period, measure)
        then = self.number(code, before, measure) if before else None
        return None if now is None or then is None else now - then


async def load_figures(
    session: AsyncSession,
    *,
    names: list[str],
    phase: str | None,
    period: str | None,
    core_names: list[str],
    threshold: int,
    example: str,
    collection: str | None = None,
) -> tuple[Figures, list[Area], str]:
    """Resolve the areas, phase and year asked about and fetch their figures in one query.

    The figures come from one collection: `collection` if given, else the census when it holds
    the year (the latest census year by default), else the in-year collection. Raises NotFound
    when nothing is imported, the year is not held or a reorganised council did not exist then;
    UserError for an unknown phase. Core cities the data does not hold are left out.
    """
    known, available = await repo.catalogue(session)
    if not known:
        raise NotFound(
            "No attendance figures have been imported yet.",
            hint="An admin can import the DfE file.",
            example="partnership-bot import attendance absence_nat_reg_la.csv",
        )
    asked = [resolve_area(n, known, example=example) for n in names]
    england = next(a for a in known if a.level == "national")
    councils = [a for a in known if a.level == "la"]
    core = []
    for name in core_names:
        try:
            core.append(resolve_area(name, councils, example=example))
        except UserError:
            continue  # a comparator the data does not hold is left out, not guessed
    phase = phase or "total"
    if phase not in available:
        raise UserError(
            f"No figures for the phase {phase!r}.",
            hint="Phases: " + ", ".join(available) + ".",
            example="attendance Sheffield secondary 2018/19",
        )
    # the regions of the areas asked about and of the core cities (the partnership's own
    # region is a reference line in the core-cities chart)
    regions = {a.region_code for a in [*asked, *core] if a.region_code}
    codes = {england.code, *regions, *(a.code for a in asked), *(a.code for a in core)}
    by_collection: dict[str, dict[str, dict[str, AttendanceFigure]]] = {}
    for fig in await repo.figures(session, codes=sorted(codes), phase=phase):
        rows = by_collection.setdefault(fig.collection, {})
        rows.setdefault(fig.area_code, {})[fig.time_period] = fig
    years = {c: sorted(rows.get(england.code, {})) for c, rows in by_collection.items()}
    if collection is None:
        held = [c for c in (CENSUS, IN_YEAR) if years.get(c)]
        wanted = [c for c in held if period in years[c]] if period else held
        collection = wanted[0] if wanted else (held[0] if held else CENSUS)
    rows = by_collection.get(collection, {})
    release_ids = {f.release_id for by in rows.values() for f in by.values()}
    fx = Figures(
        phase=phase,
        threshold=threshold,
        rows=rows,
        areas={a.code: a for a in known},
        england=england,
        core=core,
        releases=await repo.releases_by_id(session, release_ids),
        collection=collection,
    )
    held_years = years.get(collection) or fx.periods
    if not held_years:
        raise NotFound(
            f"No {phase_name(phase)} figures from the {collection} collection.",
            example=example,
        )
    if period is None:
        period = held_years[-1]
    elif period not in held_years:
        spans = "; ".join(
            f"{c}: {year_label(y[0])} to {year_label(y[-1])}" for c, y in years.items() if y
        )
        raise NotFound(
            f"No {phase_name(phase)} figures for {year_label(period)}.",
            hint=f"This data covers {spans}."
            if len(years) > 1
            else (f"This data covers {year_label(held_years[0])} to {year_label(held_years[-1])}."),
            example=example,
        )
    for area in asked:
        why = reorganisation(area.code, period)
        if why and fx.number(area.code, period, "overall_pct") is None:
            raise NotFound(
                f"No figures for {area.name} in {year_label(period)}: {why}", example=example
            )
    return fx, asked, period
