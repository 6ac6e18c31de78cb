"""The context the app builds once per process and hands to every door and to the clock.

It sits below the app and the adapters so that both can name it without importing each other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.router import Router
    from bot.settings import Settings
    from scheduled.dispatcher import Dispatcher
    from storage.db import Database


@dataclass
class BotContext:
    """Settings, the database, the clock and the router; the outbox dispatcher on first use.

    `make_dispatcher` builds the dispatcher and its platform senders. It runs the first time
    `dispatcher` is read, so a process that never sends (`ask`, `demo`, the web chat alone)
    never loads a platform SDK for senders it would not use.
    """

    settings: Settings
    db: Database
    clock: Clock
    router: Router
    make_dispatcher: Callable[[], Dispatcher]
    extras: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def dispatcher(self) -> Dispatcher:
        return self.make_dispatcher()
