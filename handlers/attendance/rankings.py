"""Ranking the comparators: `attendance core-cities`."""

from __future__ import annotations

from bot.attendance_view import core_cities_reply, load
from bot.errors import UserError
from bot.reply import Reply
from bot.services import Request, Services
from handlers.attendance.kernel import CORE_EXAMPLE, commands, split_query


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
