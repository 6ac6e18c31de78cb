"""The clock's work: planners insert due outbox rows; the dispatcher sends them.

Each domain adds a planner here: `async def plan(session, *, now, settings) -> int` that only
inserts outbox rows (idempotent by key) and returns how many it created.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings

Planner = Callable[..., Awaitable[int]]

# module names under scheduled/ whose `plan` function runs on every tick, in this order
PLANNER_MODULES = (
    "meetings",
    "actions",
    "opportunities",
    "support",
    "attendance",
    "consultations",
    "schedules",
    "retention",
)


def planners() -> list[tuple[str, Planner]]:
    found = []
    for name in PLANNER_MODULES:
        try:
            module = importlib.import_module(f"scheduled.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"scheduled.{name}":
                continue
            raise
        plan = getattr(module, "plan", None)
        if plan is not None:
            found.append((name, plan))
    return found


__all__ = ["AsyncSession", "Planner", "Settings", "planners"]
