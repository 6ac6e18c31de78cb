"""The clock process: APScheduler runs one tick (planners + dispatcher) every 30 seconds.

Several clocks may run against one PostgreSQL database (keys and claims keep them apart). On
SIGTERM (a deploy or a restart) a clock stops claiming and lets the batch in hand finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.settings import Settings
from scheduled.dispatcher import Dispatcher
from scheduled.tick import tick
from storage.db import Database

log = logging.getLogger(__name__)
GRACE_SECONDS = 20.0  # Heroku-style hosts kill 30 s after SIGTERM


class BotContext(Protocol):
    """What the clock needs from the app's context (`bot.context.BotContext` is one); named
    here so the clock does not import the app above it."""

    settings: Settings
    db: Database
    clock: Clock
    extras: dict[str, Any]

    @property
    def dispatcher(self) -> Dispatcher: ...


def _tick_lock(ctx: BotContext) -> asyncio.Lock:
    return ctx.extras.setdefault("tick_lock", asyncio.Lock())


async def run_tick(ctx: BotContext) -> None:
    async with _tick_lock(ctx):
        if ctx.dispatcher.stopping:
            return
        try:
            result = await tick(
                ctx.db,
                ctx.settings,
                now=ctx.clock.now(),
                dispatcher=ctx.dispatcher,
                clock=ctx.clock.now,
            )
            sent = sum(1 for r in result.handled if r.state == "sent")
            if result.handled:
                log.info("tick: %d handled, %d sent", len(result.handled), sent)
        except Exception:
            log.exception("tick failed")


def start_clock(ctx: BotContext, *, interval: float | None = None) -> AsyncIOScheduler:
    """Start the scheduler on the running loop; one tick at a time, missed ticks coalesced."""
    # a pass longer than the interval is normal with a big queue: not worth a warning a tick
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        run_tick,
        "interval",
        seconds=interval or ctx.settings.clock_interval_seconds,
        args=[ctx],
        id="tick",
        max_instances=1,
        coalesce=True,
        next_run_time=ctx.clock.now(),
    )
    scheduler.start()
    return scheduler


async def run_forever(ctx: BotContext) -> None:
    """Tick until SIGTERM or SIGINT, then finish the batch in hand (its rows stay claimed
    only if that takes longer than the grace period; another clock reclaims them)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    scheduler = start_clock(ctx)
    try:
        await stop.wait()
    finally:
        ctx.dispatcher.stopping = True
        scheduler.shutdown(wait=False)
        try:
            async with asyncio.timeout(GRACE_SECONDS), _tick_lock(ctx):
                log.info("clock stopped")
        except TimeoutError:
            log.warning("clock stopped with a batch still in hand; its lease will expire")
        await ctx.db.dispose()
