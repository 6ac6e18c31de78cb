"""Benchmark (not a test): `actions` sent to the bot in Teams, through the whole Teams door at
`/api/messages`, vs a bare Agents SDK app answering the same message, in the same run.

Each server runs in its own process (anonymous mode) with a fake Bot Framework connector as the
activities' serviceUrl, so every reply (an Adaptive Card) really goes over HTTP before the 202;
this process keeps `--connections` requests in flight for `--seconds`. Ends with the line:

    commands: teams <rps> req/s p99 <ms> ms, bare agents sdk <rps> req/s, ratio <r>

Run: `.venv/bin/python bench/teams_commands.py [--seconds 5] [--connections 20]
[--database sqlite|postgresql]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BOT = {"id": "28:bench-bot", "name": "Partnership"}


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    replies: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def _full_app(db_url: str):  # type: ignore[no-untyped-def]
    from bot.app import build_context, build_web_app
    from bot.demo import load_demo
    from bot.settings import Settings

    settings = Settings(_env_file=None, database_url=db_url)  # type: ignore[call-arg]
    ctx = build_context(settings, senders=[])
    await ctx.db.upgrade()
    await load_demo(ctx.router, now=ctx.clock.now())
    return build_web_app(ctx)


def _bare_app():  # type: ignore[no-untyped-def]
    from aiohttp import web
    from microsoft_agents.hosting.core import TurnContext

    from bot.adapters.teams import build_cloud_adapter
    from bot.settings import Settings

    adapter = build_cloud_adapter(Settings(_env_file=None))  # type: ignore[call-arg]

    class Echo:
        async def on_turn(self, context: TurnContext) -> None:
            if context.activity.type == "message":
                await context.send_activity(f"You asked: {context.activity.text}")

    agent = Echo()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, agent) or web.Response(status=202)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def _serve(kind: str, db_url: str, ports: mp.Queue, stop: mp.Event) -> None:  # type: ignore[type-arg]
    import logging

    logging.disable(logging.WARNING)

    async def main() -> None:
        from aiohttp import web

        from bot.app import settle_heap
        from tests.fakes.teams_connector import FakeTeamsConnector

        fake = FakeTeamsConnector()
        await fake.start()
        fake.add_member(
            "29:jo", aad_object_id="aad-jo", name="Jo Bloggs", email="jo@hillside.sch.uk"
        )
        app = await _full_app(db_url) if kind == "full" else _bare_app()
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        settle_heap()  # as `partnership-bot web` does once it is up (full and bare alike)
        ports.put((site._server.sockets[0].getsockname()[1], fake.url))  # type: ignore[union-attr]
        while not stop.is_set():
            await asyncio.sleep(0.05)
        ports.put(len(fake.posted))
        await runner.cleanup()
        await fake.stop()

    asyncio.run(main())


async def _load(port: int, service_url: str, *, seconds: float, connections: int) -> Result:
    import aiohttp

    url = f"http://127.0.0.1:{port}/api/messages"
    ids = itertools.count(1)
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}

    def activity() -> dict:
        return {
            "type": "message",
            "id": f"m{next(ids)}",
            "channelId": "msteams",
            "serviceUrl": service_url,
            "from": {"id": "29:jo", "name": "Jo Bloggs", "aadObjectId": "aad-jo"},
            "recipient": BOT,
            "conversation": {"id": "a:bench-jo", "conversationType": "personal", "tenantId": "t"},
            "text": "actions",
        }

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            start = time.perf_counter()
            async with session.post(url, json=activity()) as response:
                await response.read()
                ok = response.status == 202
            if ok:
                latencies.append((time.perf_counter() - start) * 1000)
            counts["ok" if ok else "errors"] += 1

        for _ in range(connections):  # warm up: identity link via the roster, pools
            await one()
        latencies.clear()
        counts.update(ok=0, errors=0)
        deadline = time.perf_counter() + seconds
        began = time.perf_counter()

        async def worker() -> None:
            while time.perf_counter() < deadline:
                await one()

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    return Result("", counts["ok"], counts["errors"], elapsed, latencies)


def run(kind: str, *, seconds: float, connections: int, db_url: str) -> Result:
    ctx = mp.get_context("spawn")
    ports: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    stop = ctx.Event()
    proc = ctx.Process(target=_serve, args=(kind, db_url, ports, stop), daemon=True)
    proc.start()
    try:
        port, service_url = ports.get(timeout=120)
        result = asyncio.run(_load(port, service_url, seconds=seconds, connections=connections))
        stop.set()
        result.replies = ports.get(timeout=60)
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()
    result.name = kind
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    from bench.commands import door_database

    with tempfile.TemporaryDirectory() as tmp, door_database(tmp, "teams", args.database) as db_url:
        full = run("full", seconds=args.seconds, connections=args.connections, db_url=db_url)
        bare = run("bare", seconds=args.seconds, connections=args.connections, db_url=db_url)
    for r in (full, bare):
        label = "teams door (full stack)" if r.name == "full" else "bare agents sdk"
        print(
            f"{label}: {r.rps:.0f} req/s, p50 {r.pct(50):.1f} ms, p99 {r.pct(99):.1f} ms, mean "
            f"{statistics.fmean(r.latencies_ms or [0]):.1f} ms; {r.requests} answered, "
            f"{r.errors} errors, {r.replies} replies at the fake connector (incl. warm-up)"
        )
    ratio = full.rps / bare.rps if bare.rps else 0.0
    print(
        f"commands: teams {full.rps:.0f} req/s p99 {full.pct(99):.0f} ms, "
        f"bare agents sdk {bare.rps:.0f} req/s, ratio {ratio:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
