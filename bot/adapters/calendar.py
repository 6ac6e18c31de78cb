"""The personal calendar feed `/calendar/<token>.ics` on the web server.

The file itself is written by storage/meeting_calendar.py (shared with the chat commands).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import select

from bot.appkeys import CTX
from storage.directory import Person
from storage.meeting_calendar import personal_feed

if TYPE_CHECKING:
    from bot.context import BotContext


async def feed(request: web.Request) -> web.Response:
    """GET /calendar/<token>.ics: the token is the only credential, so unknown ones get 404."""
    ctx: BotContext = request.app[CTX]
    token = request.match_info["token"]
    async with ctx.db.session() as session:
        person = await session.scalar(select(Person).where(Person.calendar_token == token))
        if person is None or not person.active:
            raise web.HTTPNotFound(text="No such calendar.")
        body = await personal_feed(session, person, now=ctx.clock.now(), tz=ctx.settings.tz)
    return web.Response(
        body=body.encode("utf-8"),
        content_type="text/calendar",
        charset="utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


def attach(app: web.Application, ctx: BotContext) -> None:
    """Add the calendar routes."""
    app.router.add_get("/calendar/{token}.ics", feed)
