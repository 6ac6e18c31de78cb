"""The Adaptive Cards renderer: every Reply element, valid against the 1.5 schema, offline."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.render.adaptivecards import (
    CARD_BYTES,
    COMMAND_KEY,
    FORM_KEY,
    INPUT_PREFIX,
    MAX_INLINE_IMAGE_BYTES,
    escape_text,
    needs_card,
    render_attachment,
    render_card,
    submitted_values,
)
from bot.reply import Actions, Button, File, Form, FormField, Image, Reply, Section, Table

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "teams" / "adaptive-card-1.5-subset.schema.json").read_text()
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def validate(card: dict[str, Any]) -> None:
    """Schema-check a card; `msteams` is a Teams host extension outside the card schema."""
    card = {k: v for k, v in card.items() if k != "msteams"}
    jsonschema.Draft7Validator(SCHEMA).validate(card)


def walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node:
            found.append(node)
        for value in node.values():
            found.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(walk(value))
    return found


def of_type(card: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in walk(card["body"]) if n.get("type") == kind]


def texts(card: dict[str, Any]) -> str:
    return "\n".join(n["text"] for n in of_type(card, "TextBlock"))


def sample_form(**overrides: Any) -> Form:
    fields = [
        FormField("title", "Title", required=True, positional=True, placeholder="What needs doing"),
        FormField("details", "Details", kind="textarea"),
        FormField("kind", "Kind", kind="select", options=["crisis", "consultancy"], value="crisis"),
        FormField("due", "Due", kind="date", value="12/01/2024"),
        FormField("subscribers", "Subscribers only", kind="checkbox", value="yes"),
    ]
    return Form(title="Add an action", command="action add", fields=fields, **overrides)


def test_the_schema_is_honest() -> None:
    validate(render_card(Reply(text="ok")))
    bad_cards = [
        {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]},
        {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Marquee", "text": "x"}]},
        {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": "x", "colour": "red"}],
        },
        {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Input.Text"}]},
        {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "Image", "altText": "no url"}],
        },
        {"type": "AdaptiveCard", "body": []},
    ]
    for card in bad_cards:
        with pytest.raises(jsonschema.ValidationError):
            validate(card)


def test_text_and_fields_become_text_and_a_factset() -> None:
    reply = Reply(text="Meeting #3\nAttendance working group").add(
        Section(
            title="Details",
            text="Bring PA figures",
            fields=[("When", "Fri 15 Dec 10:00"), ("Where", "Albion House")],
        )
    )
    card = render_card(reply)
    validate(card)
    assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
    assert "Meeting #3" in texts(card) and "Attendance working group" in texts(card)
    facts = of_type(card, "FactSet")[0]["facts"]
    assert facts == [
        {"title": "When", "value": "Fri 15 Dec 10:00"},
        {"title": "Where", "value": "Albion House"},
    ]


def test_markdown_in_user_text_is_shown_as_typed() -> None:
    assert escape_text("**not bold** [link](x)") == r"\*\*not bold\*\* \[link\](x)"
    assert escape_text("- not a list\n1. nor this") == "\\- not a list\n1\\. nor this"
    card = render_card(Reply(text="_Jo_ <at>Sam</at>"))
    assert of_type(card, "TextBlock")[0]["text"] == r"\_Jo\_ \<at\>Sam\</at\>"


def test_tables_use_the_table_element_with_a_header_row() -> None:
    reply = Reply(text="Actions").add(
        Table(columns=["#", "action", "due"], rows=[["7", "Circulate PA figures", "12/01/2024"]])
    )
    card = render_card(reply)
    validate(card)
    table = of_type(card, "Table")[0]
    assert table["firstRowAsHeader"] is True
    assert len(table["columns"]) == 3
    header, row = table["rows"]
    assert [c["items"][0]["text"] for c in header["cells"]] == ["#", "action", "due"]
    assert [c["items"][0]["text"] for c in row["cells"]] == [
        "7",
        "Circulate PA figures",
        "12/01/2024",
    ]
    assert card["msteams"] == {"width": "Full"}


def test_long_and_empty_tables_say_so() -> None:
    rows = [[str(i), "x"] for i in range(1000)]
    card = render_card(Reply().add(Table(columns=["n", "v"], rows=rows, title="Lots")))
    validate(card)
    assert len(json.dumps(card).encode()) <= CARD_BYTES
    shown = len(of_type(card, "Table")[0]["rows"]) - 1  # after the header row
    assert 0 < shown < 1000
    assert f"{1000 - shown} more items not shown here" in texts(card)
    empty = render_card(Reply().add(Table(columns=["n"], rows=[])))
    validate(empty)
    assert "(none)" in texts(empty) and not of_type(empty, "Table")


def test_ragged_rows_are_padded_to_the_columns() -> None:
    card = render_card(
        Reply().add(Table(columns=["a", "b", "c"], rows=[["1"], ["1", "2", "3", "4"]]))
    )
    validate(card)
    rows = of_type(card, "Table")[0]["rows"]
    assert all(len(r["cells"]) == 3 for r in rows)


def test_buttons_submit_their_command_with_styles() -> None:
    reply = Reply(text="Action #7").add(
        Actions(
            [
                Button("Done", "action done 7", style="primary"),
                Button("Snooze a week", "action snooze 7 1w"),
                Button("Cancel", "action cancel 7", style="danger"),
            ]
        )
    )
    card = render_card(reply)
    validate(card)
    actions = of_type(card, "ActionSet")[0]["actions"]
    assert [a["type"] for a in actions] == ["Action.Submit"] * 3
    assert [a["data"][COMMAND_KEY] for a in actions] == [
        "action done 7",
        "action snooze 7 1w",
        "action cancel 7",
    ]
    assert actions[0]["style"] == "positive" and actions[2]["style"] == "destructive"
    assert "style" not in actions[1]


def test_buttons_can_be_universal_actions() -> None:
    card = render_card(Reply().add(Actions([Button("Done", "action done 7")])), actions="execute")
    validate(card)
    action = of_type(card, "ActionSet")[0]["actions"][0]
    assert action["type"] == "Action.Execute" and action["verb"]
    assert action["data"] == {COMMAND_KEY: "action done 7"}


def test_images_inline_as_data_uri_or_url_always_with_alt_text() -> None:
    inline = render_card(Reply().add(Image(alt="PA rates by year", data=PNG, title="Absence")))
    validate(inline)
    image = of_type(inline, "Image")[0]
    assert image["url"].startswith("data:image/png;base64,")
    assert base64.b64decode(image["url"].split(",", 1)[1]) == PNG
    assert image["altText"] == "PA rates by year"
    linked = render_card(Reply().add(Image(alt="chart", url="https://example.org/c.png")))
    validate(linked)
    assert of_type(linked, "Image")[0]["url"] == "https://example.org/c.png"


def test_a_picture_too_big_for_teams_is_described_instead() -> None:
    big = render_card(Reply().add(Image(alt="PA rates", data=b"x" * (MAX_INLINE_IMAGE_BYTES + 1))))
    validate(big)
    assert not of_type(big, "Image")
    assert "PA rates" in texts(big)


def test_files_show_as_monospace_text_and_long_ones_are_cut() -> None:
    small = render_card(Reply().add(File(name="actions.csv", content="id,title\n7,PA figures\n")))
    validate(small)
    blocks = of_type(small, "TextBlock")
    assert "actions.csv" in blocks[0]["text"]
    assert blocks[1]["fontType"] == "monospace" and "7,PA figures" in blocks[1]["text"]
    content = "\n".join(f"{i},row {i}" for i in range(2000))
    big = render_card(Reply().add(File(name="all.csv", content=content)))
    validate(big)
    assert "more lines" in texts(big)
    assert len(json.dumps(big)) < 20_000


def test_forms_have_inputs_with_labels_validation_and_submit() -> None:
    card = render_card(Reply(text="Fill this in").add(sample_form()))
    validate(card)
    inputs = {n["id"]: n for n in walk(card["body"]) if str(n.get("type")).startswith("Input.")}
    title = inputs[INPUT_PREFIX + "title"]
    assert title["type"] == "Input.Text" and title["isRequired"] is True
    assert title["errorMessage"] == "Title is required." and title["label"] == "Title"
    assert title["placeholder"] == "What needs doing"
    assert inputs[INPUT_PREFIX + "details"]["isMultiline"] is True
    kind = inputs[INPUT_PREFIX + "kind"]
    assert kind["type"] == "Input.ChoiceSet" and kind["value"] == "crisis"
    # not required: a blank first choice, so it can be left out
    assert [c["value"] for c in kind["choices"]] == ["", "crisis", "consultancy"]
    due = inputs[INPUT_PREFIX + "due"]
    assert due["type"] == "Input.Date" and due["value"] == "2024-01-12"  # UK order understood
    toggle = inputs[INPUT_PREFIX + "subscribers"]
    assert toggle["type"] == "Input.Toggle" and toggle["value"] == "yes"
    submit = of_type(card, "ActionSet")[-1]["actions"][0]
    assert submit["type"] == "Action.Submit" and submit["title"] == "Submit"
    assert submit["data"][FORM_KEY]["command"] == "action add"


def test_a_submitted_form_builds_the_command_a_user_would_type() -> None:
    form = sample_form()
    spec = render_card(Reply().add(form))["body"][-1]["items"][-1]["actions"][0]["data"][FORM_KEY]
    data = {
        FORM_KEY: spec,
        INPUT_PREFIX + "title": "Circulate PA figures",
        INPUT_PREFIX + "details": "",
        INPUT_PREFIX + "kind": "consultancy",
        INPUT_PREFIX + "due": "2024-01-12",
        INPUT_PREFIX + "subscribers": "yes",
        "msteams": {"type": "task/fetch"},
    }
    values = submitted_values(data)
    rebuilt = Form.from_wire(spec).with_values(values)
    assert rebuilt.to_command(values) == (
        'action add "Circulate PA figures" kind:consultancy due:2024-01-12 subscribers:yes'
    )
    assert rebuilt.to_command(values) == form.to_command(values)
    assert [f.value for f in rebuilt.fields][:2] == ["Circulate PA figures", None]


def test_the_field_a_user_error_was_about_shows_its_message() -> None:
    reply = Reply(text="Give a due date like 12/01/2024.", error=True, error_field="due")
    reply.add(sample_form())
    card = render_card(reply)
    validate(card)
    body = card["body"]
    assert body[0]["color"] == "attention"
    items = body[-1]["items"]
    due_at = next(i for i, n in enumerate(items) if n.get("id") == INPUT_PREFIX + "due")
    after = items[due_at + 1]
    assert after["type"] == "TextBlock" and after["color"] == "attention"
    assert "due date" in after["text"]
    own = render_card(Reply().add(Form("T", "x", [FormField("a", "A", error="Too long")])))
    validate(own)
    assert "Too long" in texts(own)


def test_plain_text_replies_need_no_card_and_attachments_have_the_card_type() -> None:
    assert not needs_card(Reply(text="hello"))
    assert needs_card(Reply(text="bad", error=True))
    assert needs_card(Reply().add(Section(text="x")))
    attachment = render_attachment(Reply(text="hi"))
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    validate(attachment["content"])


def test_every_element_together_is_one_valid_card() -> None:
    reply = Reply(text="Everything").add(
        Section(text="a", fields=[("x", "")]),
        Table(columns=["a"], rows=[["1"]]),
        Image(alt="chart", data=PNG),
        Actions([Button("Go", "help")]),
        Actions([]),
        File(name="f.csv", content=""),
        sample_form(),
    )
    card = render_card(reply)
    validate(card)
    # Everything after the headline is separated from what comes before it.
    assert all(block.get("separator") for block in card["body"][1:])
    assert Reply.from_dict(reply.to_dict()).to_dict() == reply.to_dict()
    assert render_card(Reply.from_dict(reply.to_dict())) == card
