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
import itertools
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402  (after the path set-up, as a script)
    Result,
    app_server,
    closed_loop,
    demo_context,
    door_database,
    quiet_server,
    run_server,
    until_stopped,
)

BOT = {"id": "28:bench-bot", "name": "Partnership"}


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


def _serve(kind: str, db_url: str, messages: Any, stop: Any) -> None:
    """The Teams door (whole stack, anonymous) or a bare Agents SDK app, with a fake connector."""

    async def main() -> None:
        from bot.app import build_web_app
        from bot.settings import Settings
        from tests.fakes.teams_connector import FakeTeamsConnector

        fake = FakeTeamsConnector()
        await fake.start()
        fake.add_member(
            "29:jo", aad_object_id="aad-jo", name="Jo Bloggs", email="jo@hillside.sch.uk"
        )
        if kind == "full":
            settings = Settings(_env_file=None, database_url=db_url)  # type: ignore[call-arg]
            app = build_web_app(await demo_context(settings))
        else:
            app = _bare_app()
        async with app_server(app) as port:
            messages.put((port, fake.url))
            await until_stopped(stop)
            messages.put(len(fake.posted))
        await fake.stop()

    quiet_server(main)


async def _load(ready: tuple[int, str], *, seconds: float, connections: int) -> Result:
    import aiohttp

    port, service_url = ready
    url = f"http://127.0.0.1:{port}/api/messages"
    ids = itertools.count(1)

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

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as http:

        async def send() -> bool:
            async with http.post(url, json=activity()) as response:
                await response.read()
                return response.status == 202

        return await closed_loop(send, seconds=seconds, connections=connections)


def run(kind: str, *, seconds: float, connections: int, db_url: str) -> Result:
    """One side of the Teams door's run; `replies` counted at the fake connector."""
    result, posted = run_server(
        _serve,
        kind,
        db_url,
        lambda ready: _load(ready, seconds=seconds, connections=connections),
    )
    result.replies = posted
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
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
