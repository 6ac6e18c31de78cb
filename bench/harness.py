"""What the door benchmarks share: a database per run, a server in its own process, a closed-loop
load generator and its figures. Used by `bench/commands.py` and `bench/teams_commands.py`.

A benchmark supplies two halves: `serve(kind, db_url, messages, stop)`, run in a spawned process,
which starts its server (with `app_server`), puts one ready message (what the load needs: ports,
URLs), waits for `stop`, then puts one final message (what the server saw, or None); and
`load(ready) -> Result`, run here, which keeps requests in flight with `closed_loop`.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from aiohttp import web

    from bot.context import BotContext
    from bot.settings import Settings

PG_SERVER = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
READY_TIMEOUT = 120.0  # seconds for a server process to import, migrate and load the demo
FINAL_TIMEOUT = 300.0  # seconds for it to report once stopped (a Slack backlog drains first)


@dataclass
class Result:
    """One side of one door's run. `requests` and `errors` count answers to the load (acks for
    Slack), `seconds` is how long the load ran, `latencies_ms` one entry per good answer."""

    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    replies: int = 0  # what the fake platform received (incl. warm-up), when it counts them
    began: float = 0.0  # wall clock when the load began
    replies_done: float = 0.0  # wall clock of the last reply, when replies trail the answers

    @property
    def ack_rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def rps(self) -> float:
        """Commands completed per second: the answers, but only as fast as replies kept up."""
        span = max(self.seconds, self.replies_done - self.began)
        return min(self.ack_rps, self.requests / span) if span > 0 else 0.0

    def pct(self, p: float) -> float:
        """The p-th percentile latency in ms (0 when nothing was answered)."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def closed_loop(
    send: Callable[[], Awaitable[bool]], *, seconds: float, connections: int
) -> Result:
    """`connections` workers each send, wait for the answer and send again, for `seconds`.

    `send` makes one request and says whether its answer was good. One warm-up request per
    connection first (identity lookups, pools, caches), not counted.
    """
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}

    async def one() -> None:
        start = time.perf_counter()
        ok = await send()
        if ok:
            latencies.append((time.perf_counter() - start) * 1000)
        counts["ok" if ok else "errors"] += 1

    for _ in range(connections):
        await one()
    latencies.clear()
    counts.update(ok=0, errors=0)
    began_wall = time.time()
    began = time.perf_counter()
    deadline = began + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            await one()

    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - began
    return Result("", counts["ok"], counts["errors"], elapsed, latencies, began=began_wall)


Serve = Callable[[str, str, Any, Any], None]


def run_server(
    serve: Serve, kind: str, db_url: str, load: Callable[[Any], Awaitable[Result]]
) -> tuple[Result, Any]:
    """Start `serve(kind, db_url, messages, stop)` in a spawned process, run `load(ready)` here
    against it, stop it; returns the load's Result (named `kind`) and the server's final
    message."""
    ctx = mp.get_context("spawn")
    messages = ctx.Queue()
    stop = ctx.Event()
    proc = ctx.Process(target=serve, args=(kind, db_url, messages, stop), daemon=True)
    proc.start()
    try:
        ready = messages.get(timeout=READY_TIMEOUT)
        result = asyncio.run(load(ready))
        stop.set()
        final = messages.get(timeout=FINAL_TIMEOUT)
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()
    result.name = kind
    return result, final


def quiet_server(main: Callable[[], Awaitable[None]]) -> None:
    """Run a server process's `main` with warnings and info off (log lines cost CPU too)."""
    import logging

    logging.disable(logging.WARNING)
    asyncio.run(main())


@asynccontextmanager
async def app_server(app: web.Application) -> AsyncIterator[int]:
    """Serve `app` on a free port of 127.0.0.1 and yield the port. Calls `settle_heap()` once
    up, as `partnership-bot web` does (for the bot and the bare apps alike)."""
    from aiohttp import web

    from bot.app import settle_heap

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    settle_heap()
    try:
        yield site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    finally:
        await runner.cleanup()


async def until_stopped(stop: Any) -> None:
    """Wait for the multiprocessing Event the benchmark sets when the load is over."""
    while not stop.is_set():
        await asyncio.sleep(0.05)


async def demo_context(settings: Settings) -> BotContext:
    """The bot as `partnership-bot web` builds it, migrated, with the demo partnership loaded
    (no outbox senders: nothing is sent)."""
    from bot.app import build_context
    from bot.demo import load_demo

    ctx = build_context(settings, senders=[])
    await ctx.db.upgrade()
    await load_demo(ctx.router, now=ctx.clock.now())
    return ctx


async def _pg_admin(sql: str) -> None:
    import asyncpg

    from storage.db import async_url

    url = async_url(PG_SERVER).replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def door_database(tmp: str, door: str, database: str) -> Iterator[str]:
    """A fresh database for one door's run: a SQLite file in `tmp`, or a PostgreSQL database
    (on TEST_DATABASE_URL's server) dropped afterwards. Yields its URL."""
    if database == "sqlite":
        yield f"sqlite:///{tmp}/{door}.db"
        return
    name = f"bench_commands_{door}_{os.getpid()}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def load_average() -> str:
    """The 1, 5 and 15 minute load averages and the CPU count: every figure shares the CPUs."""
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"
    except OSError:
        return "unknown"
