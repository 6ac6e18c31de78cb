"""Charts by URL for Teams: stored once by their digest and served at `PUBLIC_URL/images/...`.

With `PUBLIC_URL` set, a Teams card carries a short link to the chart instead of the picture
itself, so an attendance reply stays far under Teams' message size limit whatever the chart.
Without it the card carries the chart inline (a 32-colour PNG, bot/charts.py) or, when even that
is too big, describes it and points to the web chat's copy (bot/render/adaptivecards.py).
Charts are kept in the same table as Slack's image blocks (`storage.platforms`), for the same
time, and served only to whoever has the digest (unguessable without the picture).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from bot.appkeys import CTX
from bot.reply import Image, Reply
from bot.settings import Settings
from storage import platforms

if TYPE_CHECKING:
    from aiohttp import web
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.context import BotContext

ROUTE = "/images/{digest}.png"
_DIGEST = re.compile(r"[0-9a-f]{64}")


def wants_links(settings: Settings, reply: Reply) -> bool:
    """Whether `reply` has a chart to link to: PUBLIC_URL is set and a picture is inline."""
    return bool(settings.public_url) and any(
        isinstance(e, Image) and e.data and not e.url for e in reply.elements
    )


async def link_images(
    session: AsyncSession, reply: Reply, *, settings: Settings, now: datetime
) -> None:
    """Store each inline chart of `reply` and point its `url` at PUBLIC_URL (the picture's data
    stays for the alt text and for doors that show it inline). Does nothing without PUBLIC_URL."""
    if not wants_links(settings, reply):
        return
    base = (settings.public_url or "").rstrip("/")
    for image in reply.elements:
        if isinstance(image, Image) and image.data and not image.url:
            digest = await platforms.store_image(session, data=image.data, now=now)
            image.url = base + ROUTE.format(digest=digest)


async def serve_image(request: web.Request) -> web.Response:
    """`GET /images/<digest>.png`: a stored chart, or 404."""
    from aiohttp import web

    digest = request.match_info["digest"]
    if not _DIGEST.fullmatch(digest):
        raise web.HTTPNotFound()
    async with request.app[CTX].db.session() as session:
        data = await platforms.image_by_digest(session, digest)
    if data is None:
        raise web.HTTPNotFound()
    return web.Response(body=data, content_type="image/png")


def attach(app: web.Application, ctx: BotContext) -> None:
    """Serve stored charts when the bot has a public address to link them from."""
    if ctx.settings.public_url:
        app.router.add_get(ROUTE, serve_image)
