"""Plain English through the router (issue 23), as the demo's people, on the full demo.

Reads run at once and say how they were read; writes are only proposed (the database is
unchanged until the proposed command runs); support opens the prefilled form; unclear messages
get a question; complete commands run exactly as before.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.demo import load_demo
from bot.render.text import render_text
from bot.reply import Reply
from storage.base import Base
from storage.directory import person_by_email
from tests.conftest import Asker

HEAD = "jo@hillside.sch.uk"
STAFF = "sam@learnsheffield.co.uk"


@pytest.fixture
async def demo(ask: Asker) -> Asker:
    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    return ask


async def snapshot(ask: Asker) -> dict[str, int]:
    """Row counts of every table: a proposal must not change any of them."""
    counts = {}
    async with ask.ctx.db.session() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = await session.scalar(select(func.count()).select_from(table))
    return counts


@pytest.mark.parametrize(
    ("who", "text", "read_as", "shows"),
    [
        (HEAD, "when is the next board meeting?", "meetings group:board", "Partnership board"),
        (
            HEAD,
            "how is Sheffield's attendance compared with Leeds?",
            "attendance compare Sheffield Leeds",
            "Leeds",
        ),
        (HEAD, "any opportunities for primary schools?", "opps phase:primary", "primary"),
        (HEAD, "meetngs pls", "meetings", "Your next meetings"),
        (HEAD, "my actoins", "actions", "Your actions"),
        (HEAD, "opps for secondary", "opps phase:secondary", "secondary"),
        (HEAD, "help with meetings", "help meetings", "meeting add"),
        (HEAD, "actions for the board", "actions group:board", "Partnership Board"),
        (STAFF, "anything new in triage?", "triage", "#"),
        (HEAD, "what do I need to do this week", 'actions by:"this week"', "Your actions"),
        (
            HEAD,
            "any opportunities for primary schools closing this month?",
            'opps phase:primary closing:"this month"',
            "primary",
        ),
    ],
)
async def test_reads_run_at_once_and_say_how_they_were_read(
    demo: Asker, who: str, text: str, read_as: str, shows: str
) -> None:
    reply = await demo(who, text)
    rendered = render_text(reply)
    assert not reply.error, rendered
    assert reply.read_as == read_as
    assert rendered.splitlines()[0] == f"Read as: {read_as}"
    assert shows in rendered


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("attendance in hull", "attendance Hull"),  # the command refused "in hull"
        ("attendance group actions", "actions group:attendance"),
        ("calendar link", "calendar"),  # `calendar` takes nothing or `reset`
        ("help me", "help"),  # no help topic "me"
        ("opps pls", "opps"),  # not a search for "pls"
        ("meetings group board", "meetings group:board"),  # more words than `meetings` takes
        ("action 4 all done", "action 4"),  # ... and `action 4` would ignore "all done"
    ],
)
async def test_a_command_word_followed_by_english_is_read_for_its_details(
    demo: Asker, text: str, read_as: str
) -> None:
    before = await snapshot(demo)
    reply = await demo(HEAD, text)
    assert not reply.error, reply.text
    if read_as == "action 4":  # a write: proposed, not done
        assert reply.read_as == "action done 4" and reply.buttons[0].command == "action done 4"
    else:
        assert reply.read_as == read_as
    assert await snapshot(demo) == before


@pytest.mark.parametrize(
    "text", ["attendance narnia", "attendance Sheffield 2019", "attendance Sheffeld"]
)
async def test_a_refused_command_keeps_its_own_answer_when_a_reading_would_guess(
    demo: Asker, text: str
) -> None:
    """No area named (not Sheffield by default), a year left out, a name read through a typo
    fix: the command's own answer (which names the nearest) is better than a guess."""
    reply = await demo(HEAD, text)
    assert reply.error and reply.read_as is None


async def test_a_question_about_how_a_thing_stands_is_a_read_not_a_write(demo: Asker) -> None:
    before = await snapshot(demo)
    closed = await demo(HEAD, "did the framework consultation close already?")
    assert closed.read_as == "consultation 1" and "Nothing is saved" not in closed.text
    done = await demo(HEAD, "is action 7 done?")
    assert done.read_as == "action 7"
    assert await snapshot(demo) == before


async def test_complete_commands_run_exactly_as_before(demo: Asker) -> None:
    for text in ("meetings", "attendance compare Sheffield Leeds", "opps phase:primary", "help"):
        reply = await demo(HEAD, text)
        assert not reply.error
        assert reply.read_as is None
        assert not reply.text.startswith("Read as:")


async def submit(ask: Asker, email: str, reply: Reply) -> Reply:
    """Send the reply's form as it was prefilled, as every form door does."""
    form = reply.form
    assert form is not None, reply.text
    values = {f.name: f.value or "" for f in form.fields}
    async with ask.ctx.db.session() as session:
        person = await person_by_email(session, email)
    assert person is not None
    return await ask.ctx.router.handle(
        form.to_command(values), actor_id=person.id, door="web", submitted=True
    )


async def test_a_write_with_words_to_check_is_its_prefilled_form_saved_only_when_sent(
    demo: Asker,
) -> None:
    before = await snapshot(demo)
    reply = await demo(HEAD, "I can't make meeting 1, Ofsted are in")
    assert not reply.error
    assert reply.read_as == 'apologies 1 "Ofsted are in"'
    assert "nothing is saved until you do" in reply.text
    assert "Partnership board, Thu 14 Dec 2023" in reply.text  # which meeting "1" is
    assert not reply.buttons
    form = reply.form
    assert form is not None and form.command == "apologies"
    assert {f.name: f.value for f in form.fields} == {"meeting": "1", "reason": "Ofsted are in"}
    assert form.about.startswith("Partnership board, Thu 14 Dec 2023")
    assert await snapshot(demo) == before
    done = await submit(demo, HEAD, reply)
    assert not done.error and "#1" in done.text
    assert await snapshot(demo) != before
    meeting = render_text(await demo(HEAD, "meeting 1"))
    assert "apologies" in meeting.lower()


async def test_i_cant_make_meeting_1_as_written(demo: Asker) -> None:
    """Nothing to check but the meeting: one confirm button, under the meeting's name."""
    before = await snapshot(demo)
    reply = await demo(HEAD, "I can't make meeting 1")
    assert reply.read_as == "apologies 1"
    assert [b.command for b in reply.buttons] == ["apologies 1"]
    assert "Nothing is saved until you say yes" in reply.text
    assert "Apologies for meeting #1: Partnership board, Thu 14 Dec 2023" in reply.text
    assert await snapshot(demo) == before


async def test_a_write_with_nothing_to_check_names_what_it_acts_on(demo: Asker) -> None:
    before = await snapshot(demo)
    reply = await demo(HEAD, "mark action 7 done")
    assert reply.read_as == "action done 7" and reply.form is None
    assert [b.command for b in reply.buttons] == ["action done 7"]
    assert "Mark action #7 done: Check DfE attendance return dates (Jo Bloggs" in reply.text
    unsubscribe = await demo(HEAD, "unsubscribe me from the bulletin")
    assert [b.command for b in unsubscribe.buttons] == ["bulletin unsubscribe"]
    assert "Stop the bulletin by DM" in unsubscribe.text
    assert await snapshot(demo) == before
    done = await demo(HEAD, reply.buttons[0].command)
    assert not done.error and "#7" in done.text


async def test_a_write_that_could_not_be_done_is_answered_at_once(demo: Asker) -> None:
    """No form or button is offered for what the person could not send: the command's answer."""
    before = await snapshot(demo)
    missing = await demo(HEAD, "mark action 99 done")
    assert missing.error and "no action #99" in missing.text
    assert missing.text.startswith("Read as: action done 99")
    assert not missing.buttons and missing.form is None
    assert await snapshot(demo) == before


async def test_an_action_for_someone_is_proposed_with_owner_and_due_date(demo: Asker) -> None:
    before = await snapshot(demo)
    reply = await demo(HEAD, "jo to circulate the PA figures by Friday")
    assert reply.read_as == 'action add "Circulate the PA figures" owner:@jo due:Friday'
    values = {f.name: f.value for f in reply.form.fields} if reply.form else {}
    assert values["text"] == "Circulate the PA figures" and values["due"] == "Friday"
    assert await snapshot(demo) == before
    done = await submit(demo, HEAD, reply)
    assert not done.error, done.text
    assert "Circulate the PA figures" in render_text(await demo(HEAD, "actions"))


async def test_support_in_plain_english_opens_the_prefilled_form_and_is_never_logged(
    demo: Asker, caplog: pytest.LogCaptureFixture
) -> None:
    text = "our head has been taken ill and we need help today"
    before = await snapshot(demo)
    with caplog.at_level(logging.DEBUG):
        reply = await demo(HEAD, text)
    assert not reply.error
    form = reply.form
    assert form is not None and form.command == "support"
    values = {f.name: f.value for f in form.fields}
    assert values["kind"] == "crisis"
    assert values["urgency"] == "today"
    assert values["details"] == text
    assert await snapshot(demo) == before
    assert "taken ill" not in caplog.text


async def test_an_unclear_meeting_gets_one_question_with_the_likeliest_meetings(
    demo: Asker,
) -> None:
    reply = await demo(HEAD, "sorry I can't make the meeting")
    assert not reply.error
    assert reply.text.startswith("Which meeting: #")
    assert len(reply.buttons) >= 2
    assert all(b.command.startswith("apologies ") for b in reply.buttons)


@pytest.mark.parametrize("text", ["hi", "thanks!", "what can you do?"])
async def test_small_talk_gets_five_things_for_the_role(demo: Asker, text: str) -> None:
    head = await demo(HEAD, text)
    staff = await demo(STAFF, text)
    assert not head.error and not staff.error
    assert len(head.buttons) == 5 and len(staff.buttons) == 5
    assert "triage" in [b.command for b in staff.buttons]
    assert "triage" not in [b.command for b in head.buttons]


async def test_nonsense_still_gets_the_unknown_command_answer(demo: Asker) -> None:
    reply = await demo(HEAD, "frobnicate the wibble")
    assert reply.error
    assert "help" in reply.text


def test_read_as_round_trips_through_json() -> None:
    reply = Reply(text="Read as: meetings", read_as="meetings")
    assert Reply.from_dict(reply.to_dict()).read_as == "meetings"


async def test_staff_name_a_support_request_by_what_it_asks_for(demo: Asker) -> None:
    """ "the parkwood maths exchange one" is request #11 to staff; proposed, never done. A head
    writing the same words is not read as that request: its text is for staff only."""
    before = await snapshot(demo)
    reply = await demo(STAFF, "I've picked up the parkwood maths exchange one, put it with me")
    assert reply.read_as == "triage assign 11 @sam"
    form = reply.form  # the person to check: the assigning form, prefilled
    assert form is not None and form.command == "triage assign"
    assert {f.name: f.value for f in form.fields} == {
        "request": "11",
        "to": "sam@learnsheffield.co.uk",
    }
    closing = await demo(
        "fiona@learnsheffield.co.uk",
        "behaviour policy review for don valley is done, adviser went in tuesday. close it off",
    )
    assert closing.read_as == 'triage resolve 8 "adviser went in tuesday"'
    head = await demo(HEAD, "put the parkwood maths exchange one with me")
    assert "11" not in (head.read_as or "")
    assert await snapshot(demo) == before


async def test_a_list_with_its_closed_items_is_a_read_not_a_change(demo: Asker) -> None:
    before = await snapshot(demo)
    mine = await demo(HEAD, "can i see all my actions including the ones I've finished")
    assert mine.read_as == "actions all" and not mine.error
    group = await demo(
        "grace@donvalley.sch.uk",
        "as chair of inclusion I'd like to see all the group's actions incl closed ones",
    )
    assert group.read_as == "actions all group:inclusion" and not group.error
    assert await snapshot(demo) == before


async def test_minutes_of_a_meeting_still_to_come_are_an_answer_not_an_error(
    demo: Asker,
) -> None:
    reply = await demo(HEAD, "minutes for the design meeting pls")
    assert reply.read_as == "minutes 2"
    assert not reply.error
    assert "has no minutes yet: it has not met yet" in reply.text


@pytest.mark.parametrize(
    ("who", "text", "read_as"),
    [
        (
            "evie@learnsheffield.co.uk",
            "can you add an opp - Attendance data workshop for secondary attendance leads, closes "
            "19th Jan, training, link https://example.org/attendance-data",
            'opp add "Attendance data workshop for secondary attendance leads" closes:19/01/2024 '
            "phase:secondary tags:training link:https://example.org/attendance-data",
        ),
        (
            "stella@learnsheffield.co.uk",
            'new consultation: "Inclusion charter", for the inclusion group and special schools, '
            "closes 2nd Feb, link https://example.org/charter",
            'consultation add "Inclusion charter" closes:02/02/2024 audience:inclusion,special '
            "link:https://example.org/charter",
        ),
        (
            STAFF,
            "post a reminder in the board channel every monday at 9 saying board papers are out",
            'schedule add "Board papers are out" channel:board on:"Mon 09:00" every:week',
        ),
        (
            "dan@sheffield.gov.uk",
            "Attendance sub group needs to meet before Christmas - can you set one up for Fri 15th "
            "Dec 10-12 at Albion House",
            'meeting add "Attendance priority sub-group" group:attendance on:"15/12/2023 10:00" '
            'until:12:00 place:"Albion House"',
        ),
    ],
)
async def test_a_staff_write_in_one_long_sentence_is_proposed_with_every_detail(
    demo: Asker, who: str, text: str, read_as: str
) -> None:
    """Title, closing date (as a date), phase, tag, audience, link, time range and place are
    each read from their own part of the sentence; nothing is saved until confirmed."""
    before = await snapshot(demo)
    reply = await demo(who, text)
    assert not reply.error, reply.text
    assert reply.read_as == read_as
    # shown as a confirm button carrying the command, or as the command's form, prefilled
    assert reply.form is not None or [b.command for b in reply.buttons] == [read_as]
    assert await snapshot(demo) == before
    done = await demo(who, read_as)
    assert not done.error, done.text
