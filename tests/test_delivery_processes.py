"""Exactly-once delivery with real processes: two `partnership-bot clock` processes (each a clock
and a dispatcher) on one PostgreSQL database, sending to the fake Slack Web API in this process.

On SQLite these tests are skipped: run one dispatcher process there (docs/operations.md).
The helpers here are shared with `bench/fanout.py`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot.reply import Reply
from storage.base import utcnow
from storage.db import Database
from storage.directory import Identity, Person
from storage.outbox import OutboxMessage, listing, person_target, plain_text
from tests.fakes.slack_api import Call, FakeSlackAPI

KEY_PREFIX = "fanout:"


async def seed_fanout(db: Database, count: int, *, due_at: datetime | None = None) -> list[str]:
    """`count` people, each with a Slack account (so a DM channel of their own), and one due
    outbox message for each. Returns the outbox keys."""
    due_at = due_at or utcnow()
    now = utcnow()
    async with db.session() as session:
        await session.execute(
            insert(Person),
            [
                {
                    "name": f"Reader {n}",
                    "email": f"reader{n}@fanout.test",
                    "role": "member",
                    "calendar_token": f"fanout-{n}",
                    "active": True,
                    "created_at": now,
                }
                for n in range(count)
            ],
        )
        people = (
            await session.execute(
                select(Person.id, Person.email).where(Person.email.like("%@fanout.test"))
            )
        ).all()
        await session.execute(
            insert(Identity),
            [
                {
                    "person_id": pid,
                    "platform": "slack",
                    "external_id": f"UF{pid}",
                    "data": {},
                    "created_at": now,
                }
                for pid, _ in people
            ],
        )
        keys = []
        rows = []
        for pid, _ in people:
            reply = Reply(text=f"Bulletin for reader {pid}")
            key = f"{KEY_PREFIX}{pid}:bulletin"
            keys.append(key)
            rows.append(
                {
                    "key": key,
                    "kind": "fanout",
                    "target": person_target(pid),
                    "payload": reply.to_dict(),
                    "text": plain_text(reply),
                    "state": "pending",
                    "due_at": due_at,
                    "created_at": now,
                    "attempts": 0,
                }
            )
        await session.execute(insert(OutboxMessage), rows)
    return keys


def clock_env(
    db_url: str, fake: FakeSlackAPI, *, token: str, lease: float = 4, concurrency: int = 16
) -> dict[str, str]:
    """Settings for one clock process: this database, the fake Slack, short intervals."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CONNECTIONS__"))}
    env.update(
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN=token,
        SLACK_API_URL=fake.api_url,
        CLOCK_INTERVAL_SECONDS="0.2",
        OUTBOX_LEASE_SECONDS=str(lease),
        DISPATCH_CONCURRENCY=str(concurrency),
        LOG_LEVEL="ERROR",
    )
    return env


async def start_clock(env: dict[str, str]) -> asyncio.subprocess.Process:
    """`python -m bot clock` in an empty folder (no stray .env), output kept quiet."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "clock",
        env=env,
        cwd=tempfile.gettempdir(),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def stop(*procs: asyncio.subprocess.Process) -> None:
    for proc in procs:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def states(db: Database, prefix: str = KEY_PREFIX) -> Counter[str]:
    async with db.session() as session:
        rows = await session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.key.startswith(prefix))
            .group_by(OutboxMessage.state)
        )
        return Counter({state: n for state, n in rows})


async def wait_until_settled(db: Database, total: int, *, timeout: float) -> Counter[str]:
    """Poll until every row is sent or failed (or the time runs out)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        found = await states(db)
        if found["sent"] + found["failed"] >= total or loop.time() > end:
            return found
        await asyncio.sleep(0.1)


def posted_keys(fake: FakeSlackAPI) -> Counter[str]:
    """How many times each outbox key arrived in Slack (successful posts only)."""
    seen: Counter[str] = Counter()
    for messages in fake.history.values():
        for m in messages:
            key = ((m.get("metadata") or {}).get("event_payload") or {}).get("key")
            if key:
                seen[key] += 1
    return seen


def token_of(call: Call) -> str:
    return call.headers.get("Authorization", "").removeprefix("Bearer ")


@pytest.fixture
async def pg(db: Database) -> Database:
    if db.is_sqlite:
        pytest.skip("several dispatcher processes need PostgreSQL; on SQLite run one")
    return db


@pytest.fixture
async def fake() -> Any:
    api = await FakeSlackAPI().start()
    yield api
    await api.stop()


MESSAGES = 1000


async def test_two_clocks_deliver_each_message_once_with_a_429_and_a_failure(
    pg: Database, fake: FakeSlackAPI
) -> None:
    keys = await seed_fanout(pg, MESSAGES)
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    fake.fail_next("conversations.open", error="account_inactive")
    clocks = [await start_clock(clock_env(pg.url, fake, token=f"xoxb-{n}")) for n in (1, 2)]
    try:
        found = await wait_until_settled(pg, MESSAGES, timeout=40)
    finally:
        await stop(*clocks)
    assert [c.returncode for c in clocks] == [0, 0], "a clock did not stop cleanly on SIGTERM"
    assert found == {"sent": MESSAGES - 1, "failed": 1}
    posted = posted_keys(fake)
    assert max(posted.values()) == 1, "a message reached Slack twice"
    # both processes did a share of the work
    tokens = Counter(token_of(c) for c in fake.calls_to("chat.postMessage"))
    assert set(tokens) == {"xoxb-1", "xoxb-2"}
    async with pg.session() as session:
        rows = {r.key: r for r in await listing(session, limit=10_000)}
    failed = [r for r in rows.values() if r.state == "failed"]
    assert set(posted) == set(keys) - {failed[0].key}
    assert "deactivated" in (failed[0].error or "")
    rate_limited = fake.calls_to("chat.postMessage")[0].args["metadata"]["event_payload"]["key"]
    # (a third attempt is possible on a loaded machine: an answer later than the lease allows)
    assert rows[rate_limited].state == "sent" and rows[rate_limited].attempts >= 2
    # an admin sees the failure and why
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "outbox",
        "--failed",
        env=clock_env(pg.url, fake, token="xoxb-cli"),
        cwd=tempfile.gettempdir(),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    assert failed[0].key in out.decode() and "deactivated" in out.decode()
    assert out.decode().strip().endswith("1 rows")


async def test_a_clock_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    pg: Database, fake: FakeSlackAPI
) -> None:
    keys = await seed_fanout(pg, MESSAGES)
    release = asyncio.Event()
    victim_posts = 0
    stalled = 0

    async def stall_the_victim(call: Call) -> None:
        """After 150 posts the victim's messages reach Slack but its answers never come back:
        it dies holding rows that Slack already has."""
        nonlocal victim_posts, stalled
        if call.method == "chat.postMessage" and token_of(call) == "xoxb-victim":
            victim_posts += 1
            if victim_posts > 150:
                stalled += 1
                await release.wait()

    fake.before_answer = stall_the_victim
    victim = await start_clock(clock_env(pg.url, fake, token="xoxb-victim"))
    survivor = await start_clock(clock_env(pg.url, fake, token="xoxb-survivor"))
    try:
        loop = asyncio.get_running_loop()
        # generous: on a loaded machine the victim takes long to reach 150 posts; the loop ends
        # as soon as all 16 of its senders wait. A stalled post that times out on the client
        # frees a sender to stall on the next row, so more than 16 is still "all waiting".
        end = loop.time() + 120
        while stalled < 16 and loop.time() < end:  # every one of its 16 senders is waiting
            await asyncio.sleep(0.05)
        assert stalled >= 16, "the victim never got going"
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        found = await wait_until_settled(pg, MESSAGES, timeout=40)
    finally:
        release.set()
        await stop(victim, survivor)
    assert found == {"sent": MESSAGES}
    posted = posted_keys(fake)
    assert set(posted) == set(keys), "a message was lost"
    assert max(posted.values()) == 1, "a message reached Slack twice"
    # the rows Slack already had were recognised from their metadata, not sent again
    history_checks = fake.calls_to("conversations.history")
    assert len(history_checks) >= 16
    assert all(token_of(c) == "xoxb-survivor" for c in history_checks)
