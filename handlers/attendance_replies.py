"""Attendance figures as people read them: rounded half-up, suppressed, ranked, charted, cited.

Built from one query per question (every year of the areas asked about, England, their regions
and the core cities, for one phase), so a reply with a chart stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts import ranked_bar_chart, trend_chart
from bot.dates import format_date, to_local
from bot.errors import NotFound, UserError
from bot.parsing import split_list
from bot.reply import Image, Reply, Section, Table
from bot.settings import Settings
from storage import attendance as repo
from storage.attendance import Area, AttendanceFigure, AttendanceRelease
from storage.attendance_import import Value, round_half_up, year_label

THRESHOLD = "threshold"  # our own marker: fewer pupils than the suppression threshold
COUNT_OF = {"pa_pct": "pa_count", "severe_pct": "severe_count"}
COUNTS = {"enrolments", "pa_count", "severe_count"}
LABELS = {
    "overall_pct": "Overall absence",
    "pa_pct": "Persistent absence (10%+ missed)",
    "severe_pct": "Severe absence (50%+ missed)",
}
SHORT = {"overall_pct": "overall absence", "pa_pct": "PA", "severe_pct": "severe absence"}
PHASE_NAMES = {
    "total": "all schools (total)",
    "primary": "state-funded primary",
    "secondary": "state-funded secondary",
    "special": "special schools",
}
HOME_AREA = "Sheffield"  # the partnership's own area, highlighted and posted about


def home_area(settings: Settings) -> str:
    return settings.attendance_area or HOME_AREA


def phase_name(phase: str) -> str:
    return PHASE_NAMES.get(phase, phase)


@dataclass
class Figures:
    """Every year of a handful of areas for one phase, with the rules for showing them."""

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

    def show(self, value: Value, *, unit: str = "%") -> str:
        if value.number is not None:
            if unit == "%":
                return f"{round_half_up(value.number)}%"
            return f"{int(round_half_up(value.number, 0)):,}"
        if value.symbol == THRESHOLD:
            return f"suppressed (fewer than {self.threshold} pupils)"
        if value.symbol is None:
            return "not published"
        if value.suppressed:
            return f"suppressed ({value.symbol}: {value.reason})"
        return f"{value.reason} ({value.symbol})"

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

    def change(self, code: str, period: str, measure: str) -> str:
        """Change on the previous year, from the unrounded values."""
        before = self.previous(period)
        now = self.number(code, period, measure)
        then = self.number(code, before, measure) if before else None
        if now is None or then is None:
            return "no comparison"
        diff = round_half_up(now - then)
        return "no change" if diff == 0 else f"{diff:+} points"

    def source(self, code: str, period: str, settings: Settings) -> str:
        fig = self.get(code, period) or self.get(self.england.code, period)
        release = self.releases.get(fig.release_id) if fig else None
        note = f", {fig.period_note}" if fig and fig.period_note else ""
        where = release.source if release else "DfE, Pupil absence in schools in England"
        imported = (
            f" Imported {format_date(to_local(release.imported_at, settings.tz).date())}."
            if release
            else ""
        )
        return f"Source: {where}. Period: {year_label(period)} academic year{note}.{imported}"


async def load(
    session: AsyncSession,
    settings: Settings,
    *,
    names: list[str],
    phase: str | None,
    period: str | None,
    example: str,
) -> tuple[Figures, list[Area], str]:
    """Resolve the areas, phase and year asked about and fetch their figures in one query."""
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
    for name in split_list(settings.core_cities):
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
        threshold=settings.suppression_threshold,
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


def _columns(fx: Figures, asked: list[Area]) -> list[Area]:
    cols: list[Area] = []
    for area in asked:
        region = fx.areas.get(area.region_code) if area.region_code else None
        for a in (area, region if len(asked) == 1 else None):
            if a is not None and a not in cols:
                cols.append(a)
    if fx.england not in cols:
        cols.append(fx.england)
    return cols


def figures_table(fx: Figures, asked: list[Area], period: str) -> Table:
    cols = _columns(fx, asked)
    measures = ["overall_pct", "pa_pct"] + (
        ["severe_pct"] if fx.published(period, "severe_pct") else []
    )
    rows = [[LABELS[m], *(fx.show(fx.value(a.code, period, m)) for a in cols)] for m in measures]
    before = fx.previous(period)
    if before:
        for m in ("pa_pct", "overall_pct"):
            label = f"Change in {SHORT[m]} on {year_label(before)}"
            rows.append([label, *(fx.change(a.code, period, m) for a in cols)])
    return Table(
        columns=["measure", *(a.name for a in cols)],
        rows=rows,
        title=f"{phase_name(fx.phase).capitalize()}, {year_label(period)}",
    )


def rank_text(fx: Figures, area: Area, period: str) -> str:
    pa, overall = fx.rank(area.code, period, "pa_pct"), fx.rank(area.code, period, "overall_pct")
    if pa is None and overall is None:
        return f"{area.name} is not one of the {len(fx.core)} core cities compared."
    parts = [
        f"{r[0]} of {r[1]} for {SHORT[m]}"
        for m, r in (("pa_pct", pa), ("overall_pct", overall))
        if r
    ]
    return ", ".join(parts) + " (1 = lowest absence)"


def trend_image(fx: Figures, asked: list[Area], period: str) -> Image:
    """Persistent absence over the years: the areas asked about, England, core-city median."""
    years = [p for p in fx.periods if p <= period]
    series: list[tuple[str, list[float | None]]] = []
    for area in [*asked, fx.england]:
        if area.name not in (s[0] for s in series):
            series.append((area.name, [_f(fx.number(area.code, p, "pa_pct")) for p in years]))
    series.append(("Core-city median", [_f(fx.core_median(p, "pa_pct")) for p in years]))
    who = " vs ".join(s[0] for s in series)
    title = f"Persistent absence, {phase_name(fx.phase)}: {who}"
    latest = "; ".join(
        f"{name} {fx_round(values[-1])}"
        for name, values in series
        if values and values[-1] is not None
    )
    alt = (
        f"Line chart of persistent absence ({phase_name(fx.phase)}) from {year_label(years[0])} "
        f"to {year_label(years[-1])}. In {year_label(period)}: {latest}."
    )
    png = trend_chart(title=title, years=[year_label(p) for p in years], series=series)
    return Image(alt=alt, data=png, title=title)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def fx_round(value: float | Decimal) -> str:
    return f"{round_half_up(Decimal(str(value)))}%"


def area_reply(fx: Figures, area: Area, period: str, settings: Settings) -> Reply:
    """`attendance Sheffield secondary 2018/19`."""
    e = fx.england
    pa, overall = fx.value(area.code, period, "pa_pct"), fx.value(area.code, period, "overall_pct")
    head = f"{area.name}, {phase_name(fx.phase)}, {year_label(period)}: persistent absence {fx.show(pa)}"
    if area != e:
        head += f" (England {fx.show(fx.value(e.code, period, 'pa_pct'))})"
    head += f"; overall absence {fx.show(overall)}"
    if area != e:
        head += f" (England {fx.show(fx.value(e.code, period, 'overall_pct'))})"
    fields = [("Core-city rank", rank_text(fx, area, period))]
    if not fx.published(period, "severe_pct"):
        fields.append(("Severe absence", "not published in this release"))
    fields.append(("Pupils enrolled", fx.show(fx.value(area.code, period, "enrolments"), unit="n")))
    absent = fx.show(fx.value(area.code, period, "pa_count"), unit="n")
    fields.append(("Persistently absent pupils", absent))
    if fx.get(area.code, period) is None:
        head = f"DfE published no {phase_name(fx.phase)} figures for {area.name} in {year_label(period)}"
    return Reply(text=head + ".").add(
        figures_table(fx, [area], period),
        Section(fields=fields),
        trend_image(fx, [area], period),
        Section(text=fx.source(area.code, period, settings)),
    )


def compare_reply(fx: Figures, first: Area, second: Area, period: str, settings: Settings) -> Reply:
    """`attendance compare Sheffield Leeds`."""

    def show(area: Area, measure: str) -> str:
        return fx.show(fx.value(area.code, period, measure))

    head = (
        f"{first.name} vs {second.name}, {phase_name(fx.phase)}, {year_label(period)}: "
        f"persistent absence {show(first, 'pa_pct')} vs {show(second, 'pa_pct')} "
        f"(England {show(fx.england, 'pa_pct')}); overall absence {show(first, 'overall_pct')} "
        f"vs {show(second, 'overall_pct')} (England {show(fx.england, 'overall_pct')})."
    )
    fields = [(f"Core-city rank, {a.name}", rank_text(fx, a, period)) for a in (first, second)]
    return Reply(text=head).add(
        figures_table(fx, [first, second], period),
        Section(fields=fields),
        trend_image(fx, [first, second], period),
        Section(text=fx.source(first.code, period, settings)),
    )


def core_cities_reply(fx: Figures, period: str, settings: Settings) -> Reply:
    """`attendance core-cities`: ranked by persistent absence, lowest first."""

    def pa_first(area: Area) -> tuple[bool, Decimal]:
        value = fx.number(area.code, period, "pa_pct")
        return value is None, value or Decimal(0)

    ordered = sorted(fx.core, key=pa_first)
    severe = fx.published(period, "severe_pct")
    before = fx.previous(period)
    columns = ["rank", "area", "persistent absence", "overall absence"]
    columns += ["severe absence"] if severe else []
    columns += [f"PA change on {year_label(before)}"] if before else []
    rows = []
    for area in [*ordered, fx.england]:
        r = fx.rank(area.code, period, "pa_pct")
        row = [f"{r[0]} of {r[1]}" if r else "-", area.name]
        row += [fx.show(fx.value(area.code, period, m)) for m in ("pa_pct", "overall_pct")]
        row += [fx.show(fx.value(area.code, period, "severe_pct"))] if severe else []
        row += [fx.change(area.code, period, "pa_pct")] if before else []
        rows.append(row)
    home = next((a for a in fx.core if a.name.startswith(home_area(settings))), None)
    where = ""
    if home and (r := fx.rank(home.code, period, "pa_pct")):
        where = f" {home.name} is {r[0]} of {r[1]}."
    head = (
        f"Core cities, {phase_name(fx.phase)}, {year_label(period)}, ranked by persistent "
        f"absence (1 = lowest).{where}"
    )
    bars = [
        (a.name, float(round_half_up(n)))
        for a in ordered
        if (n := fx.number(a.code, period, "pa_pct")) is not None
    ]
    england = fx.number(fx.england.code, period, "pa_pct")
    title = f"Persistent absence in the core cities, {phase_name(fx.phase)}, {year_label(period)}"
    alt = "Bar chart, lowest first: " + "; ".join(f"{n} {v:.1f}%" for n, v in bars)
    if england is not None:
        alt += f". England {round_half_up(england)}%."
    png = ranked_bar_chart(
        title=title,
        bars=bars,
        highlight=home.name if home else None,
        reference=("England", float(round_half_up(england))) if england is not None else None,
    )
    return Reply(text=head).add(
        Table(columns=columns, rows=rows, title=title),
        Image(alt=alt, data=png, title=title),
        Section(text=fx.source(fx.england.code, period, settings)),
    )
