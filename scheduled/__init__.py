"""The clock's work: planners insert due outbox rows; the dispatcher sends them.

Each domain adds a planner here: `async def plan(session, *, now, settings) -> int` that only
inserts outbox rows (idempotent by key) and returns how many it created.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

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
    "platforms",
)


def planners() -> list[tuple[str, Planner]]:
    return [(name, importlib.import_module(f"scheduled.{name}").plan) for name in PLANNER_MODULES]
