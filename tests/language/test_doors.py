"""Plain English in every front door, on the demo partnership (as of Fri 1 Dec 2023 09:00).

In Slack (signed requests through the real Bolt app, the real slack_sdk client against the fake
Web API), Teams (activities to /api/messages, the Agents SDK against the fake connector) and the
web chat (Debian chromium through Playwright):

- a plain-English question is answered at once, saying how it was read (`Read as: ...`);
- a plain-English write with something to check ("I can't make Thursday's board meeting,
  Ofsted are in") is shown as the command's own form, prefilled (a Slack modal at once from
  the slash command, or from the "Open form" button in a DM; a Teams Adaptive Card; a web
  form), and nothing is saved until the form is submitted;
- a plain-English write with nothing to check ("mark action 7 done") names what it acts on and
  is only proposed: nothing changes until the person presses the confirm button, which then
  does exactly that;
- a plain-English support request opens the support form prefilled with what was written, and
  nothing is filed until the form is submitted.

Each door is driven as its client would be: the buttons and forms pressed are the ones the bot
sent, with the values it prefilled, never hand-built commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.adapters import teams
from bot.adapters.slack import make_sender
from bot.app import BotContext, build_context, build_web_app
from bot.demo import load_demo
from bot.settings import Settings
from scheduled.dispatcher import Dispatcher
from tests.fakes.slack_api import FakeSlackAPI, signed_headers
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_webchat import CHROMIUM, FLAGS

SECRET = "language-door-secret"
QUESTION = "when is the next board meeting?"
WRITE = "mark action 7 done"
HELP = "our head has been taken ill and we need help today"
APOLOGY = "I can't make Thursday's board meeting, Ofsted are in"
BOARD = "Partnership board, Thu 14 Dec 2023"  # meeting #1, as the proposal must name it
ACTION_7 = "Check DfE attendance return dates"  # what action #7 is, as the proposal names it
_ids = itertools.count(1)


async def action_status(ctx: BotContext, action_id: int) -> str:
    async with ctx.db.engine.connect() as conn:
        return (
            await conn.execute(text("SELECT status FROM actions WHERE id = :i"), {"i": action_id})
        ).scalar_one()


async def jos_answer(ctx: BotContext, meeting_id: int = 1) -> tuple[str, str | None]:
    """Jo's answer to a meeting and its reason (the demo has her coming to #1)."""
    async with ctx.db.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT r.answer, r.reason FROM meeting_rsvps r JOIN people p"
                    " ON p.id = r.person_id WHERE r.meeting_id = :m AND p.email = :e"
                ),
                {"m": meeting_id, "e": "jo@hillside.sch.uk"},
            )
        ).one()
    return row[0], row[1]


async def support_requests(ctx: BotContext) -> int:
    async with ctx.db.engine.connect() as conn:
        return (await conn.execute(text("SELECT count(*) FROM support_requests"))).scalar_one()


def nodes(tree: Any) -> list[dict[str, Any]]:
    """Every dict in a JSON tree (blocks, cards), depth first."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str) and node[:1] in "[{":
            with contextlib.suppress(ValueError):
                walk(json.loads(node))

    walk(tree)
    return found


# --- Slack ----------------------------------------------------------------------------------


class Slack:
    def __init__(self, ctx: BotContext, http: TestClient, fake: FakeSlackAPI) -> None:
        self.ctx, self.http, self.fake = ctx, http, fake

    async def post(self, body: str, content_type: str) -> Any:
        headers = {"Content-Type": content_type, **signed_headers(SECRET, body)}
        return await self.http.post("/slack/events", data=body, headers=headers)

    async def command(self, words: str, *, token: str) -> Any:
        form = {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "UJO",
            "command": "/partnership",
            "text": words,
            "response_url": self.fake.response_url(token),
            "trigger_id": f"trigger-{token}",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def interact(self, payload: dict[str, Any]) -> Any:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def dm(self, words: str) -> Any:
        """A direct message to the bot (Events API): no trigger_id comes with it."""
        event = {"type": "message", "channel_type": "im", "user": "UJO", "channel": "DUJO"}
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A1",
                "event_id": f"Ev{next(_ids)}",
                "event_time": 1,
                "event": {**event, "text": words},
            }
        )
        return await self.post(body, "application/json")

    async def answer(self, token: str) -> dict[str, Any]:
        """The response_url post answering the request sent with this token."""
        for _ in range(500):
            found = [r for r in self.fake.responses if r.get("_token") == token]
            if found:
                return found[-1]
            await asyncio.sleep(0.02)
        raise AssertionError(f"no answer to {token!r}: {self.fake.responses}")


def slack_text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", [])) + message.get("text", "")


@pytest.fixture
async def slack(db, clock) -> AsyncIterator[Slack]:  # type: ignore[no-untyped-def]
    fake = await FakeSlackAPI().start()
    fake.add_user("UJO", "jo@hillside.sch.uk")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=db.url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake.api_url,
    )
    sender = make_sender(settings, db)
    assert sender is not None
    ctx = build_context(settings, clock=clock, db=db, senders=[sender])
    await load_demo(ctx.router, now=clock.now())
    http = TestClient(TestServer(build_web_app(ctx)))
    await http.start_server()
    yield Slack(ctx, http, fake)
    await http.close()
    await fake.stop()


def modal_submission(view: dict[str, Any]) -> dict[str, Any]:
    """What Slack sends when the person presses Submit on the modal as it was prefilled."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        kind = element["type"]
        if kind == "static_select":
            value: dict[str, Any] = {"selected_option": element.get("initial_option")}
        elif kind == "datepicker":
            value = {"selected_date": element.get("initial_date")}
        elif kind == "checkboxes":
            value = {"selected_options": element.get("initial_options", [])}
        else:
            value = {"value": element.get("initial_value")}
        state[block["block_id"]] = {element["action_id"]: {"type": kind, **value}}
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "UJO"},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": view.get("callback_id"),
            "private_metadata": view.get("private_metadata"),
            "state": {"values": state},
        },
    }


async def test_slack_plain_english_question_write_and_support(slack: Slack) -> None:
    assert (await slack.command(QUESTION, token="q")).status == 200
    answer = slack_text(await slack.answer("q"))
    assert "Read as" in answer and "meetings group:board" in answer
    assert "Partnership board" in answer

    assert (await slack.command(WRITE, token="w")).status == 200
    proposal = await slack.answer("w")
    assert ACTION_7 in slack_text(proposal), "the proposal names the action"
    buttons = [n for n in nodes(proposal.get("blocks", [])) if n.get("type") == "button"]
    confirm = [b for b in buttons if b.get("value") == "action done 7"]
    assert confirm, slack_text(proposal)
    assert await action_status(slack.ctx, 7) == "open", "nothing is done before the yes"
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "UJO"},
        "channel": {"id": "C1"},
        "trigger_id": "trigger-click",
        "response_url": slack.fake.response_url("click"),
        "actions": [
            {"type": "button", "action_id": confirm[0]["action_id"], "value": "action done 7"}
        ],
    }
    assert (await slack.interact(click)).status == 200
    assert "#7" in slack_text(await slack.answer("click"))
    assert await action_status(slack.ctx, 7) == "done"

    before = await support_requests(slack.ctx)
    assert (await slack.command(HELP, token="s")).status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert HELP in json.dumps(view) and "crisis" in json.dumps(view)
    assert await support_requests(slack.ctx) == before, "the form is only shown"
    response = await slack.interact(modal_submission(view))
    assert response.status == 200
    assert await support_requests(slack.ctx) == before + 1


def opened_view(call: Any) -> dict[str, Any]:
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def modal_inputs(view: dict[str, Any]) -> dict[str, Any]:
    """Each input block's prefilled value, by field name."""
    found = {}
    for block in view["blocks"]:
        if block.get("type") == "input":
            element = block["element"]
            found[block["block_id"]] = element.get("initial_value")
    return found


async def test_slack_plain_english_write_is_its_prefilled_modal_saved_only_on_submit(
    slack: Slack,
) -> None:
    """The slash command carries a trigger: the apologies modal opens at once, naming the
    meeting; Jo's answer changes only when the modal is submitted."""
    assert (await slack.command(APOLOGY, token="a")).status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened.args["trigger_id"] == "trigger-a"
    view = opened_view(opened)
    assert BOARD in json.dumps(view), "the modal says which meeting #1 is"
    assert modal_inputs(view) == {"reason": "Ofsted are in"}
    assert await jos_answer(slack.ctx) == ("yes", None), "the form is only shown"
    assert (await slack.interact(modal_submission(view))).status == 200
    assert await jos_answer(slack.ctx) == ("no", "Ofsted are in")
    for _ in range(500):  # the answer, to Jo alone in the channel
        answers = slack.fake.calls_to("chat.postEphemeral") + slack.fake.calls_to(
            "chat.postMessage"
        )
        if answers:
            break
        await asyncio.sleep(0.02)
    assert "#1" in slack_text(answers[0].args)


async def test_slack_plain_english_write_in_a_dm_offers_its_form_saved_only_on_submit(
    slack: Slack,
) -> None:
    """A DM has no trigger_id: the reply names the meeting and carries an "Open form" button
    (as the support form does); its click opens the modal, and only submitting saves."""
    assert (await slack.dm(APOLOGY)).status == 200
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    said = slack_text(posted.args)
    assert "Read as: apologies 1" in said
    assert BOARD in said
    assert not slack.fake.calls_to("views.open")
    (button,) = [
        n for n in nodes(posted.args.get("blocks", [])) if n.get("action_id") == "form:open"
    ]
    assert await jos_answer(slack.ctx) == ("yes", None), "nothing is saved by the message"
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "UJO"},
        "channel": {"id": "DUJO"},
        "trigger_id": "trigger-open",
        "actions": [{"type": "button", "action_id": "form:open", "value": button["value"]}],
    }
    assert (await slack.interact(click)).status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened.args["trigger_id"] == "trigger-open"
    view = opened_view(opened)
    assert modal_inputs(view) == {"reason": "Ofsted are in"}
    assert await jos_answer(slack.ctx) == ("yes", None), "nor by opening the form"
    assert (await slack.interact(modal_submission(view))).status == 200
    assert await jos_answer(slack.ctx) == ("no", "Ofsted are in")


# --- Teams ----------------------------------------------------------------------------------


@pytest.fixture
async def connector() -> AsyncIterator[FakeTeamsConnector]:
    fake = FakeTeamsConnector()
    await fake.start()
    fake.add_member("29:jo", aad_object_id="aad-jo", name="Jo Bloggs", email="jo@hillside.sch.uk")
    yield fake
    await fake.stop()


@pytest.fixture
async def teams_client(ctx: BotContext) -> AsyncIterator[TestClient]:
    await load_demo(ctx.router, now=ctx.clock.now())
    ctx.dispatcher = Dispatcher(ctx.db, [teams.make_sender(ctx.settings, ctx.db)])  # type: ignore[list-item]
    client = TestClient(TestServer(build_web_app(ctx)))
    await client.start_server()
    yield client
    await client.close()


def from_jo(fake: FakeTeamsConnector, words: str | None = None, **extra: Any) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "message",
        "id": f"msg-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": fake.url,
        "from": {"id": "29:jo", "name": "Jo", "aadObjectId": "aad-jo"},
        "recipient": {"id": "28:partnership-bot", "name": "Partnership"},
        "conversation": {"id": "a:chat-jo", "conversationType": "personal", "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}},
        **extra,
    }
    if words is not None:
        activity["text"] = words
    return activity


def card_submit(card: dict[str, Any], wanted: str) -> dict[str, Any]:
    """What Teams sends for a Submit whose data mentions `wanted`: the data plus every input's
    value as it was prefilled."""
    actions = [
        n
        for n in nodes(card)
        if n.get("type") in ("Action.Submit", "Action.Execute") and wanted in json.dumps(n)
    ]
    assert actions, f"no action carrying {wanted!r} in the card"
    inputs = {
        n["id"]: n.get("value", "")
        for n in nodes(card)
        if str(n.get("type", "")).startswith("Input.") and "id" in n
    }
    return {**actions[0].get("data", {}), **inputs}


async def test_teams_plain_english_question_write_and_support(
    teams_client: TestClient, connector: FakeTeamsConnector, ctx: BotContext
) -> None:
    async def say(activity: dict[str, Any]) -> Any:
        response = await teams_client.post("/api/messages", json=activity)
        assert response.status in (200, 202)
        return connector.posted[-1]

    answer = (await say(from_jo(connector, QUESTION))).all_text()
    assert "Read as" in answer and "meetings group:board" in answer
    assert "Partnership board" in answer

    proposal = await say(from_jo(connector, WRITE))
    assert "action done 7" in json.dumps(proposal.cards)
    assert ACTION_7 in proposal.all_text(), "the proposal names the action"
    assert await action_status(ctx, 7) == "open", "nothing is done before the yes"
    value = card_submit(proposal.cards[0], "action done 7")
    done = await say(from_jo(connector, value=value))
    assert "#7" in done.all_text()
    assert await action_status(ctx, 7) == "done"

    before = await support_requests(ctx)
    form = await say(from_jo(connector, HELP))
    card = form.cards[0]
    prefilled = [n for n in nodes(card) if str(n.get("type", "")).startswith("Input.")]
    assert any(n.get("value") == HELP for n in prefilled)
    assert await support_requests(ctx) == before, "the form is only shown"
    filed = await say(from_jo(connector, value=card_submit(card, "support")))
    assert "#" in filed.all_text()
    assert await support_requests(ctx) == before + 1


async def test_teams_plain_english_write_is_its_prefilled_card_saved_only_on_submit(
    teams_client: TestClient, connector: FakeTeamsConnector, ctx: BotContext
) -> None:
    async def say(activity: dict[str, Any]) -> Any:
        response = await teams_client.post("/api/messages", json=activity)
        assert response.status in (200, 202)
        return connector.posted[-1]

    shown = await say(from_jo(connector, APOLOGY))
    assert "Read as: apologies 1" in shown.all_text()
    assert BOARD in shown.all_text(), "the card says which meeting #1 is"
    (card,) = shown.cards
    prefilled = {
        n["id"]: n.get("value")
        for n in nodes(card)
        if str(n.get("type", "")).startswith("Input.") and "id" in n
    }
    assert "Ofsted are in" in prefilled.values()
    assert await jos_answer(ctx) == ("yes", None), "the card is only shown"
    sent = await say(from_jo(connector, value=card_submit(card, "apologies")))
    assert "#1" in sent.all_text()
    assert await jos_answer(ctx) == ("no", "Ofsted are in")


# --- Web chat in a real browser ---------------------------------------------------------------


@pytest.fixture
def browser_available() -> None:
    import os

    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_web_chat_plain_english_question_writes_and_support(
    ctx: BotContext, browser_available: None
) -> None:
    from playwright.async_api import async_playwright, expect

    await load_demo(ctx.router, now=ctx.clock.now())
    async with TestServer(build_web_app(ctx), host="127.0.0.1") as server, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page()
        await page.goto(str(server.make_url("/")))
        await expect(page.locator("body[data-ready='1']")).to_have_count(1)
        await page.select_option("#who", label="Jo Bloggs — head, Hillside Primary")

        async def say(words: str) -> Any:
            before = await page.locator("#log .reply").count()
            await page.fill("#text", words)
            await page.press("#text", "Enter")
            await expect(page.locator("#log .reply")).to_have_count(before + 1)
            return page.locator("#log .reply").last

        async def press(button: Any) -> Any:
            """Click and wait for the bot's answer (a new reply, not the one pressed in)."""
            before = await page.locator("#log .reply").count()
            await button.click()
            await expect(page.locator("#log .reply")).to_have_count(before + 1)
            return page.locator("#log .reply").last

        reply = await say(QUESTION)
        await expect(reply).to_contain_text("Read as")
        await expect(reply).to_contain_text("meetings group:board")
        await expect(reply).to_contain_text("Partnership board")

        reply = await say(APOLOGY)
        await expect(reply).to_contain_text("Read as: apologies 1")
        await expect(reply).to_contain_text(BOARD)  # which meeting #1 is
        form = reply.locator("form.cmdform")
        await expect(form).to_have_count(1)
        values = await form.locator("textarea, input").evaluate_all("els => els.map(e => e.value)")
        assert "Ofsted are in" in values
        assert await jos_answer(ctx) == ("yes", None), "the form is only shown"
        sent = await press(form.locator("button[type=submit], input[type=submit]").first)
        await expect(sent).to_contain_text("#1")
        assert await jos_answer(ctx) == ("no", "Ofsted are in")

        reply = await say(WRITE)
        await expect(reply).to_contain_text(ACTION_7)  # what action #7 is
        confirm = reply.locator("button.cmd[data-command='action done 7']")
        await expect(confirm).to_have_count(1)
        assert await action_status(ctx, 7) == "open", "nothing is done before the yes"
        await expect(await press(confirm)).to_contain_text("#7")
        assert await action_status(ctx, 7) == "done"

        before = await support_requests(ctx)
        reply = await say(HELP)
        form = reply.locator("form.cmdform")
        await expect(form).to_have_count(1)
        values = await form.locator("textarea, input").evaluate_all("els => els.map(e => e.value)")
        assert HELP in values
        assert await support_requests(ctx) == before, "the form is only shown"
        filed = await press(form.locator("button[type=submit], input[type=submit]").first)
        await expect(filed).to_contain_text("#")
        assert await support_requests(ctx) == before + 1
        await browser.close()
