"""One wire format for forms (`Form.to_wire`/`from_wire`): every renderer writes it, every door
reads it back to the same form and the same command, and a value that is not one of our forms
gets a clear answer (never a 500)."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import BotContext
from bot.errors import UserError
from bot.render import adaptivecards, blockkit
from bot.render.html import render_html
from bot.reply import Form, FormField, Reply
from storage.directory import person_by_email
from tests.conftest import web_client
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_slack import Slack, fake_fixture, slack_fixture, text_of  # noqa: F401
from tests.test_teams import client, connector, personal, post  # noqa: F401


def opp_form() -> Form:
    """Every kind of field, defaults and not, text that needs escaping in every format."""
    return Form(
        title='Post an "opportunity" <now>',
        command="opp add",
        submit_label="Post",
        fields=[
            FormField("title", "Title", required=True, positional=True, placeholder="NPQ & more"),
            FormField("summary", "Summary", kind="textarea", value="Line one\nline 'two'"),
            FormField("phase", "Phase", kind="select", options=["all", "primary"], value="all"),
            FormField("closes", "Closing date", kind="date", value="2024-01-31"),
            FormField("subscribers", "Subscribers only", kind="checkbox", error="Say yes or no"),
        ],
    )


VALUES = {
    "title": "Funded NPQ places",
    "summary": "",
    "phase": "primary",
    "closes": "2024-01-31",
    "subscribers": "yes",
}
COMMAND = 'opp add "Funded NPQ places" phase:primary closes:2024-01-31 subscribers:yes'


def test_the_outbox_keeps_a_form_in_the_wire_format() -> None:
    reply = Reply(text="Fill this in").add(opp_form())
    stored = json.loads(json.dumps(reply.to_dict()))
    assert stored["elements"][0] == opp_form().to_wire()
    assert Reply.from_dict(stored) == reply


def test_a_form_stored_before_the_wire_format_still_reads() -> None:
    """Outbox rows written by `dataclasses.asdict` (every key, defaults included)."""
    old = {
        "title": "T",
        "command": "support",
        "submit_label": "Send",
        "type": "form",
        "fields": [
            {
                "name": "details",
                "label": "Details",
                "kind": "textarea",
                "options": [],
                "required": True,
                "placeholder": None,
                "value": None,
                "positional": True,
                "error": None,
            }
        ],
    }
    form = Reply.from_dict({"text": "", "elements": [old]}).form
    assert (
        form is not None and form.to_command({"details": "Head absent"}) == 'support "Head absent"'
    )


def test_every_renderer_carries_the_same_form_and_every_door_builds_the_same_command() -> None:
    form = opp_form()
    # Slack: the message button opens the form; the modal keeps it in private_metadata
    button = blockkit.reply_blocks(Reply().add(form))[1]["elements"][0]
    assert Form.from_wire(button["value"]) == form
    modal = blockkit.render_modal(form, metadata=blockkit.modal_metadata(form, channel="C1"))
    from_modal, channel = blockkit.read_modal_metadata(modal["private_metadata"])
    # the modal keeps only what builds the command (Slack shows the choices itself)
    assert (from_modal, channel) == (form.slim(), "C1")
    state = {
        "title": {"value": {"type": "plain_text_input", "value": VALUES["title"]}},
        "summary": {"value": {"type": "plain_text_input", "value": None}},
        "phase": {"value": {"type": "static_select", "selected_option": {"value": "primary"}}},
        "closes": {"value": {"type": "datepicker", "selected_date": "2024-01-31"}},
        "subscribers": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
    }
    assert from_modal.to_command(blockkit.modal_values(state)) == COMMAND
    # Teams: the submit action's data, merged with the inputs as Teams sends them
    card = adaptivecards.render_card(Reply().add(form))
    submit = card["body"][-1]["items"][-1]["actions"][0]
    data = json.loads(json.dumps(submit["data"]))
    assert Form.from_wire(data[adaptivecards.FORM_KEY]) == form
    data.update({adaptivecards.INPUT_PREFIX + k: v for k, v in VALUES.items()})
    values = adaptivecards.submitted_values(data)
    assert Form.from_wire(data[adaptivecards.FORM_KEY]).to_command(values) == COMMAND
    # web chat: the page posts back the data-form attribute with the values
    (attribute,) = re.findall(r'data-form="([^"]*)"', render_html(Reply().add(form)))
    from_page = Form.from_wire(json.loads(unescape(attribute)))
    assert from_page == form and from_page.to_command(VALUES) == COMMAND


def test_with_values_fills_the_form_in_again() -> None:
    again = opp_form().with_values(VALUES)
    assert [f.value for f in again.fields] == [
        "Funded NPQ places",
        None,
        "primary",
        "2024-01-31",
        "yes",
    ]
    assert all(f.error is None for f in again.fields)


FOREIGN: list[Any] = [
    "not json",
    "[1, 2]",
    None,
    {"type": "table", "command": "opp add", "fields": []},
    {"t": "Old Slack button", "c": "opp add", "s": "Post", "f": [["title", "T"]]},
    {"command": "  ", "fields": []},
    {"command": "opp add", "fields": "title"},
    {"command": "opp add", "fields": [["title"]]},
    {"command": "opp add", "fields": [{"name": "title phase:all"}]},
    {"command": "opp add", "fields": [{"name": "title", "kind": "slider"}]},
    {"command": "opp add", "fields": [{"name": "title", "options": "a,b"}]},
    {"command": "opp add", "fields": [{"name": "title", "required": "yes"}]},
    {"command": "opp add", "fields": [{"name": "title", "label": 7}]},
    {"command": "opp add", "fields": [{"name": "a"}, {"name": "a"}]},
    {"command": "opp add", "title": ["x"], "fields": []},
]


@pytest.mark.parametrize("value", FOREIGN)
def test_a_value_that_is_not_our_form_is_a_clear_user_error(value: Any) -> None:
    with pytest.raises(UserError) as err:
        Form.from_wire(value)
    assert str(err.value).startswith("That form could not be read (")
    assert "Type the command instead." in str(err.value) and "Example: help" in str(err.value)


async def test_web_chat_takes_the_form_as_the_page_got_it_and_refuses_others(
    directory: BotContext,
) -> None:
    async with directory.db.session() as session:
        sam = await person_by_email(session, "sam@learnsheffield.co.uk")
    assert sam is not None
    async with web_client(directory) as http:
        shown = await http.post("/api/web/command", json={"person_id": sam.id, "text": "opp add"})
        (attribute,) = re.findall(r'data-form="([^"]*)"', (await shown.json())["html"])
        values = {"title": "Funded NPQ places", "closes": "31/01/2024", "subscribers": "on"}
        body = {"person_id": sam.id, "form": json.loads(unescape(attribute)), "values": values}
        done = await (await http.post("/api/web/form", json=body)).json()
        assert not done["error"], done["text"]
        assert done["command"].startswith('opp add "Funded NPQ places" closes:31/01/2024')
        assert "subscribers:yes" in done["command"]
        for form in ("junk", {"command": "opp add", "fields": [{"name": "Bad Name"}]}):
            bad = await http.post(
                "/api/web/form", json={"person_id": sam.id, "form": form, "values": {}}
            )
            assert bad.status == 400
            answer = await bad.json()
            assert answer["error"] and "That form could not be read" in answer["text"]
        wrong_values = {"person_id": sam.id, "form": body["form"], "values": {"title": 3}}
        bad = await http.post("/api/web/form", json=wrong_values)
        assert bad.status == 400 and "must be text" in (await bad.json())["text"]


async def test_teams_answers_a_foreign_form_in_words(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
) -> None:
    junk = {"pb_form": {"command": "whoami", "fields": "nope"}, "field.x": "1"}
    assert await post(client, personal(connector, "alex", value=junk)) == 202
    assert "That form could not be read" in connector.posted[-1].all_text()


async def test_slack_answers_a_foreign_form_button_in_words_and_refuses_a_foreign_modal(
    slack: Slack,
) -> None:
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "UALEX"},
        "channel": {"id": "C1"},
        "trigger_id": "trigger-2",
        "response_url": slack.fake.response_url(),
        "actions": [{"type": "button", "action_id": "form:open", "value": '{"c":"old"}'}],
    }
    assert (await slack.interact(click)).status == 200
    (answer,) = await slack.fake.wait_for_response()
    assert "That form could not be read" in text_of(answer)
    assert slack.fake.calls_to("views.open") == []

    submitted = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "UALEX"},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": blockkit.FORM_CALLBACK,
            "private_metadata": '{"c":"person add","f":[["name","text",true]]}',
            "state": {"values": {}},
        },
    }
    # a submission whose metadata the bot did not write is refused before anything runs
    # (issue 22: a 4xx with nothing stored or sent; tests/test_malformed_doors.py)
    response = await slack.interact(submitted)
    assert response.status == 400
    assert slack.fake.calls_to("chat.postMessage") == []


def test_what_a_form_acts_on_travels_with_it_and_its_modal_says_it() -> None:
    """A Slack modal shows no message above it: its `about` names what "#1" in its title is."""
    form = Form(
        title="Apologies for meeting #1",
        command="apologies",
        fields=[
            FormField("meeting", "meeting", "hidden", positional=True, value="1"),
            FormField("reason", "Reason", positional=True, value="Ofsted are in"),
        ],
        about="Partnership board, Thu 14 Dec 2023, 14:00-16:00",
    )
    assert Form.from_wire(form.wire_text()) == form
    assert "about" not in opp_form().to_wire()  # only when there is something to say
    modal = blockkit.render_modal(form, metadata=blockkit.modal_metadata(form))
    texts = [b["text"]["text"] for b in modal["blocks"] if b["type"] == "section"]
    assert texts == ["Partnership board, Thu 14 Dec 2023, 14:00-16:00"]
