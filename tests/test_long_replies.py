"""Long content is never cut off without a word (issue 22).

Every renderer gets 200-item lists, 5,000-character minutes and 100 opportunities. Slack
splits long text into sections within its limits (3,000 characters a section, 50 blocks and
about 12,000 characters a message); Teams keeps a card within its size limit; when even that
is too much, the reply keeps its first items, in order, and ends with how many were left out
and where to see them all. The web chat and the CLI show everything.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from bot.render import adaptivecards, blockkit
from bot.render.html import render_html
from bot.render.text import render_text
from bot.reply import Actions, Button, File, Form, FormField, Reply, Section, Table
from storage.directory import person_by_email
from storage.meetings import AgendaItem, add_meeting
from tests.conftest import london
from tests.test_adaptivecards import of_type, texts
from tests.test_blockkit import visible
from tests.test_slack import Slack, fake_fixture, slack_fixture  # noqa: F401  (fixtures)

BUTTONS = Actions([Button("Attend", "rsvp 3 yes"), Button("Apologies", "apologies 3")])
OPP_COLUMNS = ["#", "title", "closes", "phases", "tags", "only for"]


def agenda_item(i: int) -> str:
    return f"Agenda item {i}: persistent absence in the core cities, with Jo Bloggs"


def agenda(n: int) -> Reply:
    lines = "\n".join(f"{i}. {agenda_item(i)}" for i in range(1, n + 1))
    reply = Reply(text="Meeting #3: Attendance working group")
    return reply.add(Section(title="Agenda", text=lines), BUTTONS)


MINUTES = " ".join(
    f"Point {k}: the board heard the persistent absence figures and agreed next steps."
    for k in range(1, 80)
)[:5000]


def minutes() -> Reply:
    return Reply(text="Minutes of meeting #3").add(Section(title="Minutes", text=MINUTES))


def opportunity(i: int) -> list[str]:
    title = f"Opportunity {i}: funded NPQ places for leaders"
    return [f"#{i}", title, "31/01/2024", "primary, secondary", "training", ""]


def opportunities(n: int = 100) -> Reply:
    table = Table(columns=OPP_COLUMNS, rows=[opportunity(i) for i in range(1, n + 1)])
    return Reply(text=f"{n} open opportunities").add(table)


def shown(text: str, name: Any, n: int) -> list[int]:
    """Which of items 1..n a rendering shows (each must be whole to count)."""
    return [i for i in range(1, n + 1) if name(i) in text]


def left_out(text: str) -> int | None:
    found = re.search(r"… and (\d+) more items? not shown here", text)
    return int(found[1]) if found else None


# --- Slack -------------------------------------------------------------------------------


def slack_text(blocks: list[dict[str, Any]]) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts.extend(f["text"] for f in block.get("fields", []))
        parts.extend(e.get("text", "") for e in block.get("elements", []) if "text" in e)
    return visible("\n".join(str(p) for p in parts))


def assert_within_slack_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= 50
    assert len(json.dumps(blocks, ensure_ascii=False)) <= blockkit.MESSAGE_CHARS
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for field in block.get("fields", []):
            assert len(field["text"]) <= 2000


def test_slack_shows_all_63_agenda_items_of_the_issue() -> None:
    blocks = blockkit.reply_blocks(agenda(63))
    assert_within_slack_limits(blocks)
    text = slack_text(blocks)
    assert shown(text, agenda_item, 63) == list(range(1, 64))
    assert left_out(text) is None and "…" not in text


def test_slack_keeps_the_first_of_200_items_says_how_many_more_and_keeps_the_buttons() -> None:
    blocks = blockkit.reply_blocks(agenda(200))
    assert_within_slack_limits(blocks)
    text = slack_text(blocks)
    kept = shown(text, agenda_item, 200)
    assert kept == list(range(1, len(kept) + 1)) and len(kept) >= 100
    assert left_out(text) == 200 - len(kept)
    assert "web chat" in text
    assert blocks[-1]["type"] == "actions"  # RSVP still works on a long meeting card
    assert [e["value"] for e in blocks[-1]["elements"]] == ["rsvp 3 yes", "apologies 3"]


def test_slack_splits_5000_character_minutes_into_sections_and_loses_nothing() -> None:
    blocks = blockkit.reply_blocks(minutes())
    assert_within_slack_limits(blocks)
    assert len(blocks) >= 3  # the headline, then the minutes in at least two sections
    assert " ".join(slack_text(blocks).split()).endswith(" ".join(MINUTES.split()))
    assert left_out(slack_text(blocks)) is None


def test_slack_shows_100_opportunities_or_says_how_many_are_left_out() -> None:
    blocks = blockkit.reply_blocks(opportunities())
    assert_within_slack_limits(blocks)
    text = slack_text(blocks)
    kept = shown(text, lambda i: opportunity(i)[1], 100)
    assert kept == list(range(1, len(kept) + 1))
    assert left_out(text) == (100 - len(kept) or None)


def test_slack_with_everything_at_once_stays_within_its_limits() -> None:
    reply = agenda(200).add(Section(title="Minutes", text=MINUTES), opportunities().elements[0])
    blocks = blockkit.reply_blocks(reply)
    assert_within_slack_limits(blocks)
    assert left_out(slack_text(blocks)) and blocks[-1]["type"] == "actions"


def test_slack_home_tab_parts_say_what_they_leave_out() -> None:
    view = blockkit.render_home([("Meetings", agenda(200))], greeting="Hello, Jo")
    assert len(view["blocks"]) <= 100
    assert left_out(slack_text(view["blocks"]))


def test_a_long_field_becomes_a_section_of_its_own_not_a_cut_one() -> None:
    reply = Reply().add(Section(fields=[("When", "Fri"), ("Notes", MINUTES)]))
    blocks = blockkit.reply_blocks(reply)
    assert_within_slack_limits(blocks)
    assert " ".join(MINUTES.split()) in " ".join(slack_text(blocks).split())


def test_a_long_file_shows_its_first_lines_and_says_where_the_rest_is() -> None:
    csv = "\n".join(f"{i},action {i},Jo Bloggs" for i in range(1, 1001))
    blocks = blockkit.reply_blocks(Reply().add(File(name="actions.csv", content=csv)))
    assert_within_slack_limits(blocks)
    assert re.search(r"The first \d+ of 1000 lines: the web chat has the whole file", str(blocks))


def test_a_modal_select_with_more_than_100_choices_is_typed_not_cut() -> None:
    schools = [f"School {i}" for i in range(1, 201)]
    form = Form("Add a person", "person add", [FormField("org", "School", "select", schools)])
    (block,) = blockkit.render_modal(form)["blocks"]
    assert block["element"]["type"] == "plain_text_input"
    assert "200" in block["element"]["placeholder"]["text"]


# --- Teams -------------------------------------------------------------------------------


def teams_text(card: dict[str, Any]) -> str:
    cells = [
        item["text"]
        for cell in of_type(card, "TableCell")
        for item in cell["items"]
        if "text" in item
    ]
    facts = [f"{f['title']} {f['value']}" for s in of_type(card, "FactSet") for f in s["facts"]]
    return "\n".join([texts(card), *cells, *facts]).replace("\\", "")


def card_bytes(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode())


@pytest.mark.parametrize(
    ("reply", "name", "n"),
    [
        (agenda(200), agenda_item, 200),
        (opportunities(), lambda i: opportunity(i)[1], 100),
        (opportunities(400), lambda i: opportunity(i)[1], 400),
    ],
    ids=["200 agenda items", "100 opportunities", "400 opportunities"],
)
def test_teams_cards_stay_within_the_size_limit_and_say_what_is_left_out(
    reply: Reply, name: Any, n: int
) -> None:
    card = adaptivecards.render_card(reply)
    assert card_bytes(card) <= adaptivecards.CARD_BYTES
    text = teams_text(card)
    kept = shown(text, name, n)
    assert kept == list(range(1, len(kept) + 1)) and kept
    assert left_out(text) == (n - len(kept) or None)
    if left_out(text):
        assert "web chat" in text


def test_teams_keeps_5000_character_minutes_whole() -> None:
    card = adaptivecards.render_card(minutes())
    assert card_bytes(card) <= adaptivecards.CARD_BYTES
    assert " ".join(MINUTES.split()) in " ".join(teams_text(card).split())


def test_teams_plain_text_replies_are_kept_within_the_limit_too() -> None:
    long = Reply(text="Your actions\n" + "\n".join(agenda_item(i) for i in range(1, 1001)))
    text = adaptivecards.render_text_message(long)
    assert len(text.encode()) <= adaptivecards.CARD_BYTES
    kept = shown(text, agenda_item, 1000)
    assert kept == list(range(1, len(kept) + 1)) and left_out(text) == 1000 - len(kept)


def test_teams_long_card_keeps_its_buttons() -> None:
    card = adaptivecards.render_card(agenda(400))
    actions = [a["data"]["command"] for s in of_type(card, "ActionSet") for a in s["actions"]]
    assert actions == ["rsvp 3 yes", "apologies 3"]


# --- the web chat and the CLI show everything ------------------------------------------


@pytest.mark.parametrize("render", [render_html, render_text], ids=["web chat", "CLI"])
def test_the_web_chat_and_the_cli_show_everything(render: Any) -> None:
    everything = agenda(200).add(Section(title="Minutes", text=MINUTES))
    everything.add(*opportunities().elements)
    out = render(everything).replace("&#x27;", "'")
    assert shown(out, agenda_item, 200) == list(range(1, 201))
    assert shown(out, lambda i: opportunity(i)[1], 100) == list(range(1, 101))
    assert " ".join(MINUTES.split()) in " ".join(out.split())
    assert left_out(out) is None


# --- through the Slack door, as in the issue ---------------------------------------------


async def test_a_meeting_with_63_agenda_items_shows_them_all_in_slack(slack: Slack) -> None:
    async with slack.ctx.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        from storage.directory import group_by_name

        group = await group_by_name(session, "attendance")
        start = london(2023, 12, 15, 10, 0)
        meeting = await add_meeting(
            session,
            group_id=group.id,
            title="Attendance working group",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            organiser_id=jo.id,
        )
        session.add_all(
            AgendaItem(meeting_id=meeting.id, position=i, title=agenda_item(i), created_at=start)
            for i in range(1, 64)
        )
        meeting_id = meeting.id
    response = await slack.command(f"meeting {meeting_id}")
    assert response.status == 200
    (answer,) = await slack.fake.wait_for_response()
    assert_within_slack_limits(answer["blocks"])
    text = slack_text(answer["blocks"])
    assert shown(text, agenda_item, 63) == list(range(1, 64))
    assert "rsvp" in json.dumps(answer["blocks"])


def test_the_web_chat_shows_a_long_export_in_full_as_a_download_and_says_so() -> None:
    csv = "\n".join(f"{i},action {i},Jo Bloggs" for i in range(1, 1001))
    html = render_html(Reply().add(File(name="actions.csv", content=csv)))
    assert "Download actions.csv" in html
    shown_lines = html.split("<pre>")[1].split("</pre>")[0].count("\n") + 1
    assert f"… {1000 - shown_lines} more lines in the download." in html
