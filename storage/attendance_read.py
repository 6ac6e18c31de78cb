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
from storage.attendance import Area, AttendanceFigure, AttendanceRelease
from storage.attendance_import import Value, year_label

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
    rows: dict[str, dict[str, AttendanceFigure]]  # area code -> period -> figure
    areas: dict[str, Area]
    england: Area
    core: list[Area]
    releases: dict[int, AttendanceRelease]

    @property
    def periods(self) -> list[str]:
        return sorted({p for by_period in self.rows.values() for p in by_period})

    def previous(self, period: str) -> str | None:
        earlier = [p for p in self.periods if p < period]
        return earlier[-1] if earlier else None

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
        """This year minus the previous year held, unrounded; None when either is missing."""
        before = self.previous(period)
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
) -> tuple[Figures, list[Area], str]:
    """Resolve the areas, phase and year asked about and fetch their figures in one query.

    Raises NotFound when nothing is imported or the year is not held, UserError for an unknown
    phase or area. Core cities the data does not hold are left out, never guessed.
    """
    known, available = await repo.catalogue(session)
    if not known:
        raise NotFound(
            "No attendance figures have been imported yet.",
            hint="An admin can import the DfE file.",
            example="partnership-bot import attendance absence_nat_reg_la.csv",
        )
    asked = [repo.resolve_area(n, known, example=example) for n in names]
    england = next(a for a in known if a.level == "national")
    councils = [a for a in known if a.level == "la"]
    core = []
    for name in core_names:
        try:
            core.append(repo.resolve_area(name, councils, example=example))
        except UserError:
            continue  # a comparator the data does not hold is left out, not guessed
    phase = phase or "total"
    if phase not in available:
        raise UserError(
            f"No figures for the phase {phase!r}.",
            hint="Phases: " + ", ".join(available) + ".",
            example="attendance Sheffield secondary 2018/19",
        )
    regions = {a.region_code for a in asked if a.region_code}
    codes = {england.code, *regions, *(a.code for a in asked), *(a.code for a in core)}
    rows: dict[str, dict[str, AttendanceFigure]] = {}
    for fig in await repo.figures(session, codes=sorted(codes), phase=phase):
        rows.setdefault(fig.area_code, {})[fig.time_period] = fig
    by_code = {a.code: a for a in known}
    release_ids = {f.release_id for by in rows.values() for f in by.values()}
    fx = Figures(
        phase=phase,
        threshold=threshold,
        rows=rows,
        areas=by_code,
        england=england,
        core=core,
        releases=await repo.releases_by_id(session, release_ids),
    )
    years = sorted(rows.get(england.code, {})) or fx.periods
    if period is None:
        period = years[-1]
    elif period not in years:
        raise NotFound(
            f"No {phase_name(phase)} figures for {year_label(period)}.",
            hint=f"This data covers {year_label(years[0])} to {year_label(years[-1])}.",
            example=example,
        )
    return fx, asked, period
