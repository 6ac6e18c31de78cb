"""Benchmark (not a test): 10,000 outbox messages to the fake Slack Web API on PostgreSQL, sent
by two `partnership-bot clock` processes (clock + dispatcher each); one is killed with SIGKILL
half-way. Every message goes to its own DM channel, since the Slack sender keeps to one
message a second per channel.

Prints messages per second, duplicates and lost (goals >= 500/s, 0, 0), ending with:

    fanout: <n> delivered, <rate>/s, <d> duplicates, <l> lost

Run: `.venv/bin/python bench/fanout.py [--messages 10000] [--concurrency 16] [--lease 3]`
(PostgreSQL from TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/; a database
is created for the run and dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _admin(sql: str) -> None:
    import asyncpg

    from storage.db import async_url

    url = async_url(SERVER).replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run(messages: int, *, concurrency: int, lease: float) -> int:
    from storage.db import Database, async_url
    from tests.fakes.slack_api import FakeSlackAPI
    from tests.test_delivery_processes import (
        clock_env,
        posted_keys,
        seed_fanout,
        start_clock,
        states,
        stop,
        token_of,
    )

    name = f"bench_fanout_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = async_url(SERVER).rsplit("/", 1)[0] + f"/{name}"
    db = Database(url)
    fake = await FakeSlackAPI().start()
    procs: list[asyncio.subprocess.Process] = []
    try:
        await db.upgrade()
        t0 = time.perf_counter()
        keys = await seed_fanout(db, messages)
        print(f"seeded {len(keys)} people and due messages in {time.perf_counter() - t0:.1f} s")
        loop = asyncio.get_running_loop()
        first_post: list[float] = []

        async def note(call) -> None:  # type: ignore[no-untyped-def]
            if not first_post and call.method == "chat.postMessage":
                first_post.append(loop.time())

        fake.before_answer = note
        for token in ("xoxb-victim", "xoxb-survivor"):
            env = clock_env(url, fake, token=token, lease=lease, concurrency=concurrency)
            procs.append(await start_clock(env))
        victim = procs[0]
        started = loop.time()
        killed_at = None
        while True:
            await asyncio.sleep(0.05)
            posts = len(fake.calls_to("chat.postMessage"))
            if killed_at is None and posts >= messages // 2:
                victim.send_signal(signal.SIGKILL)
                await victim.wait()
                killed_at = loop.time()
                print(f"killed one dispatcher after {posts} posts")
            found = await states(db)
            if found["sent"] + found["failed"] >= messages:
                break
            if loop.time() - started > 300:
                print("gave up after 300 s")
                break
        done = loop.time()
        await stop(*procs)
        posted = posted_keys(fake)
        delivered = len(set(posted) & set(keys))
        duplicates = sum(n - 1 for n in posted.values())
        lost = len(set(keys) - set(posted))
        span = done - (first_post[0] if first_post else started)
        rate = delivered / span if span else 0.0
        by_token: dict[str, int] = {}
        for call in fake.calls_to("chat.postMessage"):
            by_token[token_of(call)] = by_token.get(token_of(call), 0) + 1
        checks = len(fake.calls_to("conversations.history"))
        print(
            f"{delivered} delivered in {span:.1f} s from the first post "
            f"({done - started:.1f} s including process start); posts by process: {by_token}; "
            f"{checks} reclaimed rows checked in Slack's history; states {dict(found)}"
        )
        print(f"fanout: {delivered} delivered, {rate:.0f}/s, {duplicates} duplicates, {lost} lost")
        return 0 if duplicates == 0 and lost == 0 else 1
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
        await fake.stop()
        await db.dispose()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--lease", type=float, default=3.0)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.messages, concurrency=args.concurrency, lease=args.lease))


if __name__ == "__main__":
    raise SystemExit(main())
