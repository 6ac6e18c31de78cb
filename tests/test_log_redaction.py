"""No support request's text in any log record at DEBUG, from any logger (ours or a library's),
through every door: Slack over HTTP (the slash command, the triage post, the home tab), Slack
Socket Mode, Teams and the web chat (issue 22: slack_sdk logged the text five times)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.slack import make_sender
from bot.app import BotContext, build_context, build_web_app
from bot.appkeys import BACKGROUND_STARTERS
from bot.logredact import WITHHELD
from tests.conftest import run_tick, web_client
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_slack import (  # noqa: F401 (fixtures)
    Slack,
    fake_fixture,
    slack_fixture,
    slack_settings,
    small_directory,
)
from tests.test_teams import client, connector, personal  # noqa: F401 (fixtures)
from tests.test_trust_secrets import everything_logged

SECRET_NEED = "Zebra-quartz safeguarding concern about pupil Yolanda"
SUPPORT = f'support crisis "{SECRET_NEED}"'


def assert_not_logged(records: list[logging.LogRecord]) -> None:
    assert records, "DEBUG logging was on, so something should have been logged"
    logged = everything_logged(records)
    assert "Zebra-quartz" not in logged and "Yolanda" not in logged


async def test_slack_support_request_text_is_in_no_log_record(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert (await slack.command(SUPPORT)).status == 200
    (answer,) = await slack.fake.wait_for_response()
    assert "support request" in str(answer).lower()
    await run_tick(slack.ctx, slack.ctx.clock.now())  # the triage post goes out
    home = {"type": "app_home_opened", "user": "UJO", "tab": "home", "channel": "DUJO"}
    assert (await slack.event(home, event_id="Ev-home")).status == 200
    await slack.fake.wait_for("views.publish")
    assert_not_logged(caplog.records)
    # slack_sdk still says what it did, without the bodies
    assert any(WITHHELD in r.getMessage() for r in caplog.records if r.name.startswith("slack"))


async def test_teams_support_request_text_is_in_no_log_record(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
    directory: BotContext,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await client.post("/api/messages", json=personal(connector, "jo", SUPPORT))
    assert response.status == 202 and connector.posted
    await run_tick(directory, directory.clock.now())
    assert_not_logged(caplog.records)


async def test_web_support_request_text_is_in_no_log_record(
    directory: BotContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with web_client(directory) as http:
        people = await (await http.get("/api/web/people")).json()
        jo = next(p["id"] for p in people if p["email"] == "jo@hillside.sch.uk")
        reply = await (
            await http.post("/api/web/command", json={"person_id": jo, "text": SUPPORT})
        ).json()
        assert not reply["error"], reply["text"]
    await run_tick(directory, directory.clock.now())
    assert_not_logged(caplog.records)


async def test_socket_mode_support_request_text_is_in_no_log_record(  # type: ignore[no-untyped-def]
    db, clock, fake, caplog: pytest.LogCaptureFixture
) -> None:
    """Socket Mode: the request arrives over a websocket that slack_sdk logs at DEBUG."""
    caplog.set_level(logging.DEBUG)
    settings = slack_settings(db.url, fake, slack_signing_secret=None, slack_app_token="xapp-1")
    ctx = build_context(settings, clock=clock, db=db, senders=[make_sender(settings, db)])  # type: ignore[list-item]
    await small_directory(ctx)
    app = build_web_app(ctx)
    http = TestClient(TestServer(app))
    await http.start_server()
    try:
        for start in app[BACKGROUND_STARTERS]:
            await start()
        for _ in range(500):
            if fake.sockets:
                break
            await asyncio.sleep(0.02)
        command = {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "UJO",
            "command": "/partnership",
            "text": SUPPORT,
            "response_url": fake.response_url("socket"),
            "trigger_id": "t",
        }
        envelope = {"envelope_id": "env-1", "type": "slash_commands", "payload": command}
        await fake.send_socket({**envelope, "accepts_response_payload": True})
        (answer,) = await fake.wait_for_response()
        assert "support request" in str(answer).lower()
        await run_tick(ctx, ctx.clock.now())  # the triage post goes out through the Web API
    finally:
        await http.close()
    assert_not_logged(caplog.records)
    # the Socket Mode client (logging through Bolt's logger) said what it received, not the text
    received = [r.getMessage() for r in caplog.records if "Received message" in r.getMessage()]
    assert received and all(WITHHELD in m for m in received)
