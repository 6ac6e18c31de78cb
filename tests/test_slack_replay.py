"""A signed slash command or button click sent again inside Slack's five-minute window is
refused, also by another process sharing the database (issue 22: it ran again)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_context, build_web_app
from bot.clock import FixedClock
from storage import actions
from tests.fakes.slack_api import signed_headers
from tests.test_slack import SECRET, Slack, fake_fixture, slack_fixture  # noqa: F401

FORM_BODY = "application/x-www-form-urlencoded"


async def _action_count(slack: Slack) -> int:
    async with slack.ctx.db.session() as session:
        return len(await actions.find_actions(session))


async def test_a_replayed_slash_command_is_refused_here_and_in_another_process(
    slack: Slack,
) -> None:
    form = {
        "team_id": "T1",
        "channel_id": "C1",
        "user_id": "UALEX",
        "command": "/partnership",
        "text": 'action add "Circulate figures" owner:@jo due:12/01/2024',
        "response_url": slack.fake.response_url(),
        "trigger_id": "trigger-once",
    }
    body = urlencode(form)
    headers = {"Content-Type": FORM_BODY, **signed_headers(SECRET, body)}
    assert (await slack.http.post("/slack/events", data=body, headers=headers)).status == 200
    await slack.fake.wait_for_response()
    again = await slack.http.post("/slack/events", data=body, headers=headers)
    assert again.status == 401
    # a second process (its own app and door) over the same database refuses it too
    other = build_context(
        slack.ctx.settings, clock=FixedClock(slack.ctx.clock.now()), db=slack.ctx.db
    )
    async with TestClient(TestServer(build_web_app(other))) as second:
        assert (await second.post("/slack/events", data=body, headers=headers)).status == 401
    assert len(slack.fake.responses) == 1
    assert await _action_count(slack) == 1


async def test_a_replayed_button_click_is_refused(slack: Slack) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": "UJO"},
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "trigger_id": "trigger-click",
        "response_url": slack.fake.response_url(),
        "actions": [{"action_id": "run:0", "value": "whoami", "type": "button"}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    headers = {"Content-Type": FORM_BODY, **signed_headers(SECRET, body)}
    assert (await slack.http.post("/slack/events", data=body, headers=headers)).status == 200
    await slack.fake.wait_for_response()
    assert (await slack.http.post("/slack/events", data=body, headers=headers)).status == 401
    assert len(slack.fake.responses) == 1
