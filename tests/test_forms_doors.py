"""Forms in the Slack and Teams doors, through the real SDK clients and the fake servers: an
incomplete command opens its form prefilled; a bad date comes back on its field with what was
typed; a resolve asks for the note before anything changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import BotContext, build_web_app
from storage import support as support_store
from storage.meetings import Meeting
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_slack import Slack, fake_fixture, slack_fixture  # noqa: F401
from tests.test_teams import client, connector, personal, post  # noqa: F401
from tests.test_webchat import CHROMIUM, FLAGS, browser_available  # noqa: F401

CRISIS = 'support crisis "Head unexpectedly absent; interim leadership advice needed today"'


def view_of(call: Any) -> dict[str, Any]:
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def submitted(view: dict[str, Any], values: dict[str, str], user: str) -> dict[str, Any]:
    """A view_submission as Slack sends it: each input's state by its block id."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        name, element = block["block_id"], block["element"]
        value = values.get(name, element.get("initial_value"))
        if element["type"] == "static_select":
            chosen = element.get("initial_option", {}).get("value")
            state[name] = {
                "value": {
                    "type": "static_select",
                    "selected_option": (
                        {"value": values[name]}
                        if name in values
                        else ({"value": chosen} if chosen else None)
                    ),
                }
            }
        elif element["type"] == "checkboxes":
            state[name] = {"value": {"type": "checkboxes", "selected_options": []}}
        elif element["type"] == "datepicker":
            state[name] = {"value": {"type": "datepicker", "selected_date": value}}
        else:
            state[name] = {"value": {"type": "plain_text_input", "value": value}}
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": state},
        },
    }


async def meetings_in(ctx: BotContext) -> int:
    from sqlalchemy import func, select

    async with ctx.db.session() as session:
        return await session.scalar(select(func.count(Meeting.id))) or 0


async def test_slack_modal_prefilled_from_the_command_returns_a_bad_date_on_its_field(
    slack: Slack,
) -> None:
    await slack.command('meeting add "Budget" group:attendance', user="USAM")
    (opened,) = await slack.fake.wait_for("views.open")
    view = view_of(opened)
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert blocks["title"]["element"]["initial_value"] == "Budget"
    assert blocks["group"]["element"]["initial_option"]["value"] == "attendance"
    assert "next Friday 10:00" in blocks["on"]["hint"]["text"]  # the accepted forms

    bad = submitted(view, {"on": "32/13/2023 10:00"}, "USAM")
    response = await slack.interact(bad)
    body = await response.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == ["on"]
    assert "month 13" in body["errors"]["on"]
    assert await meetings_in(slack.ctx) == 0

    good = submitted(view, {"on": "15/12/2023 10:00"}, "USAM")
    response = await slack.interact(good)
    assert response.status == 200 and (await response.text()) == ""
    (post_,) = await slack.fake.wait_for("chat.postEphemeral")
    assert "Added meeting #1: Budget" in json.dumps(post_.args)
    assert await meetings_in(slack.ctx) == 1


async def test_slack_resolve_asks_for_the_note_before_anything_changes(slack: Slack) -> None:
    await slack.command(CRISIS, user="UJO")
    await slack.fake.wait_for_response()
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "USAM"},
        "channel": {"id": "C1"},
        "response_url": slack.fake.response_url("click"),
        "actions": [
            {"type": "button", "action_id": "run:triage resolve 1", "value": "triage resolve 1"}
        ],
    }
    assert (await slack.interact(click)).status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    view = view_of(opened)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == ["note"] and inputs[0]["optional"] is False
    async with slack.ctx.db.session() as session:
        request = await support_store.get_request(session, 1)
        assert request is not None and request.status == "new"  # nothing done on the click
    done = submitted(view, {"note": "Adviser visited"}, "USAM")
    assert (await slack.interact(done)).status == 200
    await slack.fake.wait_for("chat.postEphemeral")
    async with slack.ctx.db.session() as session:
        request = await support_store.get_request(session, 1)
        assert request is not None and request.status == "resolved"


def inputs_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"].removeprefix("field.")] = node
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return found


def form_wire(card: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(card)
    start = text.index('"pb_form": ') + len('"pb_form": ')
    return json.JSONDecoder().raw_decode(text[start:])[0]


async def test_teams_card_prefilled_from_the_command_returns_a_bad_date_on_its_field(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
    directory: BotContext,
) -> None:
    await post(client, personal(connector, "alex", 'meeting add "Budget" group:attendance'))
    card = connector.posted[-1].cards[0]
    fields = inputs_of(card)
    assert fields["title"]["value"] == "Budget" and fields["group"]["value"] == "attendance"
    spec = form_wire(card)
    values = {"field.title": "Budget", "field.group": "attendance", "field.on": "32/13/2023 10:00"}
    await post(client, personal(connector, "alex", value={"pb_form": spec, **values}))
    again = connector.posted[-1].cards[0]
    items = json.dumps(again)
    assert inputs_of(again)["on"]["value"] == "32/13/2023 10:00"  # kept, to correct
    assert inputs_of(again)["title"]["value"] == "Budget"
    # the message sits right under the date's input
    body = again["body"][-1]["items"]
    at = next(i for i, n in enumerate(body) if n.get("id") == "field.on")
    after = [n for n in body[at + 1 : at + 3] if n.get("color") == "attention"]
    assert after and "month 13" in after[0]["text"] and "month 13" in items
    assert await meetings_in(directory) == 0


async def test_teams_resolve_asks_for_the_note(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
    directory: BotContext,
) -> None:
    await post(client, personal(connector, "jo", CRISIS))
    await post(client, personal(connector, "alex", value={"command": "triage resolve 1"}))
    card = connector.posted[-1].cards[0]
    assert list(inputs_of(card)) == ["note"] and inputs_of(card)["note"]["isRequired"] is True
    async with directory.db.session() as session:
        request = await support_store.get_request(session, 1)
        assert request is not None and request.status == "new"
    values = {"field.note": "Adviser visited"}
    await post(client, personal(connector, "alex", value={"pb_form": form_wire(card), **values}))
    assert "resolved" in connector.posted[-1].all_text()
    async with directory.db.session() as session:
        request = await support_store.get_request(session, 1)
        assert request is not None and request.status == "resolved"


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_web_chat_form_shows_a_bad_date_on_its_field_in_a_real_browser(
    directory: BotContext,
    browser_available: None,  # noqa: F811
) -> None:
    """Debian's chromium through Playwright: the typed command opens its form prefilled; a bad
    date comes back on the date's own field, with everything typed still there."""
    from playwright.async_api import async_playwright, expect

    async with (
        TestServer(build_web_app(directory), host="127.0.0.1") as server,
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page()
        await page.goto(str(server.make_url("/")))
        await expect(page.locator("body[data-ready='1']")).to_have_count(1)
        await page.select_option("#who", label="Sam Patel — staff, Learn Sheffield")
        await page.fill("#text", 'meeting add "Budget" group:attendance')
        await page.press("#text", "Enter")
        form = page.locator("#log form.cmdform").last
        await expect(form.locator("input[name='title']")).to_have_value("Budget")
        await expect(form.locator("select[name='group']")).to_have_value("attendance")
        await expect(form).to_contain_text("next Friday 10:00")  # the accepted forms
        await form.locator("input[name='on']").fill("32/13/2023 10:00")
        await form.locator("input[name='place']").fill("Albion House")
        await form.locator("button[type='submit']").click()

        again = page.locator("#log form.cmdform").last
        on_field = again.locator("label.field", has=page.locator("input[name='on']"))
        await expect(on_field.locator(".field-error")).to_contain_text("month 13")
        await expect(on_field.locator("input")).to_have_value("32/13/2023 10:00")
        await expect(on_field.locator("input")).to_have_attribute("aria-invalid", "true")
        await expect(on_field.locator("input")).to_be_focused()  # ready to correct
        await expect(again.locator("input[name='place']")).to_have_value("Albion House")
        await expect(again.locator(".field-error")).to_have_count(1)  # on that field only
        await browser.close()
    assert await meetings_in(directory) == 0
