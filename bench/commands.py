"""Benchmark (not a test): `actions` through each whole front door vs a bare app answering the
same request, in the same run, under the same load, on this machine.

- Slack: signed `/partnership actions` at `/slack/events` vs a bare Bolt app. Each server runs
  in its own process with a fake Slack Web API (replies through `response_url` really happen).
- Teams: `actions` at `/api/messages` vs a bare Agents SDK app (`bench/teams_commands.py`).
- Web chat: `actions` at `/api/web/command` vs a bare aiohttp handler.

This process keeps `--connections` requests in flight for `--seconds` and prints requests/s,
p50 and p99 and the ratio, ending with one line per door:

    commands: slack <rps> req/s p99 <ms> ms, bare bolt <rps> req/s, ratio <r>
    commands: teams <rps> req/s p99 <ms> ms, bare agents sdk <rps> req/s, ratio <r>
    commands: web <rps> req/s p99 <ms> ms, bare aiohttp <rps> req/s, ratio <r>

Run: `.venv/bin/python bench/commands.py [--seconds 5] [--connections 20] [--doors slack,web]
[--database sqlite|postgresql]` (PostgreSQL from TEST_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/; a database per door is created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "bench-signing-secret"
USER, EMAIL = "UJO", "jo@hillside.sch.uk"
PG_SERVER = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


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
    """A fresh database for one door's run: a SQLite file, or a PostgreSQL database dropped
    afterwards."""
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


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    replies: int = 0
    began: float = 0.0  # wall clock
    replies_done: float = 0.0  # wall clock of the last reply

    @property
    def ack_rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def rps(self) -> float:
        """Commands completed per second: the acks, but only as fast as replies kept up."""
        span = max(self.seconds, self.replies_done - self.began)
        return min(self.ack_rps, self.requests / span) if span > 0 else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def _full_app(fake_url: str, db_url: str):  # type: ignore[no-untyped-def]
    from bot.app import build_context, build_web_app
    from bot.demo import load_demo
    from bot.settings import Settings

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=db_url,
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,
        slack_api_url=fake_url,
    )
    ctx = build_context(settings, senders=[])
    await ctx.db.upgrade()
    await load_demo(ctx.router, now=ctx.clock.now())
    return build_web_app(ctx)


def _bare_app(fake_url: str):  # type: ignore[no-untyped-def]
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        name="bare",
        client=AsyncWebClient(token="xoxb-bench", base_url=fake_url),
        signing_secret=SECRET,
    )

    @bolt.command("/partnership")
    async def answer(ack, respond, command):  # type: ignore[no-untyped-def]
        await ack()
        await respond(response_type="ephemeral", text=f"You asked: {command['text']}")

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


def _serve(kind: str, db_url: str, ports: mp.Queue, stop: mp.Event) -> None:  # type: ignore[type-arg]
    import logging

    logging.disable(logging.WARNING)

    async def main() -> None:
        from aiohttp import web

        from bot.app import settle_heap
        from tests.fakes.slack_api import FakeSlackAPI

        fake = await FakeSlackAPI().start()
        fake.add_user(USER, EMAIL)
        app = await _full_app(fake.api_url, db_url) if kind == "full" else _bare_app(fake.api_url)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        settle_heap()  # as `partnership-bot web` does once it is up (full and bare alike)
        ports.put((site._server.sockets[0].getsockname()[1], fake.port))  # type: ignore[union-attr]
        while not stop.is_set():
            await asyncio.sleep(0.05)
        seen, last_change = len(fake.responses), time.time()
        while time.time() - last_change < 1.0:  # the backlog after the last ack drains
            await asyncio.sleep(0.05)
            if len(fake.responses) != seen:
                seen, last_change = len(fake.responses), time.time()
        ports.put((seen, last_change))
        await runner.cleanup()
        await fake.stop()

    asyncio.run(main())


async def _load(port: int, fake_port: int, *, seconds: float, connections: int) -> Result:
    import aiohttp

    from tests.fakes.slack_api import signed_headers

    url = f"http://127.0.0.1:{port}/slack/events"
    form = {
        "team_id": "T1",
        "channel_id": "C1",
        "user_id": USER,
        "command": "/partnership",
        "text": "actions",
        "response_url": f"http://127.0.0.1:{fake_port}/respond/bench",
        "trigger_id": "t",
    }
    body = urlencode(form)
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            headers.update(signed_headers(SECRET, body))
            start = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                ok = response.status == 200
            if ok:
                latencies.append((time.perf_counter() - start) * 1000)
            counts["ok" if ok else "errors"] += 1

        for _ in range(connections):  # warm up: identity lookup, Bolt's auth.test, pools
            await one()
        latencies.clear()
        counts.update(ok=0, errors=0)
        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        began_wall = time.time()

        async def worker() -> None:
            while time.perf_counter() < deadline:
                await one()

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    return Result("", counts["ok"], counts["errors"], elapsed, latencies, began=began_wall)


def run(kind: str, *, seconds: float, connections: int, db_url: str) -> Result:
    ctx = mp.get_context("spawn")
    ports: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    stop = ctx.Event()
    proc = ctx.Process(target=_serve, args=(kind, db_url, ports, stop), daemon=True)
    proc.start()
    try:
        port, fake_port = ports.get(timeout=120)
        result = asyncio.run(_load(port, fake_port, seconds=seconds, connections=connections))
        stop.set()
        result.replies, result.replies_done = ports.get(timeout=300)
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()
    result.name = kind
    return result


async def _router_only(db_url: str, *, seconds: float, connections: int) -> float:
    """The same command straight through the router (no HTTP, no Slack): the ceiling."""
    import logging

    from bot.app import build_context
    from bot.settings import Settings
    from storage.directory import person_by_email

    logging.disable(logging.WARNING)
    ctx = build_context(Settings(_env_file=None, database_url=db_url), senders=[])  # type: ignore[call-arg]
    async with ctx.db.session() as session:
        jo = await person_by_email(session, EMAIL)
    assert jo is not None
    done = 0
    deadline = time.perf_counter() + seconds
    began = time.perf_counter()

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await ctx.router.handle("actions", actor_id=jo.id, door="slack")
            done += 1

    await asyncio.gather(*(worker() for _ in range(min(connections, 8))))
    elapsed = time.perf_counter() - began
    await ctx.db.dispose()
    return done / elapsed


def _web_serve(kind: str, db_url: str, ports: mp.Queue, stop: mp.Event) -> None:  # type: ignore[type-arg]
    """The web chat door (whole stack) or a bare aiohttp handler, in its own process."""
    import logging

    logging.disable(logging.WARNING)

    async def main() -> None:
        from aiohttp import web

        from bot.app import build_context, build_web_app, settle_heap
        from bot.demo import load_demo
        from bot.settings import Settings
        from storage.directory import person_by_email

        if kind == "full":
            ctx = build_context(Settings(_env_file=None, database_url=db_url), senders=[])  # type: ignore[call-arg]
            await ctx.db.upgrade()
            await load_demo(ctx.router, now=ctx.clock.now())
            async with ctx.db.session() as session:
                jo = await person_by_email(session, EMAIL)
            person_id = jo.id if jo else 0
            app = build_web_app(ctx)
        else:

            async def answer(request: web.Request) -> web.Response:
                body = await request.json()
                return web.json_response({"text": f"You asked: {body['text']}", "error": False})

            person_id = 1
            app = web.Application()
            app.router.add_post("/api/web/command", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        settle_heap()  # as `partnership-bot web` does once it is up (full and bare alike)
        ports.put((site._server.sockets[0].getsockname()[1], person_id))  # type: ignore[union-attr]
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await runner.cleanup()

    asyncio.run(main())


async def _web_load(port: int, person_id: int, *, seconds: float, connections: int) -> Result:
    import aiohttp

    url = f"http://127.0.0.1:{port}/api/web/command"
    body = {"person_id": person_id, "text": "actions"}
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as http:

        async def one() -> None:
            start = time.perf_counter()
            async with http.post(url, json=body) as response:
                answer = await response.json()
                ok = response.status == 200 and not answer.get("error")
            if ok:
                latencies.append((time.perf_counter() - start) * 1000)
            counts["ok" if ok else "errors"] += 1

        for _ in range(connections):  # warm up: pools, caches
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


def run_web(kind: str, *, seconds: float, connections: int, db_url: str) -> Result:
    ctx = mp.get_context("spawn")
    ports: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    stop = ctx.Event()
    proc = ctx.Process(target=_web_serve, args=(kind, db_url, ports, stop), daemon=True)
    proc.start()
    try:
        port, person_id = ports.get(timeout=120)
        result = asyncio.run(_web_load(port, person_id, seconds=seconds, connections=connections))
        stop.set()
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()
    result.name = kind
    return result


def _slack(db_url: str, seconds: float, connections: int) -> str:
    full = run("full", seconds=seconds, connections=connections, db_url=db_url)
    bare = run("bare", seconds=seconds, connections=connections, db_url=db_url)
    ceiling = asyncio.run(_router_only(db_url, seconds=seconds, connections=connections))
    print(f"router alone (`actions`, no HTTP): {ceiling:.0f} commands/s")
    for r in (full, bare):
        label = "slack door (full stack)" if r.name == "full" else "bare bolt"
        print(
            f"{label}: {r.rps:.0f} commands/s ({r.ack_rps:.0f} acks/s), ack p50 "
            f"{r.pct(50):.1f} ms, p99 {r.pct(99):.1f} ms, mean "
            f"{statistics.fmean(r.latencies_ms or [0]):.1f} ms; {r.requests} acks, {r.errors} "
            f"errors, {r.replies} replies via response_url (incl. warm-up), last "
            f"{max(0.0, r.replies_done - r.began - r.seconds):.1f} s after the load stopped"
        )
    ratio = full.rps / bare.rps if bare.rps else 0.0
    return (
        f"commands: slack {full.rps:.0f} req/s p99 {full.pct(99):.0f} ms, "
        f"bare bolt {bare.rps:.0f} req/s, ratio {ratio:.2f}"
    )


def _teams(db_url: str, seconds: float, connections: int) -> str:
    from bench import teams_commands

    full = teams_commands.run("full", seconds=seconds, connections=connections, db_url=db_url)
    bare = teams_commands.run("bare", seconds=seconds, connections=connections, db_url=db_url)
    for r in (full, bare):
        label = "teams door (full stack)" if r.name == "full" else "bare agents sdk"
        print(
            f"{label}: {r.rps:.0f} req/s, p50 {r.pct(50):.1f} ms, p99 {r.pct(99):.1f} ms; "
            f"{r.requests} answered, {r.errors} errors, {r.replies} replies at the fake "
            "connector (incl. warm-up)"
        )
    ratio = full.rps / bare.rps if bare.rps else 0.0
    return (
        f"commands: teams {full.rps:.0f} req/s p99 {full.pct(99):.0f} ms, "
        f"bare agents sdk {bare.rps:.0f} req/s, ratio {ratio:.2f}"
    )


def _web(db_url: str, seconds: float, connections: int) -> str:
    full = run_web("full", seconds=seconds, connections=connections, db_url=db_url)
    bare = run_web("bare", seconds=seconds, connections=connections, db_url=db_url)
    for r in (full, bare):
        label = "web chat (full stack)" if r.name == "full" else "bare aiohttp"
        print(
            f"{label}: {r.rps:.0f} req/s, p50 {r.pct(50):.1f} ms, p99 {r.pct(99):.1f} ms; "
            f"{r.requests} answered, {r.errors} errors"
        )
    ratio = full.rps / bare.rps if bare.rps else 0.0
    return (
        f"commands: web {full.rps:.0f} req/s p99 {full.pct(99):.0f} ms, "
        f"bare aiohttp {bare.rps:.0f} req/s, ratio {ratio:.2f}"
    )


DOORS = {"slack": _slack, "teams": _teams, "web": _web}


def _load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--doors", default="slack,teams,web", help="comma-separated")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    # everything shares this machine's CPUs: a busy machine lowers every figure, so say how busy
    print(f"database: {args.database}; load average before: {_load_average()}")
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for door in args.doors.split(","):
            with door_database(tmp, door.strip(), args.database) as db_url:
                lines.append(DOORS[door.strip()](db_url, args.seconds, args.connections))
    print(f"load average after: {_load_average()}")
    for line in lines:  # the machine-readable lines, together at the end
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
