"""Outbox messages delivered to Slack through the real dispatcher and the fake Web API."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy.orm.attributes import flag_modified

from bot.adapters.slack_sender import SlackSender
from bot.reply import Reply, Section
from storage.directory import group_by_name, link_identity, person_by_email
from storage.outbox import enqueue, group_target, person_target
from tests.conftest import london, outbox_rows
from tests.fakes.slack_api import FakeSlackAPI
from tests.test_slack import Slack, fake_fixture, slack_fixture  # noqa: F401  (fixtures)

NOW = london(2023, 12, 1, 9, 0)


async def link_jo(slack: Slack) -> int:
    async with slack.ctx.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        await link_identity(session, person=jo, platform="slack", external_id="UJO")
        return jo.id


async def remind(slack: Slack, target: str, key: str = "meeting:3:remind:P1D:6") -> None:
    reply = Reply(text="Reminder: Attendance working group tomorrow 10:00").add(
        Section(fields=[("Place", "Albion House")])
    )
    async with slack.ctx.db.session() as session:
        await enqueue(session, key=key, target=target, reply=reply, due_at=NOW)


async def set_channel(slack: Slack, group: str, channel: str) -> None:
    async with slack.ctx.db.session() as session:
        found = await group_by_name(session, group)
        found.channels = {**(found.channels or {}), "slack": channel}
        flag_modified(found, "channels")


async def test_a_dm_reminder_is_delivered_from_the_outbox(slack: Slack) -> None:
    jo = await link_jo(slack)
    await remind(slack, person_target(jo))
    (row,) = await slack.ctx.dispatcher.run_once(now=NOW)
    assert row.state == "sent" and row.platform == "slack"
    (opened,) = slack.fake.calls_to("conversations.open")
    assert opened.args["users"] == "UJO"
    (post,) = slack.fake.calls_to("chat.postMessage")
    assert post.args["channel"] == "DUJO"
    assert "Albion House" in json.dumps(post.args["blocks"])
    assert post.args["metadata"]["event_payload"]["key"] == "meeting:3:remind:P1D:6"
    assert row.platform_message_id == "1700000000.000001"


async def test_429_is_retried_after_retry_after_then_sent(slack: Slack) -> None:
    jo = await link_jo(slack)
    await remind(slack, person_target(jo))
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=30)
    (row,) = await slack.ctx.dispatcher.run_once(now=NOW)
    assert row.state == "pending" and "rate limit" in (row.error or "")
    assert row.due_at == NOW + timedelta(seconds=30)
    assert await slack.ctx.dispatcher.run_once(now=NOW + timedelta(seconds=29)) == []
    (row,) = await slack.ctx.dispatcher.run_once(now=NOW + timedelta(seconds=30))
    assert row.state == "sent" and row.attempts == 2
    assert len(slack.fake.calls_to("chat.postMessage")) == 2


async def test_a_server_error_is_retried_in_the_client(slack: Slack) -> None:
    await set_channel(slack, "attendance", "CATT")
    await remind(slack, group_target("attendance"))
    slack.fake.fail_next("chat.postMessage", status=503)
    (row,) = await slack.ctx.dispatcher.run_once(now=NOW)
    assert row.state == "sent"
    assert [c.args["channel"] for c in slack.fake.calls_to("chat.postMessage")] == ["CATT"] * 2


async def test_bot_not_in_channel_fails_with_what_an_admin_should_do(slack: Slack) -> None:
    await set_channel(slack, "attendance", "CATT")
    await remind(slack, group_target("attendance"))
    slack.fake.fail_next("chat.postMessage", error="not_in_channel")
    (row,) = await slack.ctx.dispatcher.run_once(now=NOW)
    assert row.state == "failed"
    assert "/invite @partnership-bot" in (row.error or "")
    assert "group:attendance" in (row.error or "")


async def test_deactivated_account_fails_permanently(slack: Slack) -> None:
    jo = await link_jo(slack)
    await remind(slack, person_target(jo))
    slack.fake.fail_next("conversations.open", error="account_inactive")
    (row,) = await slack.ctx.dispatcher.run_once(now=NOW)
    assert row.state == "failed" and "deactivated" in (row.error or "")


async def test_people_and_groups_without_slack_are_left_to_other_doors(slack: Slack) -> None:
    async with slack.ctx.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        sender = next(s for s in slack.ctx.dispatcher.senders if s.platform == "slack")
        assert not await sender.can_reach(session, person_target(jo.id))
        assert not await sender.can_reach(session, group_target("board"))
    await remind(slack, person_target(jo.id))
    (row,) = await slack.ctx.dispatcher.run_once(now=NOW)
    assert row.platform == "web" and slack.fake.calls_to("chat.postMessage") == []
    assert len(await outbox_rows(slack.ctx)) == 1


async def test_one_message_per_second_per_channel(slack: Slack, fake: FakeSlackAPI) -> None:
    waits: list[float] = []
    clock = [100.0]

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    real = next(s for s in slack.ctx.dispatcher.senders if isinstance(s, SlackSender))
    paced = SlackSender(
        real.client, settings=slack.ctx.settings, sleep=sleep, monotonic=lambda: clock[0]
    )
    slack.ctx.dispatcher.senders.insert(0, paced)
    await set_channel(slack, "attendance", "CATT")
    await set_channel(slack, "board", "CBOARD")
    for n in range(3):
        await remind(slack, group_target("attendance"), key=f"test:{n}:attendance")
    await remind(slack, group_target("board"), key="test:9:board")
    rows = await slack.ctx.dispatcher.run_once(now=NOW)
    assert {r.state for r in rows} == {"sent"}
    assert len(waits) == 2 and all(abs(w - 1.0) < 1e-6 for w in waits)
    channels = [c.args["channel"] for c in fake.calls_to("chat.postMessage")]
    assert sorted(channels) == ["CATT", "CATT", "CATT", "CBOARD"]


async def test_two_dms_to_one_person_open_the_conversation_once(slack: Slack) -> None:
    jo = await link_jo(slack)
    await remind(slack, person_target(jo), key="test:1:jo")
    await remind(slack, person_target(jo), key="test:2:jo")
    rows = await slack.ctx.dispatcher.run_once(now=NOW)
    assert [r.state for r in rows] == ["sent", "sent"]
    await remind(slack, person_target(jo), key="test:3:jo")
    (row,) = await slack.ctx.dispatcher.run_once(now=NOW)
    assert row.state == "sent"
    # checking a reclaimed row's history uses the same remembered DM channel
    sender = next(s for s in slack.ctx.dispatcher.senders if isinstance(s, SlackSender))
    async with slack.ctx.db.session() as session:
        (first,) = await outbox_rows(slack.ctx, prefix="test:1:")
        found = await sender.already_sent(session, first)
    assert found is not None and found.message_id == rows[0].platform_message_id
    (opened,) = slack.fake.calls_to("conversations.open")
    assert opened.args["users"] == "UJO"
    assert [c.args["channel"] for c in slack.fake.calls_to("chat.postMessage")] == ["DUJO"] * 3


async def test_a_server_error_page_is_recorded_with_its_status_and_body(slack: Slack) -> None:
    """A 5xx whose body is not Slack's JSON (a proxy's error page), after the client's own
    retries: the row says what the platform answered, not an internal error (issue 22)."""
    await set_channel(slack, "attendance", "CATT")
    await remind(slack, group_target("attendance"))
    for _ in range(3):  # the first try and the client's two retries
        slack.fake.fail_next("chat.postMessage", status=503)
    (row,) = await slack.ctx.dispatcher.run_once(now=NOW)
    assert row.state == "pending" and row.attempts == 1
    assert "503" in (row.error or "") and "upstream trouble" in (row.error or "")
    assert "internal error" not in (row.error or "")
    (row,) = await slack.ctx.dispatcher.run_once(now=row.due_at)
    assert row.state == "sent"


async def test_an_error_page_of_any_content_type_is_recorded_with_its_status(
    slack: Slack,
) -> None:
    """A proxy's error page is usually text/html (slack_sdk then keeps no body) and sometimes
    claims to be JSON (slack_sdk raises with the aiohttp response, which has no .data): the
    row says the status and what came back, never 'internal error (AttributeError)'."""
    await set_channel(slack, "attendance", "CATT")
    page = "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
    for page_type in ("text/html", "application/json"):
        await remind(slack, group_target("attendance"), key=f"meeting:3:remind:{page_type}")
        for _ in range(3):  # the first try and the client's retries
            slack.fake.fail_next("chat.postMessage", status=502, page=page, page_type=page_type)
        rows = [r for r in await slack.ctx.dispatcher.run_once(now=NOW) if r.state != "sent"]
        (row,) = rows
        assert row.state == "pending", (page_type, row.error)
        assert "502" in (row.error or "") and "internal error" not in (row.error or ""), row.error
        if page_type == "application/json":
            assert "Bad Gateway" in (row.error or ""), row.error
        else:
            assert "text/html" in (row.error or ""), row.error
        slack.fake.failures.clear()
        (row,) = await slack.ctx.dispatcher.run_once(now=row.due_at)
        assert row.state == "sent"
