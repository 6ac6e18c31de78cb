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


def _running(ctx: BotContext) -> set[asyncio.Task[Any]]:
    """The tick tasks in flight, so stopping can wait for them instead of cancelling them."""
    return ctx.extras.setdefault("ticks", set())


async def run_tick(ctx: BotContext) -> None:
    task = asyncio.current_task()
    if task is not None:
        _running(ctx).add(task)
    try:
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
    finally:
        if task is not None:
            _running(ctx).discard(task)


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


def stop_signal() -> asyncio.Event:
    """An event set on SIGTERM (a deploy or a restart) or SIGINT (Ctrl-C). Call it first
    thing, so a signal during start-up also ends the process cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def stop_clock(
    ctx: BotContext, scheduler: AsyncIOScheduler, *, grace: float = GRACE_SECONDS
) -> None:
    """Claim nothing more, let the tick in hand finish its batch, then stop the scheduler.

    The scheduler's own shutdown cancels a running job (a CancelledError traceback in the log
    and a batch cut short), so it is paused first and stopped only when no tick runs. A tick
    still running after `grace` seconds is left to its lease: another clock reclaims its rows.
    """
    ctx.dispatcher.stopping = True
    scheduler.pause()
    await asyncio.sleep(0)  # a tick the scheduler has just started registers itself
    running = set(_running(ctx))
    if running:
        _, late = await asyncio.wait(running, timeout=grace)
        if late:
            log.warning("clock stopped with a batch still in hand; its lease will expire")
    scheduler.shutdown(wait=False)
    log.info("clock stopped")


async def run_forever(ctx: BotContext, *, stop: asyncio.Event | None = None) -> None:
    """Tick until SIGTERM or SIGINT (or `stop`), then finish the batch in hand and close the
    database."""
    stop = stop or stop_signal()
    scheduler = start_clock(ctx)
    try:
        await stop.wait()
    finally:
        await stop_clock(ctx, scheduler)
        await ctx.db.dispose()
