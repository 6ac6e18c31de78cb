"""Attendance figures as people read them: rounded half-up, suppressed, ranked, charted, cited.

Pure functions from `storage.attendance_read.Figures` to a Reply, shared by the chat commands
(`handlers.attendance`) and the half-term post (`scheduled.attendance`); this module imports
neither of them. A reply with a chart is built from one query (see `load`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts import ranked_bar_chart, trend_chart
from bot.dates import format_date, to_local
from bot.errors import NotFound, UserError
from bot.parsing import split_list
from bot.reply import Image, Reply, Section, Table
from bot.settings import Settings
from storage.attendance_areas import Area
from storage.attendance_import import Value, round_half_up, year_label
from storage.attendance_read import THRESHOLD, Figures, load_figures, phase_name
from storage.attendance_shapes import COLLECTION_NAMES, IN_YEAR

LABELS = {
    "overall_pct": "Overall absence",
    "pa_pct": "Persistent absence (10%+ missed)",
    "severe_pct": "Severe absence (50%+ missed)",
}
SHORT = {"overall_pct": "overall absence", "pa_pct": "PA", "severe_pct": "severe absence"}
HOME_AREA = "Sheffield"  # the partnership's own area, highlighted and posted about


def home_area(settings: Settings) -> str:
    """The partnership's own area (setting ATTENDANCE_AREA), the default for `attendance`."""
    return settings.attendance_area or HOME_AREA


async def load(
    session: AsyncSession,
    settings: Settings,
    *,
    names: list[str],
    phase: str | None,
    period: str | None,
    example: str,
    collection: str | None = None,
) -> tuple[Figures, list[Area], str]:
    """`load_figures` with the partnership's settings (core cities, suppression threshold)."""
    return await load_figures(
        session,
        names=names,
        phase=phase,
        period=period,
        core_names=split_list(settings.core_cities),
        threshold=settings.suppression_threshold,
        example=example,
        collection=collection,
    )


def show(fx: Figures, value: Value, *, unit: str = "%") -> str:
    """A figure as a reply shows it: `15.3%`, `1,234`, or why there is no number."""
    if value.number is not None:
        if unit == "%":
            return f"{round_half_up(value.number)}%"
        return f"{int(round_half_up(value.number, 0)):,}"
    if value.symbol == THRESHOLD:
        return f"suppressed (fewer than {fx.threshold} pupils)"
    if value.symbol is None:
        return "not published"
    if value.suppressed:
        return f"suppressed ({value.symbol}: {value.reason})"
    return f"{value.reason} ({value.symbol})"


def change(fx: Figures, code: str, period: str, measure: str) -> str:
    """Change on the previous year held, from the unrounded values."""
    if why := fx.not_comparable(period):
        return f"no comparison ({why})"
    diff = fx.difference(code, period, measure)
    if diff is None:
        return "no comparison"
    diff = round_half_up(diff)
    return "no change" if diff == 0 else f"{diff:+} points"


def in_year_period(fx: Figures, period: str) -> str:
    """What an in-year release covers, as recorded on import ("2025/26 to about mid-July 2026",
    or "2025/26 year to date (about 182 school days per pupil)")."""
    fig = fx.get(fx.england.code, period)
    release = fx.releases.get(fig.release_id) if fig else None
    return release.period if release and release.period else f"{year_label(period)} year to date"


def source(fx: Figures, code: str, period: str, settings: Settings) -> str:
    """The line that cites the publication, the period and when it was imported."""
    fig = fx.get(code, period) or fx.get(fx.england.code, period)
    release = fx.releases.get(fig.release_id) if fig else None
    note = f", {fig.period_note}" if fig and fig.period_note else ""
    where = release.source if release else "DfE, Pupil absence in schools in England"
    imported = (
        f" Imported {format_date(to_local(release.imported_at, settings.tz).date())}."
        if release
        else ""
    )
    if fx.collection == IN_YEAR:
        what = in_year_period(fx, period)
        return f"Source: {where}. Period: {what} ({COLLECTION_NAMES[IN_YEAR]}).{imported}"
    return f"Source: {where}. Period: {year_label(period)} academic year{note}.{imported}"


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
    rows = [[LABELS[m], *(show(fx, fx.value(a.code, period, m)) for a in cols)] for m in measures]
    before = fx.previous(period)
    if before:
        for m in ("pa_pct", "overall_pct", *measures[2:]):
            label = f"Change in {SHORT[m]} on {year_label(before)}"
            rows.append([label, *(change(fx, a.code, period, m) for a in cols)])
    return Table(
        columns=["measure", *(a.name for a in cols)],
        rows=rows,
        title=f"{phase_name(fx.phase).capitalize()}, {year_label(period)}",
    )


def rank_text(fx: Figures, area: Area, period: str) -> str:
    """`5 of 8 for PA, 6 of 8 for overall absence, 7 of 8 for severe absence (1 = lowest ...)`."""
    ranks = [(m, fx.rank(area.code, period, m)) for m in ("pa_pct", "overall_pct", "severe_pct")]
    if not any(r for _, r in ranks):
        return f"{area.name} is not one of the {len(fx.core)} core cities compared."
    parts = [f"{r[0]} of {r[1]} for {SHORT[m]}" for m, r in ranks if r]
    return ", ".join(parts) + " (1 = lowest absence)"


def year_ticks(fx: Figures, years: list[str]) -> tuple[list[str], str]:
    """Tick labels (a part year starred) and the chart's note on gaps and part years."""
    ticks, notes = [], []
    for p in years:
        partial = fx.partial(p)
        ticks.append(year_label(p) + ("*" if partial else ""))
        if partial:
            notes.append(f"*{year_label(p)}: {partial}")
        elif fx.number(fx.england.code, p, "overall_pct") is None:
            notes.append(f"{year_label(p)}: not published")
    return ticks, "; ".join(notes)


def trend_image(fx: Figures, asked: list[Area], period: str, settings: Settings) -> Image:
    """Persistent and severe absence over the years: the areas asked about, their region,
    England, core-city median. A year DfE did not publish is a gap (never joined across)."""
    years = [p for p in fx.periods if p <= period]
    severe = any(fx.published(p, "severe_pct") for p in years)
    measures = ["pa_pct", "severe_pct"] if severe else ["pa_pct"]
    regions = [fx.areas[c] for a in asked if (c := a.region_code) in fx.areas]
    panels = []
    for m in measures:
        series: list[tuple[str, list[float | None]]] = []
        for area in [*asked, *regions[: 1 if len(asked) == 1 else 0], fx.england]:
            if area.name not in (s[0] for s in series):
                series.append((area.name, [_f(fx.number(area.code, p, m)) for p in years]))
        series.append(("Core-city median", [_f(fx.core_median(p, m)) for p in years]))
        panels.append((LABELS[m], series))
    who = " vs ".join(s[0] for s in panels[0][1])
    title = f"Persistent absence, {phase_name(fx.phase)}: {who}"
    latest = "; ".join(
        f"{name} {fx_round(values[-1])}"
        for name, values in panels[0][1]
        if values and values[-1] is not None
    )
    ticks, gaps = year_ticks(fx, years)
    alt = (
        f"Line chart of persistent absence ({phase_name(fx.phase)}) from {year_label(years[0])} "
        f"to {year_label(years[-1])}. In {year_label(period)}: {latest}."
        + (" Below it, severe absence." if severe else "")
        + (f" {gaps}." if gaps else "")
    )
    note = source(fx, fx.england.code, period, settings).removeprefix("Source: ")
    home = next((a.name for a in asked if a.name.startswith(home_area(settings))), None)
    png = trend_chart(
        title=title,
        years=ticks,
        series=panels[0][1],
        lower=panels[1] if severe else None,
        note=" ".join(filter(None, [note, gaps])),
        highlight=home or asked[0].name,  # the partnership's own area, whichever order asked
    )
    return Image(alt=alt, data=png, title=title)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def fx_round(value: float | Decimal) -> str:
    return f"{round_half_up(Decimal(str(value)))}%"


def headline(fx: Figures, area: Area, period: str) -> str:
    """`Sheffield, all schools (total), 2024/25: persistent absence 21.3% (England 18.1%); ...`."""
    e = fx.england
    parts = []
    for m in ("pa_pct", "overall_pct", "severe_pct"):
        if m == "severe_pct" and not fx.published(period, m):
            continue
        text = f"{SHORT[m] if m != 'pa_pct' else 'persistent absence'} "
        text += show(fx, fx.value(area.code, period, m))
        if area != e:
            text += f" (England {show(fx, fx.value(e.code, period, m))})"
        parts.append(text)
    label = year_label(period)
    if fx.collection == IN_YEAR:
        label = f"{in_year_period(fx, period)} (in-year collection)"
    return f"{area.name}, {phase_name(fx.phase)}, {label}: " + "; ".join(parts)


def area_reply(
    fx: Figures,
    area: Area,
    period: str,
    settings: Settings,
    *,
    so_far: tuple[str, str] | None = None,
) -> Reply:
    """`attendance Sheffield secondary 2018/19`; `so_far` is the in-year line (label, text)."""
    head = headline(fx, area, period)
    fields = [("Core-city rank", rank_text(fx, area, period))]
    if not fx.published(period, "severe_pct"):
        fields.append(("Severe absence", "not published in this release"))
    for measure, label in (
        ("enrolments", "Pupils enrolled"),
        ("pa_count", "Persistently absent pupils"),
    ):
        if fx.published(period, measure):
            fields.append((label, show(fx, fx.value(area.code, period, measure), unit="n")))
    if so_far:
        fields.append(so_far)
    if fx.get(area.code, period) is None:
        head = f"DfE published no {phase_name(fx.phase)} figures for {area.name} in {year_label(period)}"
    return Reply(text=head + ".").add(
        figures_table(fx, [area], period),
        Section(fields=fields),
        trend_image(fx, [area], period, settings),
        Section(text=source(fx, area.code, period, settings)),
    )


def school_year(day: date) -> str:
    """The academic year (September to August) `day` falls in, as DfE writes it: `202627`."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}{(start + 1) % 100:02d}"


def so_far_line(
    fx: Figures, area: Area, period: str, settings: Settings, *, today: date
) -> tuple[str, str]:
    """The in-year line under a census answer, as (label, text): its own collection and period,
    never mixed. "This year so far" only while `period` is the school year `today` is in; after
    that the line says which year it is and that the current year has no figures yet."""
    what = in_year_period(fx, period)
    e = fx.england

    def pair(m: str) -> str:
        mine = show(fx, fx.value(area.code, period, m))
        return mine if area == e else f"{mine} (England {show(fx, fx.value(e.code, period, m))})"

    text = (
        f"{what}, from schools' daily registers (DfE, Pupil attendance in schools; a different "
        f"collection from the census figures above): overall absence {pair('overall_pct')}, "
        f"persistent absence {pair('pa_pct')}."
    )
    current = school_year(today)
    if period == current:
        return "This year so far", text
    if period < current:
        text += f" No in-year figures for {year_label(current)} are loaded yet."
    return f"In-year figures, {year_label(period)}", text


async def area_answer(
    session: AsyncSession,
    settings: Settings,
    *,
    name: str,
    phase: str | None,
    period: str | None,
    example: str,
    today: date,
) -> Reply:
    """An area's answer; the latest census year also gets the newer in-year figures, if held
    (labelled by how they stand to `today`'s school year)."""
    fx, asked, period = await load(
        session, settings, names=[name], phase=phase, period=period, example=example
    )
    so_far = None
    if fx.collection != IN_YEAR and period == fx.periods[-1]:
        try:
            now, _, latest = await load(
                session,
                settings,
                names=[name],
                phase=phase,
                period=None,
                example=example,
                collection=IN_YEAR,
            )
        except (NotFound, UserError):
            now = None  # no in-year figures held (or none for this phase): the census alone
        if now is not None and latest > period and now.get(asked[0].code, latest):
            so_far = so_far_line(now, asked[0], latest, settings, today=today)
    return area_reply(fx, asked[0], period, settings, so_far=so_far)


def compare_reply(fx: Figures, first: Area, second: Area, period: str, settings: Settings) -> Reply:
    """`attendance compare Sheffield Leeds`."""

    def pct(area: Area, measure: str) -> str:
        return show(fx, fx.value(area.code, period, measure))

    measures = ["pa_pct", "overall_pct"]
    measures += ["severe_pct"] if fx.published(period, "severe_pct") else []
    names = {"pa_pct": "persistent absence", **{m: SHORT[m] for m in measures[1:]}}
    head = (
        f"{first.name} vs {second.name}, {phase_name(fx.phase)}, {year_label(period)}: "
        + "; ".join(
            f"{names[m]} {pct(first, m)} vs {pct(second, m)} (England {pct(fx.england, m)})"
            for m in measures
        )
        + "."
    )
    fields = [(f"Core-city rank, {a.name}", rank_text(fx, a, period)) for a in (first, second)]
    return Reply(text=head).add(
        figures_table(fx, [first, second], period),
        Section(fields=fields),
        trend_image(fx, [first, second], period, settings),
        Section(text=source(fx, first.code, period, settings)),
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
    columns += ["severe absence", "severe rank"] if severe else []
    columns += [f"PA change on {year_label(before)}"] if before else []
    rows = []
    for area in [*ordered, fx.england]:
        r = fx.rank(area.code, period, "pa_pct")
        row = [f"{r[0]} of {r[1]}" if r else "-", area.name]
        row += [show(fx, fx.value(area.code, period, m)) for m in ("pa_pct", "overall_pct")]
        if severe:
            s_rank = fx.rank(area.code, period, "severe_pct")
            row += [show(fx, fx.value(area.code, period, "severe_pct"))]
            row += [f"{s_rank[0]} of {s_rank[1]}" if s_rank else "-"]
        row += [change(fx, area.code, period, "pa_pct")] if before else []
        rows.append(row)
    home = next((a for a in fx.core if a.name.startswith(home_area(settings))), None)
    where = ""
    if home and (r := fx.rank(home.code, period, "pa_pct")):
        where = f" {home.name} is {r[0]} of {r[1]}"
        s_rank = fx.rank(home.code, period, "severe_pct") if severe else None
        where += f" ({s_rank[0]} of {s_rank[1]} for severe absence)." if s_rank else "."
    head = (
        f"Core cities, {phase_name(fx.phase)}, {year_label(period)}, ranked by persistent "
        f"absence (1 = lowest).{where}"
    )
    bars = [
        (a.name, float(round_half_up(n)))
        for a in ordered
        if (n := fx.number(a.code, period, "pa_pct")) is not None
    ]
    title = f"Persistent absence in the core cities, {phase_name(fx.phase)}, {year_label(period)}"
    alt = "Bar chart, lowest first: " + "; ".join(f"{n} {v:.1f}%" for n, v in bars)
    references = []
    region = fx.areas.get(home.region_code) if home and home.region_code else None
    for area in (fx.england, region):
        value = fx.number(area.code, period, "pa_pct") if area else None
        if area and value is not None:
            references.append((area.name, float(round_half_up(value))))
    if references:
        alt += ". Reference lines: " + "; ".join(f"{n} {v:.1f}%" for n, v in references) + "."
    png = ranked_bar_chart(
        title=title,
        bars=bars,
        highlight=home.name if home else None,
        references=references,
        note=source(fx, fx.england.code, period, settings).removeprefix("Source: "),
    )
    return Reply(text=head).add(
        Table(columns=columns, rows=rows, title=title),
        Image(alt=alt, data=png, title=title),
        Section(text=source(fx, fx.england.code, period, settings)),
    )
