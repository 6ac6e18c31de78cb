"""The outbox: unique keys, the dispatcher, the web inbox sender, /healthz."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from bot.app import BotContext, build_web_app
from bot.reply import Reply
from scheduled.dispatcher import Dispatcher
from scheduled.senders import DeliveryError, Sent
from storage import outbox
from tests.conftest import london, outbox_rows, run_tick


async def _enqueue(ctx: BotContext, key: str, target: str = "person:1", **kw) -> bool:  # type: ignore[no-untyped-def]
    async with ctx.db.session() as session:
        return await outbox.enqueue(
            session,
            key=key,
            target=target,
            reply=Reply(text=f"hello {key}"),
            due_at=kw.pop("due_at", ctx.clock.now()),
            **kw,
        )


async def test_a_key_is_inserted_once(directory: BotContext) -> None:
    assert await _enqueue(directory, "meeting:1:remind:P1D:1")
    assert not await _enqueue(directory, "meeting:1:remind:P1D:1")
    rows = await outbox_rows(directory)
    assert [r.key for r in rows] == ["meeting:1:remind:P1D:1"]
    assert rows[0].kind == "meeting" and rows[0].text == "hello meeting:1:remind:P1D:1"


async def test_tick_sends_what_is_due_and_nothing_twice(directory: BotContext) -> None:
    now = london(2023, 12, 1, 9, 0)
    await _enqueue(directory, "test:1:a", due_at=now - timedelta(minutes=1))
    await _enqueue(directory, "test:1:later", due_at=now + timedelta(hours=1))
    first = await run_tick(directory, now)
    assert _ours(first.handled) == [("test:1:a", "sent", "web")]
    again = await run_tick(directory, now)
    assert _ours(again.handled) == []
    later = await run_tick(directory, now + timedelta(hours=1))
    assert _ours(later.handled) == [("test:1:later", "sent", "web")]


def _ours(rows):  # type: ignore[no-untyped-def]
    """Only this test's rows (other domains' planners may add their own)."""
    return [(r.key, r.state, r.platform) for r in rows if r.key.startswith("test:")]


class FlakySender:
    platform = "flaky"

    def __init__(self, failures: list[DeliveryError]) -> None:
        self.failures = failures
        self.sent: list[str] = []

    async def can_reach(self, session, target: str) -> bool:  # type: ignore[no-untyped-def]
        return True

    async def send(self, session, message, reply):  # type: ignore[no-untyped-def]
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message.key)
        return Sent(platform="flaky", message_id="m1")


async def test_retry_after_is_honoured_then_sent(directory: BotContext) -> None:
    now = london(2023, 12, 1, 9, 0)
    sender = FlakySender([DeliveryError("rate limited", retry_after=30)])
    dispatcher = Dispatcher(directory.db, [sender])
    await _enqueue(directory, "test:2:x", due_at=now)
    rows = await dispatcher.run_once(now=now)
    assert rows[0].state == "pending" and rows[0].due_at == now + timedelta(seconds=30)
    assert await dispatcher.run_once(now=now + timedelta(seconds=29)) == []
    rows = await dispatcher.run_once(now=now + timedelta(seconds=30))
    assert rows[0].state == "sent" and rows[0].attempts == 2 and sender.sent == ["test:2:x"]


async def test_permanent_failure_is_recorded_with_reason(directory: BotContext) -> None:
    now = london(2023, 12, 1, 9, 0)
    sender = FlakySender([DeliveryError("channel_not_found: invite the bot", permanent=True)])
    await _enqueue(directory, "test:3:x", due_at=now)
    rows = await Dispatcher(directory.db, [sender]).run_once(now=now)
    assert rows[0].state == "failed" and "invite the bot" in (rows[0].error or "")


async def test_healthz_reports_database_migrations_and_heartbeat(directory: BotContext) -> None:
    await run_tick(directory, london(2023, 12, 1, 9, 0))
    async with TestClient(TestServer(build_web_app(directory))) as client:
        resp = await client.get("/healthz")
        body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "ok" and body["migrations"]["at_head"]
    assert body["clock_heartbeat"].startswith("2023-12-01T09:00")


class CheckingSender(FlakySender):
    """A platform that can say whether a message already arrived."""

    def __init__(self) -> None:
        super().__init__([])
        self.checked: list[str] = []

    async def already_sent(self, session, message):  # type: ignore[no-untyped-def]
        self.checked.append(message.key)
        return Sent(platform="flaky", message_id="found-on-platform")


async def test_a_row_whose_sender_died_is_reclaimed_after_its_lease(directory: BotContext) -> None:
    now = london(2023, 12, 1, 9, 0)
    await _enqueue(directory, "test:4:x", due_at=now)
    dead = Dispatcher(directory.db, [CheckingSender()], lease=timedelta(seconds=60), worker="dead")
    assert await dead.claim(now=now, limit=10)  # claimed, then the process "dies"
    alive_sender = CheckingSender()
    alive = Dispatcher(directory.db, [alive_sender], lease=timedelta(seconds=60), worker="alive")
    assert await alive.run_once(now=now + timedelta(seconds=30)) == []  # lease still held
    rows = await alive.run_once(now=now + timedelta(seconds=61))
    assert [(r.key, r.state, r.platform_message_id) for r in rows] == [
        ("test:4:x", "sent", "found-on-platform")
    ]
    assert alive_sender.checked == ["test:4:x"] and alive_sender.sent == []
