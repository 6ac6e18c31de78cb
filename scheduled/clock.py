"""The clock process: APScheduler runs one tick (planners + dispatcher) every 30 seconds."""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import BotContext
from scheduled.tick import tick

log = logging.getLogger(__name__)


async def run_tick(ctx: BotContext) -> None:
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
    scheduler = start_clock(ctx)
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
