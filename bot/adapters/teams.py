"""Microsoft Teams front door (Agents SDK)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.app import BotContext
    from bot.settings import Settings
    from scheduled.senders import Sender
    from storage.db import Database


def attach(app: web.Application, ctx: BotContext) -> None:
    """Add this door's routes to the shared aiohttp app (not configured yet: nothing)."""


def make_sender(settings: Settings, db: Database) -> Sender | None:
    """The outbox sender for this platform, when configured."""
    return None
