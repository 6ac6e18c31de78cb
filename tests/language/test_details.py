"""The details inside a plain-English message (bot.language.slots): support kind and urgency,
periods, days and times as people write them.

The reader tests are pure (the suite's fixed day, Friday 1 December 2023); the router tests
check what a person sees: the support form's suggested kind and urgency, the `Read as:` line.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.demo import load_demo
from bot.language import slots
from tests.conftest import Asker

TODAY = date(2023, 12, 1)  # a Friday
HEAD = "jo@hillside.sch.uk"
STAFF = "stella@learnsheffield.co.uk"


@pytest.fixture
async def demo(ask: Asker) -> Asker:
    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    return ask


# --- support: kind and urgency --------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "urgency"),
    [
        (
            "we would like some advice on a restructure not urgent sometime this half term is fine",
            "this half term",
        ),
        (
            "i do not need anything today but could someone advise before half term",
            "this half term",
        ),
        ("no hurry this week or next is fine", "this week"),
        ("can someone review our policy no rush", "this half term"),
        ("it is not an emergency but we need a partner school", "this half term"),
        ("our head has been taken ill and we need help today", "today"),
        ("we need someone here right now", "today"),
        ("incident this morning need advice asap", "today"),
        ("a complaint that has now gone to the council", None),  # "now" alone is not urgency
        ("advice on our behaviour policy sometime this term", None),
    ],
)
def test_urgency_is_never_today_when_the_message_plays_it_down(
    words: str, urgency: str | None
) -> None:
    assert slots.urgency(words) == urgency


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("advice on a staffing restructure not urgent", "consultancy"),  # "urgent" negated
        ("we have had an incident with a parent and the police were called", "crisis"),
        ("our head of year collapsed and was taken to hospital", "crisis"),
        ("i could do with someone in my corner at the meeting with the la", "advocacy"),
        ("a journalist has been in touch asking for a comment", "advocacy"),
        ("could you help us find a provider for alternative provision", "brokerage"),
        ("who do we talk to about admissions", "signposting"),
        ("could a consultant go through our pupil premium strategy", "consultancy"),
    ],
)
def test_support_kind_is_read_from_what_is_asked(words: str, kind: str) -> None:
    assert slots.support_kind(words) == kind


async def test_a_calm_request_for_advice_suggests_consultancy_not_a_crisis(demo: Asker) -> None:
    reply = await demo(
        "omar@meadowbank.sch.uk",
        "we'd like some advice on a staffing restructure, not urgent, sometime this half term "
        "is fine",
    )
    form = reply.form
    assert form is not None and form.command == "support"
    values = {f.name: f.value for f in form.fields}
    assert values["kind"] == "consultancy"
    assert values["urgency"] == "this half term"


async def test_a_long_message_asking_for_someone_in_my_corner_is_support_not_help(
    demo: Asker,
) -> None:
    reply = await demo(
        "helen@steelcity.sch.uk",
        "Hi - we've had a really difficult complaint from a parent that's now gone to the "
        "council and I could do with someone in my corner at the meeting with the LA next "
        "month. Is that something you can help with? We're not subscribers I don't think",
    )
    form = reply.form
    assert form is not None and form.command == "support", reply.text
    values = {f.name: f.value for f in form.fields}
    assert values["kind"] == "advocacy"
    assert values["urgency"] != "today"


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "period"),
    [
        ("is there anything in the next fortnight i need to be at", "2 weeks"),
        ("any meetings in a fortnight", "2 weeks"),
        ("what have i got due before the end of next week", "next week"),
        ("anything due from the inclusion lot before we break up", "this term"),
        ("what actions are due before the holidays", "this term"),
        ("anything due by the end of term", "this term"),
        ("before the end of half term", "half term"),
    ],
)
def test_periods_as_people_name_them(words: str, period: str) -> None:
    assert slots.period(words) == period


@pytest.mark.parametrize(
    ("who", "text", "read_as"),
    [
        (
            "ben@crookesvalley.sch.uk",
            "is there anything in the next fortnight i need to be at",
            'meetings within:"2 weeks"',
        ),
        (
            HEAD,
            "what do I need to get done before the end of next week",
            'actions by:"next week"',
        ),
        (
            "grace@donvalley.sch.uk",
            "anything due from the inclusion lot before we break up",
            'actions group:inclusion by:"this term"',
        ),
        (
            "evie@learnsheffield.co.uk",
            "whats coming up in the next fortnight meeting-wise",
            'meetings within:"2 weeks"',
        ),
        # a period in the preamble is not the question's
        (
            "mark@northernlights.org.uk",
            "when does the design group next meet? I'm off this week",
            "meetings group:design",
        ),
    ],
)
async def test_questions_over_a_period_are_answered_for_that_period(
    demo: Asker, who: str, text: str, read_as: str
) -> None:
    reply = await demo(who, text)
    assert not reply.error, reply.text
    assert reply.read_as == read_as


async def test_when_do_we_break_up_still_asks_for_the_term_dates(demo: Asker) -> None:
    reply = await demo(HEAD, "when do we break up for christmas")
    assert reply.read_as == "terms"


# --- days and times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "day"),
    [
        ("tuesday 19th dec", "19/12/2023"),
        ("the 18th", "18/12/2023"),
        ("on the 14th", "14/12/2023"),
        ("thursday 7th same time", "07/12/2023"),
        ("friday the 8th", "08/12/2023"),
        ("12th jan please", "12/01/2024"),  # January is past this year: next year's
        ("for the 10th of january 2pm", "10/01/2024"),
        ("2nd feb", "02/02/2024"),
        ("dec 19th", "19/12/2023"),
        ("the 1st", "01/12/2023"),  # today
        ("15/12", "15/12/2023"),
    ],
)
def test_days_as_people_write_them_become_the_very_day(words: str, day: str) -> None:
    assert slots.day_phrase(words, TODAY) == day


def test_a_day_number_already_past_is_next_months() -> None:
    assert slots.quick_date("the 14th", date(2023, 12, 20)) == date(2024, 1, 14)


def test_words_that_only_look_like_days_are_not_days() -> None:
    assert slots.day_phrase("the 2nd meeting", TODAY) is None
    assert slots.day_phrase("heard back from 12 of the 18 providers", TODAY) is None
    assert slots.day_phrase("the 14th maybe", TODAY) == "14/12/2023"  # not May


@pytest.mark.parametrize(
    ("words", "span"),
    [
        ("fri 15th dec 10-12 at albion house", ("10:00", "12:00")),
        ("from 9.30 till 11", ("09:30", "11:00")),
        ("2-4pm", ("14:00", "16:00")),
        ("10am to 12.30pm", ("10:00", "12:30")),
        ("years 7-11", None),
        ("on 15/12/2023", None),
    ],
)
def test_time_ranges(words: str, span: tuple[str, str] | None) -> None:
    assert slots.time_range(words) == span


def test_moved_to_is_the_new_day_not_the_old_one() -> None:
    words = "need to move the board meeting on the 14th to tuesday 19th dec same time 2pm"
    assert slots.moved_to(words) == "tuesday 19th dec same time 2pm"


@pytest.mark.parametrize(
    ("who", "text", "read_as"),
    [
        (
            "mark@northernlights.org.uk",
            "need to move the board meeting on the 14th to Tuesday 19th Dec, same time 2pm",
            'meeting move 1 on:"19/12/2023 14:00"',
        ),
        # no time given: the meeting keeps its own (the design group meets at 10:00)
        (
            STAFF,
            "can we push the design group from tues to thurs 7th same time",
            'meeting move 2 on:"07/12/2023 10:00"',
        ),
        (
            "evie@learnsheffield.co.uk",
            "move the board to 2pm on the 18th instead, same room",
            'meeting move 1 on:"18/12/2023 14:00"',
        ),
        ("lucy@sheffcol.ac.uk", "I'll be there on the 14th", "rsvp 1 yes"),
        (
            "dan@sheffield.gov.uk",
            "Attendance sub group needs to meet before Christmas - can you set one up for Fri "
            "15th Dec 10-12 at Albion House",
            'meeting add "Attendance priority sub-group" group:attendance '
            'on:"15/12/2023 10:00" until:12:00 place:"Albion House"',
        ),
        (
            STAFF,
            'new consultation: "Inclusion charter", for the inclusion group and special schools, '
            "closes 2nd Feb, link https://example.org/charter",
            'consultation add "Inclusion charter" closes:02/02/2024 audience:inclusion,special '
            "link:https://example.org/charter",
        ),
    ],
)
async def test_writes_carry_the_day_and_time_as_written(
    demo: Asker, who: str, text: str, read_as: str
) -> None:
    reply = await demo(who, text)
    assert not reply.error, reply.text
    assert reply.read_as == read_as
