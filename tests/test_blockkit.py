"""The Block Kit renderer, offline: every Reply element, escaping, and Slack's limits."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from bot.render.blockkit import (
    MESSAGE_CHARS,
    ZWSP,
    escape,
    modal_metadata,
    modal_values,
    read_modal_metadata,
    render_home,
    render_message,
    render_modal,
    reply_blocks,
)
from bot.reply import Actions, Button, File, Form, FormField, Image, Reply, Section, Table


def visible(text: str) -> str:
    """What a reader sees: zero-width spaces vanish, entities decode."""
    return text.replace(ZWSP, "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_section_with_title_text_and_fields() -> None:
    reply = Reply(text="Your meeting").add(
        Section(title="Attendance working group", text="Albion House", fields=[("When", "Fri")])
    )
    blocks = reply_blocks(reply)
    assert blocks[0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "Your meeting", "verbatim": True},
    }
    assert blocks[1]["text"]["text"] == "*Attendance working group*\nAlbion House"
    assert blocks[1]["fields"] == [{"type": "mrkdwn", "text": "*When*\nFri", "verbatim": True}]


def test_more_than_ten_fields_spill_into_further_sections() -> None:
    fields = [(f"L{i}", f"v{i}") for i in range(23)]
    blocks = reply_blocks(Reply().add(Section(fields=fields)))
    assert [len(b["fields"]) for b in blocks] == [10, 10, 3]


def test_user_text_cannot_mention_link_or_format() -> None:
    evil = "<!channel> <@U123> <https://evil.example|click> *bold* _it_ ~s~ `code` & co"
    message = render_message(Reply(text=evil).add(Section(title=evil, fields=[(evil, evil)])))
    raw = json.dumps(message)
    for bad in ("<!channel>", "<@U123>", "<https://", "*bold*", "_it_", "~s~", "`code`"):
        assert bad not in raw
    assert visible(message["blocks"][0]["text"]["text"]) == evil
    assert "& co" not in message["text"] and "&amp; co" in message["text"]


@given(st.text(alphabet=st.characters(exclude_characters=ZWSP), max_size=200))
def test_escaping_round_trips_and_never_leaves_markup(text: str) -> None:
    out = escape(text)
    assert visible(out) == text
    assert "<" not in out and ">" not in out
    for ch in "*_~`":
        for i, c in enumerate(out):
            if c == ch:
                assert out[i - 1] == ZWSP and out[i + 1] == ZWSP


def test_long_text_is_split_into_sections_not_cut() -> None:
    blocks = reply_blocks(Reply(text="<" * 1000).add(Section(fields=[("x", "y" * 5000)])))
    texts = [b["text"]["text"] for b in blocks]
    assert all(len(t) <= 3000 for t in texts) and len(texts) >= 4
    assert all(t.endswith("&lt;") for t in texts[:2])  # never inside an entity
    assert visible("".join(texts[:2])) == "<" * 1000
    assert visible("".join(texts[2:])).count("y") == 5000  # a long field: sections of its own


def test_a_headline_too_long_for_any_message_is_cut_with_a_word() -> None:
    blocks = reply_blocks(Reply(text="word " * 10_000))
    assert len(json.dumps(blocks, ensure_ascii=False)) <= MESSAGE_CHARS
    assert "web chat" in blocks[-1]["elements"][0]["text"]


def test_table_reads_as_lines_with_column_names() -> None:
    table = Table(
        columns=["Action", "Owner", "Due"],
        rows=[["#7 Circulate PA figures", "Jo Bloggs", "12/01/2024"], ["#8 Plan", "", "-"]],
        title="Open actions",
    )
    (block,) = reply_blocks(Reply().add(table))
    assert block["text"]["text"] == (
        "*Open actions*\n*#7 Circulate PA figures* — Owner: Jo Bloggs · Due: 12/01/2024\n"
        "*#8 Plan* — Due: -"
    )


def test_big_tables_and_replies_stay_within_fifty_blocks() -> None:
    rows = [[f"row {i}", "x" * 200] for i in range(400)]
    reply = Reply(text="lots").add(Table(columns=["a", "b"], rows=rows))
    reply.add(*[Section(text=f"s{i}") for i in range(80)])
    blocks = reply_blocks(reply)
    assert len(blocks) <= 50
    assert len(json.dumps(blocks, ensure_ascii=False)) <= MESSAGE_CHARS
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert "more items not shown here" in blocks[-1]["text"]["text"]


def test_buttons_carry_their_command() -> None:
    reply = Reply().add(
        Actions([Button("RSVP yes", "rsvp 3 yes", style="primary"), Button("Same", "rsvp 3 yes")])
    )
    (block,) = reply_blocks(reply)
    first, second = block["elements"]
    assert first == {
        "type": "button",
        "text": {"type": "plain_text", "text": "RSVP yes"},
        "action_id": "run:rsvp 3 yes",
        "value": "rsvp 3 yes",
        "style": "primary",
    }
    assert second["value"] == "rsvp 3 yes" and second["action_id"] != first["action_id"]


def test_many_buttons_split_into_blocks_of_25() -> None:
    reply = Reply().add(Actions([Button(f"b{i}", f"action done {i}") for i in range(30)]))
    assert [len(b["elements"]) for b in reply_blocks(reply)] == [25, 5]


def test_images_by_url_by_served_png_or_as_alt_text() -> None:
    url_image = Image(alt="Attendance 2018/19", url="https://bot.example/c.png", title="PA")
    png = Image(alt="Core cities", data=b"\x89PNG...", title="Compare")
    blocks = reply_blocks(Reply().add(url_image, png))
    assert blocks[0] == {
        "type": "image",
        "image_url": "https://bot.example/c.png",
        "alt_text": "Attendance 2018/19",
        "title": {"type": "plain_text", "text": "PA"},
    }
    assert blocks[1]["type"] == "context" and "Core cities" in blocks[1]["elements"][0]["text"]
    served = reply_blocks(Reply().add(png), image_url=lambda i: "https://bot.example/x.png")
    assert served[0]["image_url"] == "https://bot.example/x.png"


def test_file_shows_inline_as_preformatted_text() -> None:
    (block,) = reply_blocks(Reply().add(File(name="actions.csv", content="a,b\n<1>,```\n")))
    text = block["text"]["text"]
    assert text.startswith("*actions.csv*\n```") and text.endswith("```")
    assert "&lt;1&gt;" in text and text.count("```") == 2


def test_a_long_file_shows_whole_lines_never_part_of_an_entity_and_says_so() -> None:
    content = "a,b\n" + "1,x\n" * 698 + "9,<<<"  # 2801 characters; the last line does not fit
    block, note = reply_blocks(Reply().add(File(name="actions.csv", content=content)))
    text = block["text"]["text"]
    body = text.removeprefix("*actions.csv*\n```").removesuffix("```")
    assert len(body) <= 2800 and body.endswith("1,x")
    assert re.fullmatch(r"([^&]|&(amp|lt|gt);)*", body), body[-20:]
    assert note["elements"][0]["text"] == (
        "The first 699 of 700 lines: the web chat has the whole file."
    )


def form() -> Form:
    return Form(
        title="Raise a support request with Learn Sheffield",
        command="support",
        fields=[
            FormField(
                "kind", "Kind", kind="select", options=["crisis", "consultancy"], value="crisis"
            ),
            FormField(
                "details", "What is needed?", kind="textarea", required=True, positional=True
            ),
            FormField("by", "Needed by", kind="date", value="2023-12-15"),
            FormField("urgent", "Urgent", kind="checkbox"),
        ],
    )


def test_form_in_a_message_is_a_button_that_opens_it() -> None:
    blocks = reply_blocks(Reply().add(form()))
    button = blocks[1]["elements"][0]
    assert button["action_id"] == "form:open"
    assert Form.from_wire(button["value"]) == form()


def test_form_as_a_modal() -> None:
    view = render_modal(form(), metadata=modal_metadata(form(), channel="C1"))
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    assert read_modal_metadata(view["private_metadata"]) == (form().slim(), "C1")
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert kinds == {
        "kind": "static_select",
        "details": "plain_text_input",
        "by": "datepicker",
        "urgent": "checkboxes",
    }
    by_id = {b["block_id"]: b for b in view["blocks"]}
    assert by_id["details"]["optional"] is False and by_id["details"]["element"]["multiline"]
    assert by_id["kind"]["element"]["initial_option"]["value"] == "crisis"
    assert by_id["by"]["element"]["initial_date"] == "2023-12-15"


def test_modal_values_build_the_typed_command() -> None:
    state = {
        "kind": {"value": {"type": "static_select", "selected_option": {"value": "crisis"}}},
        "details": {"value": {"type": "plain_text_input", "value": "Head absent today"}},
        "by": {"value": {"type": "datepicker", "selected_date": "2023-12-15"}},
        "urgent": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
    }
    values = modal_values(state)
    assert (
        form().to_command(values)
        == 'support kind:crisis "Head absent today" by:2023-12-15 urgent:yes'
    )


def test_error_replies_are_marked_and_home_has_a_header_per_part() -> None:
    blocks = reply_blocks(Reply(text="No such meeting #99.", error=True))
    assert blocks[0]["text"]["text"].startswith(":warning: ")
    home = render_home(
        [("Your next meetings", Reply(text="Nothing booked")), ("Your open actions", Reply())],
        greeting="Hello, Jo",
    )
    headers = [b["text"]["text"] for b in home["blocks"] if b["type"] == "header"]
    assert headers == ["Hello, Jo", "Your next meetings", "Your open actions"]
    assert home["type"] == "home" and len(home["blocks"]) <= 100


def test_home_stays_within_one_hundred_blocks() -> None:
    big = Reply().add(*[Section(text=str(i)) for i in range(60)])
    home = render_home([(f"Part {i}", big) for i in range(8)], greeting="Hello")
    assert len(home["blocks"]) <= 100
