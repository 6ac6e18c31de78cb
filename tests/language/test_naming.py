"""Things people already have, named by their title instead of their number (issue 23).

"pass the PA figures action over to amy", "the AP places action", "my consultancy request, the
behaviour one": one clear match is proposed with its number, two or three close ones are asked
about by id, title and date, and nothing is written until the person says yes.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.demo import load_demo
from bot.language.naming import Item, pick
from bot.render.text import render_text
from storage.actions import Action
from tests.conftest import Asker

JO = "jo@hillside.sch.uk"
DAN = "dan@sheffield.gov.uk"
SAM = "sam@learnsheffield.co.uk"

ITEMS = [
    Item(1, "Circulate PA figures to heads", date(2023, 12, 4), tier=0),
    Item(3, "Share attendance letter template", date(2023, 11, 28), tier=1),
    Item(6, "Map alternative provision places", date(2023, 12, 29), tier=1),
    Item(7, "Check DfE attendance return dates", date(2023, 11, 30), tier=0),
]


def test_one_clear_title_is_named() -> None:
    assert pick("put the letter template action back a week", ITEMS, need=1).best == ITEMS[1]
    assert pick("can you pass the PA figures action over to amy", ITEMS, need=1).best == ITEMS[0]


def test_an_abbreviation_names_the_words_it_stands_for() -> None:
    assert pick("add a note to the AP places action", ITEMS, need=1).best == ITEMS[2]


def test_a_word_two_titles_share_is_asked_about_not_guessed() -> None:
    groups = [i for i in ITEMS if i.id != 7] + [Item(7, ITEMS[3].title, None, tier=1)]
    found = pick("snooze the attendance action", groups, need=1)
    assert found.best is None
    assert found.close is not None and {i.id for i in found.close} == {3, 7}


def test_the_askers_own_item_wins_a_tie_with_a_groups() -> None:
    mine = Item(9, "Draft the attendance letter", None, tier=0)
    theirs = Item(10, "Send the attendance letter", None, tier=1)
    assert pick("the attendance letter action is done", [theirs, mine], need=1).best == mine


def test_without_saying_what_it_is_one_shared_word_names_nothing() -> None:
    assert (
        pick("move the board to 2pm", [Item(2, "Core cities for the board", None, 1)]).best is None
    )


@pytest.fixture
async def demo(ask: Asker) -> Asker:
    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    return ask


async def owner_of(ask: Asker, action_id: int) -> int:
    async with ask.ctx.db.session() as session:
        return (await session.scalars(select(Action.owner_id).where(Action.id == action_id))).one()


@pytest.mark.parametrize(
    ("who", "text", "command"),
    [
        (
            JO,
            "can you pass the PA figures action over to amy, she's picking it up now",
            "action reassign 1 @amy",
        ),
        (
            DAN,
            "I'll take the core cities comparison off sam, reassign it to me",
            "action reassign 2 @dan",
        ),
        (
            "grace@donvalley.sch.uk",
            "add a note to the AP places action - fiona has heard back from 12 of the 18 providers",
            'action note 6 "fiona has heard back from 12 of the 18 providers"',
        ),
        (
            JO,
            "push the primary heads view action back to 12th jan please",
            "action due 4 12/01/2024",
        ),
        (
            SAM,
            "I've picked up the parkwood maths exchange one, put it with me",
            "triage assign 11 @sam",
        ),
        (
            "mark@northernlights.org.uk",
            "need to move the board meeting on the 14th to Tuesday 19th Dec, same time 2pm",
            'meeting move 1 on:"19/12/2023 14:00"',
        ),
        (
            "stella@learnsheffield.co.uk",
            "can we push the design group from tues to thurs 7th same time",
            'meeting move 2 on:"07/12/2023 10:00"',
        ),
    ],
)
async def test_a_write_on_a_named_thing_is_proposed_with_its_number(
    demo: Asker, who: str, text: str, command: str
) -> None:
    before = await owner_of(demo, 1)
    reply = await demo(who, text)
    assert not reply.error
    assert reply.read_as == command
    # proposed: as a confirm button, or as the command's own form, prefilled, to check
    form = reply.form
    assert [b.command for b in reply.buttons] == [command] or (
        form is not None and command.startswith(form.command)
    )
    assert await owner_of(demo, 1) == before  # proposed, not done


async def test_two_close_titles_get_a_question_naming_each(demo: Asker) -> None:
    reply = await demo(DAN, "snooze the attendance action for a week")
    assert not reply.error
    commands = sorted(b.command for b in reply.buttons)
    assert commands == ["action snooze 3 1w", "action snooze 7 1w"]
    shown = render_text(reply)
    assert "#3 Share attendance letter template" in shown
    assert "#7 Check DfE attendance return dates" in shown


async def test_a_list_asked_after_naming_one_action_is_the_list_not_done(demo: Asker) -> None:
    reply = await demo(
        "priya@parkwood.sch.uk",
        "Hi, sorry I know I've got something overdue on the attendance group - it's the letter "
        "template isn't it? I've been snowed under with mocks. Can you remind me what else I've "
        "got outstanding",
    )
    assert reply.read_as == "actions"


async def test_a_reason_with_braces_is_taken_as_written(demo: Asker) -> None:
    reply = await demo(JO, "I can't make meeting 1, {ofsted} are in")
    assert not reply.error
    assert reply.read_as == 'apologies 1 "{ofsted} are in"'
