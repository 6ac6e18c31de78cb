"""Asking about areas: `attendance <area>` and `attendance compare <area> <area>`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.attendance_view import area_answer, compare_reply, home_area, load
from bot.dates import to_local
from bot.errors import UserError
from bot.reply import Reply
from bot.services import Request, Services
from handlers.attendance.kernel import COMPARE_EXAMPLE, EXAMPLE, commands, split_query
from storage import attendance as repo
from storage.attendance_areas import resolve_area


@commands.command(
    "attendance",
    summary="An area's overall, persistent and severe absence, with England, region and "
    "core-city rank, and the in-year figures (this year so far)",
    usage="attendance <area> [phase] [year]",
    examples=[EXAMPLE, "attendance Bristol", "attendance England primary"],
    options=["phase", "year"],
)
async def attendance(req: Request, svc: Services) -> Reply:
    rest, phase, year = split_query(req.args, example=EXAMPLE)
    name = " ".join(w for w, _ in rest) or home_area(svc.settings)
    return await area_answer(
        svc.session,
        svc.settings,
        name=name,
        phase=phase,
        period=year,
        example=EXAMPLE,
        today=to_local(req.now, svc.tz).date(),
    )


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
                resolve_area(first, known, example=COMPARE_EXAMPLE)
                resolve_area(second, known, example=COMPARE_EXAMPLE)
            except UserError:
                continue
            return [first, second]
        return [words[0], " ".join(words[1:])]  # let resolution say which one is unknown
    raise UserError(
        "Name two areas to compare.",
        hint='Put quotes round a name with spaces: "Newcastle upon Tyne".',
        example=COMPARE_EXAMPLE,
    )
