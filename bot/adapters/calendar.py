"""Calendar feeds: `/calendar/<token>.ics` (filled in by the meetings work)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.app import BotContext


def attach(app: web.Application, ctx: BotContext) -> None:
    """Add the calendar routes."""
