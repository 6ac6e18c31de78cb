"""Quick attendance figures from DfE data: an area, two areas side by side, the core cities."""

from __future__ import annotations

import re
from datetime import datetime
from importlib import resources

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserError
from bot.parsing import Args
from bot.registry import CommandSet
from bot.reply import Reply
from bot.services import Request, Services
from handlers.attendance_replies import (
    PHASE_NAMES,
    area_reply,
    compare_reply,
    core_cities_reply,
    home_area,
    load,
)
from storage import attendance as repo

commands = CommandSet("attendance", "Quick attendance figures from DfE data")
register = commands.register

EXAMPLE = "attendance Sheffield secondary 2018/19"
COMPARE_EXAMPLE = "attendance compare Sheffield Leeds"
CORE_EXAMPLE = "attendance core-cities"
PHASE_WORDS = {
    "total": "total",
    "all": "total",
    "overall": "total",
    "primary": "primary",
    "secondary": "secondary",
    "special": "special",
}
YEAR_RE = re.compile(r"^(\d{4})(?:[/-](\d{2}|\d{4}))$|^(\d{4})(\d{2})$")
SHIPPED = "data/attendance/absence_nat_reg_la_2006_07_to_2018_19.csv"
SHIPPED_SOURCE = (
    "DfE, Pupil absence in schools in England 2018/19 (national, regional and local-authority "
    "time series; Open Government Licence v3.0)"
)


def parse_year(text: str, *, example: str) -> str:
    """`2018/19`, `2018-19`, `2018/2019` or `201819` -> DfE's `201819`."""
    match = YEAR_RE.match(text.strip())
    if match:
        start = match.group(1) or match.group(3)
        end = (match.group(2) or match.group(4))[-2:]
        if int(end) == (int(start) + 1) % 100:
            return f"{start}{end}"
    raise UserError(
        f"{text!r} is not an academic year.",
        hint="Write it like 2018/19.",
        example=example,
        field="year",
    )


def parse_phase(text: str, *, example: str) -> str:
    key = text.strip().lower().removeprefix("state-funded ").strip()
    if key in PHASE_WORDS:
        return PHASE_WORDS[key]
    raise UserError(
        f"{text!r} is not a phase.",
        hint="Phases: " + ", ".join(PHASE_NAMES) + ".",
        example=example,
        field="phase",
    )


def split_query(
    args: Args, *, example: str
) -> tuple[list[tuple[str, bool]], str | None, str | None]:
    """Pick the phase and year out of the words, in any order; the rest name areas."""
    phase = parse_phase(args.options["phase"], example=example) if "phase" in args.options else None
    year = parse_year(args.options["year"], example=example) if "year" in args.options else None
    rest: list[tuple[str, bool]] = []
    for word, quoted in zip(args.words, args.quoted, strict=True):
        if not quoted and word.lower() in PHASE_WORDS and phase is None:
            phase = PHASE_WORDS[word.lower()]
        elif not quoted and re.match(r"^\d{4}", word):
            if year is not None:
                raise UserError("Give one academic year.", example=example, field="year")
            year = parse_year(word, example=example)
        else:
            rest.append((word, quoted))
    return rest, phase, year


@commands.command(
    "attendance",
    summary="An area's absence and persistent absence, with England, region and core-city rank",
    usage="attendance <area> [phase] [year]",
    examples=[EXAMPLE, "attendance Bristol", "attendance England primary"],
    options=["phase", "year"],
)
async def attendance(req: Request, svc: Services) -> Reply:
    rest, phase, year = split_query(req.args, example=EXAMPLE)
    name = " ".join(w for w, _ in rest) or home_area(svc.settings)
    fx, asked, period = await load(
        svc.session, svc.settings, names=[name], phase=phase, period=year, example=EXAMPLE
    )
    return area_reply(fx, asked[0], period, svc.settings)


@commands.command(
    "attendance compare",
    summary="Two areas side by side, with England and a trend chart",
    usage="attendance compare <area> <area> [phase] [year]",
    examples=[COMPARE_EXAMPLE, 'attendance compare "Newcastle upon Tyne" Leeds secondary 2018/19'],
    options=["phase", "year"],
)
async def compare(req: Request, svc: Services) -> Reply:
    rest, phase, year = split_query(req.args, example=COMPARE_EXAMPLE)
    names = await _two_areas(svc.session, rest)
    fx, asked, period = await load(
        svc.session, svc.settings, names=names, phase=phase, period=year, example=COMPARE_EXAMPLE
    )
    return compare_reply(fx, asked[0], asked[1], period, svc.settings)


async def _two_areas(session: AsyncSession, rest: list[tuple[str, bool]]) -> list[str]:
    """Quoted names stand alone; otherwise the first split where both halves name an area."""
    if len(rest) == 2 or any(q for _, q in rest):
        groups: list[list[str]] = []
        run: list[str] = []
        for word, quoted in rest:
            if quoted:
                groups += [run] if run else []
                groups.append([word])
                run = []
            else:
                run.append(word)
        groups += [run] if run else []
        if len(groups) == 2:
            return [" ".join(g) for g in groups]
    words = [w for w, _ in rest]
    if len(words) >= 2:
        known, _ = await repo.catalogue(session)
        for cut in range(1, len(words)):
            first, second = " ".join(words[:cut]), " ".join(words[cut:])
            try:
                repo.resolve_area(first, known, example=COMPARE_EXAMPLE)
                repo.resolve_area(second, known, example=COMPARE_EXAMPLE)
            except UserError:
                continue
            return [first, second]
        return [words[0], " ".join(words[1:])]  # let resolution say which one is unknown
    raise UserError(
        "Name two areas to compare.",
        hint='Put quotes round a name with spaces: "Newcastle upon Tyne".',
        example=COMPARE_EXAMPLE,
    )


@commands.command(
    "attendance core-cities",
    summary="The core cities ranked by persistent absence, with a bar chart",
    usage="attendance core-cities [phase] [year]",
    examples=[CORE_EXAMPLE, "attendance core-cities secondary 2017/18"],
    options=["phase", "year"],
)
async def core_cities(req: Request, svc: Services) -> Reply:
    rest, phase, year = split_query(req.args, example=CORE_EXAMPLE)
    if rest:
        raise UserError(
            f"`attendance core-cities` takes a phase and a year, not {rest[0][0]!r}.",
            hint="The comparator list is the CORE_CITIES setting.",
            example="attendance core-cities secondary 2018/19",
        )
    fx, _, period = await load(
        svc.session, svc.settings, names=[], phase=phase, period=year, example=CORE_EXAMPLE
    )
    if not fx.core:
        raise UserError(
            "None of the core cities in the CORE_CITIES setting are in the imported data.",
            example=CORE_EXAMPLE,
        )
    return core_cities_reply(fx, period, svc.settings)


async def demo_setup(session: AsyncSession, now: datetime) -> str:
    """Import the shipped DfE excerpt so the demo answers attendance questions at once."""
    path = resources.files("bot").joinpath(SHIPPED)
    with resources.as_file(path) as real:
        report = await repo.import_file(
            session, real, source=SHIPPED_SOURCE, now=now, progress=None
        )
    return str(report)
