"""One scheduler pass: every planner, then the dispatcher. `tick --now` and the clock share it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.settings import Settings
from scheduled import planners
from scheduled.dispatcher import Dispatcher
from storage.db import Database
from storage.outbox import OutboxMessage
from storage.system import HEARTBEAT, set_state

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    planned: dict[str, int] = field(default_factory=dict)
    handled: list[OutboxMessage] = field(default_factory=list)


async def plan_all(db: Database, settings: Settings, *, now: datetime) -> dict[str, int]:
    """Run each planner in its own transaction so one failing planner does not block others."""
    planned: dict[str, int] = {}
    for name, plan in planners():
        try:
            async with db.session() as session:
                planned[name] = await plan(session, now=now, settings=settings)
        except Exception:
            log.exception("planner %s failed", name)
            planned[name] = -1
    await heartbeat(db, now=now)
    return planned


async def heartbeat(db: Database, *, now: datetime) -> None:
    """Record that a clock ran (shown by /healthz)."""
    async with db.session() as session:
        await set_state(session, HEARTBEAT, now.isoformat(), at=now)


async def tick(
    db: Database,
    settings: Settings,
    *,
    now: datetime,
    dispatcher: Dispatcher | None = None,
    clock: Callable[[], datetime] | None = None,
) -> TickResult:
    """Plan at `now`, then dispatch batch after batch. With `clock` (the clock process), each
    batch is claimed at the time it starts, so a long pass never hands out stale leases."""
    result = TickResult()
    result.planned = await plan_all(db, settings, now=now)
    dispatcher = dispatcher or Dispatcher(
        db,
        send_timeout=settings.send_timeout_seconds,
        max_attempts=settings.outbox_max_attempts,
    )
    # retried rows move their due time past `now`, so this loop ends
    while handled := await dispatcher.run_once(now=clock() if clock else now):
        result.handled.extend(handled)
    return result
