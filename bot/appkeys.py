"""Typed keys for the shared aiohttp app (aiohttp warns on plain string keys).

Adapters use these: `app[CTX]` is the BotContext, `app[DOORS]` the list of door names,
`app[BACKGROUND_STARTERS]` async callables the server awaits after it starts (Socket Mode).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.context import BotContext

CTX: web.AppKey[BotContext] = web.AppKey("ctx")  # type: ignore[type-arg]
DOORS: web.AppKey[list[str]] = web.AppKey("doors", list)
BACKGROUND_STARTERS: web.AppKey[list[Callable[[], Awaitable[Any]]]] = web.AppKey(
    "background_starters", list
)
INBOX_POLL_SECONDS: web.AppKey[float] = web.AppKey("inbox_poll_seconds", float)
INBOX_CLOSING: web.AppKey[asyncio.Event] = web.AppKey("inbox_closing", asyncio.Event)
# the web chat's page-token secret (bot.adapters.webguard): random per process
PAGE_SECRET: web.AppKey[bytes] = web.AppKey("page_secret", bytes)
