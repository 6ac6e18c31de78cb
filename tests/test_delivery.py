"""Delivery in one process: two clocks ticking at once plan and send nothing twice; a row
reclaimed from a dead sender is recognised in Slack's history instead of being posted again."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from bot.adapters.slack_sender import SlackSender
from bot.app import BotContext
from bot.demo import load_demo
from bot.reply import Reply
from scheduled.dispatcher import RECLAIMED, Dispatcher
from scheduled.senders import Sent
from scheduled.tick import tick
from storage.db import Database
from storage.directory import link_identity, person_by_email
from storage.outbox import enqueue, person_target
from tests.conftest import london, outbox_rows
from tests.test_slack import Slack, fake_fixture, slack_fixture  # noqa: F401  (fixtures)


class RecordingSender:
    """Reaches everyone; remembers every key it sent."""

    platform = "recording"

    def __init__(self, sent: Counter[str]) -> None:
        self.sent = sent

    async def can_reach(self, session, target: str) -> bool:  # type: ignore[no-untyped-def]
        return True

    async def send(self, session, message, reply):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0)  # let the other clock run in between
        self.sent[message.key] += 1
        return Sent(platform="recording", message_id=f"r{message.id}")


async def test_two_clocks_ticking_at_once_plan_and_send_nothing_twice(
    ctx: BotContext, db: Database
) -> None:
    start = london(2023, 12, 1, 9, 0)
    await load_demo(ctx.router, now=start)
    sent: Counter[str] = Counter()
    # each clock has its own engine, as two processes would
    other = Database(db.url)
    clocks = [Dispatcher(db, [RecordingSender(sent)]), Dispatcher(other, [RecordingSender(sent)])]
    try:
        for when in (start, start + timedelta(hours=23), start + timedelta(days=6, hours=23)):
            results = await asyncio.gather(
                *(tick(d.db, ctx.settings, now=when, dispatcher=d) for d in clocks)
            )
            for result in results:
                assert -1 not in result.planned.values(), f"a planner failed at {when}"
    finally:
        await other.dispose()
    rows = await outbox_rows(ctx)
    assert sent, "the demo should have something to send within a week"
    assert max(sent.values()) == 1, [k for k, n in sent.items() if n > 1]
    assert set(sent) == {r.key for r in rows if r.state == "sent"}
    assert len({r.key for r in rows}) == len(rows)


async def test_a_reclaimed_slack_message_already_posted_is_not_posted_again(slack: Slack) -> None:
    now = london(2023, 12, 1, 9, 0)
    async with slack.ctx.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        await link_identity(session, person=jo, platform="slack", external_id="UJO")
        for key in ("test:1:posted-then-died", "test:2:died-before-posting"):
            await enqueue(
                session, key=key, target=person_target(jo.id), reply=Reply(text=key), due_at=now
            )
    real = next(s for s in slack.ctx.dispatcher.senders if isinstance(s, SlackSender))
    lease = timedelta(seconds=60)
    dead = Dispatcher(slack.ctx.db, [real], lease=lease, worker="dead")
    first, second = await dead.claim(now=now, limit=10)
    async with slack.ctx.db.session() as session:  # it posted one, then died before recording
        await real.send(session, first, first.reply)
    alive = Dispatcher(slack.ctx.db, [real], lease=lease, worker="alive")
    assert await alive.run_once(now=now + timedelta(seconds=30)) == []  # lease still held
    rows = await alive.run_once(now=now + timedelta(seconds=61))
    assert {r.key: r.state for r in rows} == {first.key: "sent", second.key: "sent"}
    posts = [
        c.args["metadata"]["event_payload"]["key"] for c in slack.fake.calls_to("chat.postMessage")
    ]
    assert sorted(posts) == sorted([first.key, second.key])  # each exactly once
    checks = slack.fake.calls_to("conversations.history")
    assert len(checks) == 2 and all(c.args["include_all_metadata"] for c in checks)
    by_key = {r.key: r for r in rows}
    assert by_key[first.key].platform_message_id == "1700000000.000001"  # the first post's ts


async def test_a_reclaimed_row_is_marked_so_delivery_checks_first(ctx: BotContext) -> None:
    now = london(2023, 12, 1, 9, 0)
    async with ctx.db.session() as session:
        await enqueue(session, key="test:3:x", target="person:1", reply=Reply(text="x"), due_at=now)
    lease = timedelta(seconds=10)
    await Dispatcher(ctx.db, lease=lease, worker="dead").claim(now=now, limit=5)
    (row,) = await Dispatcher(ctx.db, lease=lease, worker="b").claim(
        now=now + timedelta(seconds=11), limit=5
    )
    assert row.error == RECLAIMED and row.claimed_by == "b"


async def test_two_claims_at_once_never_share_a_row(ctx: BotContext) -> None:
    now = london(2023, 12, 1, 9, 0)
    async with ctx.db.session() as session:
        for n in range(30):
            await enqueue(
                session, key=f"test:{n}:x", target="person:1", reply=Reply(text="x"), due_at=now
            )
    a, b = Dispatcher(ctx.db, worker="a"), Dispatcher(ctx.db, worker="b")
    got_a, got_b = await asyncio.gather(a.claim(now=now, limit=20), b.claim(now=now, limit=20))
    ids_a, ids_b = {r.id for r in got_a}, {r.id for r in got_b}
    assert not ids_a & ids_b
    if not ctx.db.is_sqlite:  # SKIP LOCKED: the second claim takes the rows the first left
        assert len(ids_a | ids_b) == 30
