"""One people desk for Slack and Teams: the account -> Person memory (a minute), linking by
email once, and one answer to a stranger, seen through the real doors and their fakes."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient

from bot.adapters import teams
from bot.adapters.slack import SLACK_DOOR
from bot.app import BotContext
from bot.people import PeopleDesk
from storage.directory import person_by_email
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_slack import Slack, fake_fixture, slack_fixture  # noqa: F401
from tests.test_teams import client, connector, personal, post  # noqa: F401

STRANGER = "You are not in the partnership directory yet, so I can't do anything for you."
INACTIVE = "You are not in the partnership directory any more (your place was deactivated)"
# ^ the router's own check


def later(desk: PeopleDesk, seconds: float) -> None:
    """Move the desk's clock on (its memory lasts a minute)."""
    start = desk.clock()
    desk.clock = lambda: start + seconds


async def deactivate(ctx: BotContext, email: str) -> None:
    async with ctx.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None
        person.active = False


def slack_text(answer: dict[str, Any]) -> str:
    return json.dumps(answer.get("blocks", [])) + answer.get("text", "")


async def test_slack_remembers_a_user_for_a_minute_then_asks_again(slack: Slack) -> None:
    desk = slack.http.server.app[SLACK_DOOR].people
    await slack.command("whoami")
    await slack.fake.wait_for_response(1)
    await slack.command("whoami")
    answers = await slack.fake.wait_for_response(2)
    assert all("Jo Bloggs" in slack_text(a) for a in answers)
    assert len(slack.fake.calls_to("users.info")) == 1, "linked once, by email"

    await deactivate(slack.ctx, "jo@hillside.sch.uk")
    await slack.command("whoami")
    (*_, remembered) = await slack.fake.wait_for_response(3)
    assert INACTIVE in slack_text(remembered)  # the desk's memory; the router re-checks
    later(desk, 61)
    await slack.command("whoami")
    (*_, asked) = await slack.fake.wait_for_response(4)
    assert STRANGER in slack_text(asked) and "Jo Bloggs" not in slack_text(asked)
    assert len(slack.fake.calls_to("users.info")) == 1, "the identity is still linked"


async def test_slack_stranger_reply_names_the_admins_and_the_account(slack: Slack) -> None:
    await slack.command("whoami", user="USTRANGER")
    (answer,) = await slack.fake.wait_for_response()
    text = slack_text(answer)
    assert STRANGER in text
    assert "Please ask Alex Morgan (alex@learnsheffield.co.uk) to add you" in text
    assert "the email address your Slack account uses" in text


async def test_teams_remembers_an_account_for_a_minute_then_asks_again(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
    directory: BotContext,
) -> None:
    desk = client.server.app[teams.DOOR_KEY].agent.people
    assert await post(client, personal(connector, "jo", "whoami")) == 202
    assert await post(client, personal(connector, "jo", "whoami")) == 202
    assert "Jo Bloggs" in connector.posted[-1].all_text()
    assert len(connector.roster_calls) == 1, "linked once, by email"

    await deactivate(directory, "jo@hillside.sch.uk")
    await post(client, personal(connector, "jo", "whoami"))
    assert INACTIVE in connector.posted[-1].all_text()
    later(desk, 61)
    await post(client, personal(connector, "jo", "whoami"))
    answer = connector.posted[-1].all_text()
    assert STRANGER in answer and "Jo Bloggs" not in answer
    assert len(connector.roster_calls) == 1, "the identity is still linked"


async def test_teams_stranger_reply_is_the_same_text_with_the_email_seen(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
) -> None:
    await post(client, personal(connector, "eve", "help"))
    text = connector.posted[-1].all_text()
    assert STRANGER in text
    assert "Please ask Alex Morgan (alex@learnsheffield.co.uk) to add you" in text
    assert "the email address your Teams account uses (eve@x.org)" in text
