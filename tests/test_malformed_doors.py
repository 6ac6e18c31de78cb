"""Malformed requests that were answered with 500 (issue 22): each is now a 4xx, and nothing is
stored, run or sent. `tests/test_fuzz_doors.py` generates these shapes too."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import BotContext, build_web_app
from bot.errors import UserError
from bot.render.blockkit import FORM_CALLBACK, modal_metadata
from bot.reply import Form, FormField
from tests.conftest import web_client
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_slack import SECRET, Slack, fake_fixture, identities, slack_fixture  # noqa: F401
from tests.test_teams import client, connector, personal  # noqa: F401

FORM_BODY = "application/x-www-form-urlencoded"


def _sign(body: str, stamp: str) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


async def test_slack_timestamp_that_is_not_a_number_is_400(slack: Slack) -> None:
    body = urlencode({"user_id": "UJO", "command": "/partnership", "text": "whoami"})
    for stamp in ("abc", "1e9", "", " ", "12:00", "١٢٣"):
        response = await slack.http.post(
            "/slack/events", data=body, headers={"Content-Type": FORM_BODY, **_sign(body, stamp)}
        )
        assert response.status in (400, 401), (stamp, response.status)
    assert slack.fake.calls == [] and slack.fake.responses == []
    assert await identities(slack.ctx) == 0


async def test_signed_slash_command_without_a_user_is_refused(slack: Slack) -> None:
    """Nobody to answer as: a 4xx, nothing run, stored or sent."""
    for missing in ({}, {"user_id": ""}, {"user_id": "   "}):
        fields = {"command": "/partnership", "text": "whoami", "channel_id": "C1", **missing}
        fields["response_url"] = slack.fake.response_url()
        body = urlencode(fields)
        response = await slack.http.post(
            "/slack/events",
            data=body,
            headers={"Content-Type": FORM_BODY, **_sign(body, str(int(time.time())))},
        )
        assert 400 <= response.status < 500, (missing, response.status)
    assert slack.fake.calls == [] and slack.fake.responses == []
    assert await identities(slack.ctx) == 0


async def test_signed_modal_submission_not_of_our_making_is_400(slack: Slack) -> None:
    ours = modal_metadata(Form("Note", "action note 1", (FormField("note", "Note"),)), channel="C1")
    foreign = ["not json", "5", json.dumps({"form": "x"}), json.dumps([1]), 5, None, {"a": 1}]
    for metadata in foreign:
        payload = {
            "type": "view_submission",
            "user": {"id": "UJO"},
            "team": {"id": "T1"},
            "view": {
                "callback_id": FORM_CALLBACK,
                "private_metadata": metadata,
                "state": {"values": {}},
            },
        }
        response = await slack.interact(payload)
        assert response.status == 400, (metadata, response.status)
    assert slack.fake.calls == [] and slack.fake.responses == []
    assert await identities(slack.ctx) == 0
    assert json.loads(ours)["form"]  # the bot's own metadata is the JSON it wrote


async def test_signed_click_whose_value_is_not_text_runs_nothing_and_logs_no_traceback(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    for value in (None, 5, ["whoami"], {"command": "whoami"}):
        click = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "UJO"},
            "channel": {"id": "C1"},
            "response_url": slack.fake.response_url(),
            "actions": [{"type": "button", "action_id": "run:whoami", "value": value}],
        }
        response = await slack.interact(click)
        assert response.status < 500, (value, response.status)
    # Bolt's own authorisation call only: nothing posted, nothing answered
    assert [c.method for c in slack.fake.calls if c.method != "auth.test"] == []
    assert slack.fake.responses == []
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]


async def test_teams_activity_without_from_is_refused(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
) -> None:
    for sender in (None, {}, {"id": ""}, {"name": "no id"}):
        activity = personal(connector, "jo", "whoami")
        if sender is None:
            del activity["from"]
        else:
            activity["from"] = sender
        response = await client.post("/api/messages", json=activity)
        assert response.status == 400, (sender, response.status)
    assert connector.posted == []


async def test_teams_token_without_kid_with_credentials_is_401(
    directory: BotContext,
    connector: FakeTeamsConnector,  # noqa: F811
) -> None:
    directory.settings = directory.settings.model_copy(
        update={
            "teams_client_id": "00000000-0000-0000-0000-000000000001",
            "teams_client_secret": "secret-value",
            "teams_tenant_id": "00000000-0000-0000-0000-0000000000aa",
        }
    )
    claims = {
        "aud": "00000000-0000-0000-0000-000000000001",
        "iss": "https://api.botframework.com",
        "exp": int(time.time()) + 600,
    }
    no_kid = jwt.encode(claims, "x" * 32, algorithm="HS256")
    async with TestClient(TestServer(build_web_app(directory))) as http:
        activity = personal(connector, "jo", "whoami")
        for token in (no_kid, "e30.e30.", "bm90IGpzb24.e30.x"):
            response = await http.post(
                "/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status == 401, (token, response.status)
    assert connector.posted == []


# JSON nested deeper than Python's recursion limit: json.loads raises RecursionError, which no
# door caught (found by hand beside the fuzz: a 500 with a traceback, unsigned for Slack).
DEEP = ("[" * 100_000, '{"a":' * 100_000)


async def test_slack_body_nested_too_deep_is_400(slack: Slack) -> None:
    for body, content_type in [
        *((deep, "application/json") for deep in DEEP),
        *((urlencode({"payload": deep}), FORM_BODY) for deep in DEEP),
    ]:
        response = await slack.http.post(
            "/slack/events",
            data=body,
            headers={"Content-Type": content_type, **_sign(body, str(int(time.time())))},
        )
        assert response.status == 400, (body[:20], response.status)
    for deep in DEEP:  # our modal, its metadata nested too deep
        view = {"callback_id": FORM_CALLBACK, "private_metadata": deep, "state": {"values": {}}}
        payload = {"type": "view_submission", "user": {"id": "UJO"}, "team": {"id": "T1"}}
        response = await slack.interact({**payload, "view": view})
        assert response.status == 400, (deep[:10], response.status)
    with pytest.raises(UserError):  # a button's form (Slack, Teams cards) read the same way
        Form.from_wire(DEEP[0])
    assert slack.fake.calls == [] and slack.fake.responses == []


async def test_teams_body_nested_too_deep_is_400(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
) -> None:
    for deep in DEEP:
        response = await client.post(
            "/api/messages", data=deep, headers={"Content-Type": "application/json"}
        )
        assert response.status == 400, (deep[:10], response.status)
    assert connector.posted == []


async def test_web_chat_body_nested_too_deep_is_400(directory: BotContext) -> None:
    async with web_client(directory) as http:
        for route in ("/api/web/command", "/api/web/form"):
            for deep in DEEP:
                response = await http.post(
                    route, data=deep, headers={"Content-Type": "application/json"}
                )
                assert response.status == 400, (route, deep[:10], response.status)
