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
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402  (after the path set-up, as a script)
    Result,
    app_server,
    closed_loop,
    demo_context,
    door_database,
    load_average,
    quiet_server,
    run_server,
    until_stopped,
)

SECRET = "bench-signing-secret"
USER, EMAIL = "UJO", "jo@hillside.sch.uk"


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


def _serve(kind: str, db_url: str, messages: Any, stop: Any) -> None:
    """The Slack door (whole stack) or a bare Bolt app, with a fake Slack Web API."""

    async def main() -> None:
        from bot.app import build_web_app
        from bot.settings import Settings
        from tests.fakes.slack_api import FakeSlackAPI

        fake = await FakeSlackAPI().start()
        fake.add_user(USER, EMAIL)
        if kind == "full":
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                database_url=db_url,
                slack_bot_token="xoxb-bench",
                slack_signing_secret=SECRET,
                slack_api_url=fake.api_url,
            )
            app = build_web_app(await demo_context(settings))
        else:
            app = _bare_app(fake.api_url)
        async with app_server(app) as port:
            messages.put((port, fake.port))
            await until_stopped(stop)
            seen, last_change = len(fake.responses), time.time()
            while time.time() - last_change < 1.0:  # the backlog after the last ack drains
                await asyncio.sleep(0.05)
                if len(fake.responses) != seen:
                    seen, last_change = len(fake.responses), time.time()
            messages.put((seen, last_change))
        await fake.stop()

    quiet_server(main)


async def _load(ready: tuple[int, int], *, seconds: float, connections: int) -> Result:
    import aiohttp

    from tests.fakes.slack_api import signed_headers

    port, fake_port = ready
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
    sent = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as http:

        async def send() -> bool:
            nonlocal sent
            sent += 1
            # each slash command has its own trigger_id, as Slack sends it: the door refuses a
            # signature it has seen before (a replay), which an identical body would be
            body = urlencode({**form, "trigger_id": f"t{sent}"})
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            headers.update(signed_headers(SECRET, body))
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                return response.status == 200

        return await closed_loop(send, seconds=seconds, connections=connections)


def run(kind: str, *, seconds: float, connections: int, db_url: str) -> Result:
    """One side of the Slack door's run; `replies` and `replies_done` from the fake Slack API."""
    result, final = run_server(
        _serve,
        kind,
        db_url,
        lambda ready: _load(ready, seconds=seconds, connections=connections),
    )
    result.replies, result.replies_done = final
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


def _web_serve(kind: str, db_url: str, messages: Any, stop: Any) -> None:
    """The web chat door (whole stack) or a bare aiohttp handler, in its own process."""

    async def main() -> None:
        from aiohttp import web

        from bot.app import build_web_app
        from bot.settings import Settings
        from storage.directory import person_by_email

        if kind == "full":
            ctx = await demo_context(Settings(_env_file=None, database_url=db_url))  # type: ignore[call-arg]
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
        async with app_server(app) as port:
            messages.put((port, person_id))
            await until_stopped(stop)
            messages.put(None)

    quiet_server(main)


async def _web_load(ready: tuple[int, int], *, seconds: float, connections: int) -> Result:
    import aiohttp

    port, person_id = ready
    url = f"http://127.0.0.1:{port}/api/web/command"
    body = {"person_id": person_id, "text": "actions"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as http:
        # as a browser does: load the page first for the page token every API call must carry
        # (bot/adapters/webguard.py); the bare handler ignores it
        async with http.get(f"http://127.0.0.1:{port}/") as page:
            found = re.search(r'<meta name="page-token" content="([^"]+)">', await page.text())
        headers = {"X-Page-Token": found[1]} if found else {}

        async def send() -> bool:
            async with http.post(url, json=body, headers=headers) as response:
                answer = await response.json()
                return response.status == 200 and not answer.get("error")

        return await closed_loop(send, seconds=seconds, connections=connections)


def run_web(kind: str, *, seconds: float, connections: int, db_url: str) -> Result:
    result, _ = run_server(
        _web_serve,
        kind,
        db_url,
        lambda ready: _web_load(ready, seconds=seconds, connections=connections),
    )
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--doors", default="slack,teams,web", help="comma-separated")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    # everything shares this machine's CPUs: a busy machine lowers every figure, so say how busy
    print(f"database: {args.database}; load average before: {load_average()}")
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for door in args.doors.split(","):
            with door_database(tmp, door.strip(), args.database) as db_url:
                lines.append(DOORS[door.strip()](db_url, args.seconds, args.connections))
    print(f"load average after: {load_average()}")
    for line in lines:  # the machine-readable lines, together at the end
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
