"""The period filters plain English needed (issue 23): the commands gained a real option, so
"what do I need to do this week" is answered exactly, not approximated. Demo loaded as of
Friday 1 December 2023, 09:00."""

from __future__ import annotations

import pytest

from bot.demo import load_demo
from bot.render.text import render_text
from tests.conftest import Asker, london

JO = "jo@hillside.sch.uk"


@pytest.fixture
async def demo(ask: Asker) -> Asker:
    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    return ask


async def test_actions_by_a_period_keeps_those_due_by_its_end_overdue_included(
    demo: Asker,
) -> None:
    everything = render_text(await demo.ok(JO, "actions"))
    assert "Bring primary heads' view" in everything  # due in a fortnight
    week = await demo.ok(JO, 'actions by:"this week"')
    text = render_text(week)
    assert week.text.startswith("Your actions due by Sun 3 Dec 2023: 1, 1 overdue.")
    assert "Check DfE attendance return dates" in text  # overdue: still to do
    # the demo's due dates fall on school days: "tomorrow" from Friday is Monday 4 December
    assert "Circulate PA figures" not in text
    assert "Circulate PA figures" in render_text(await demo.ok(JO, "actions by:04/12/2023"))
    assert "Bring primary heads' view" not in text
    friday = render_text(await demo.ok(JO, "actions by:15/12/2023"))
    assert "Bring primary heads' view" in friday


async def test_actions_by_nonsense_is_explained_with_an_example(demo: Asker) -> None:
    reply = await demo(JO, "actions by:whenever")
    assert reply.error
    assert "'whenever'" in reply.text and 'actions by:"this week"' in reply.text


async def test_what_do_i_need_to_do_this_week_reads_as_the_filter(demo: Asker) -> None:
    reply = await demo.ok(JO, "what do I need to do this week")
    assert reply.read_as == 'actions by:"this week"'
    assert "Bring primary heads' view" not in render_text(reply)


async def test_meetings_within_a_period(demo: Asker) -> None:
    everything = render_text(await demo.ok(JO, "meetings"))
    assert "Partnership board" in everything and "Partnership design" in everything
    week = await demo.ok(JO, 'meetings within:"next week"')  # Mon 4 to Sun 10 December
    text = render_text(week)
    assert "Partnership design working group" in text  # Tue 5 Dec
    assert "Partnership board" not in text  # Thu 14 Dec
    assert week.text.startswith("Your meetings from Mon 4 Dec 2023 to Sun 10 Dec 2023")
    read = await demo.ok(JO, "meetings next week")
    assert read.read_as == 'meetings within:"next week"'
    assert "Partnership board" not in render_text(read)


async def test_meetings_within_nonsense_is_explained(demo: Asker) -> None:
    reply = await demo(JO, "meetings within:someday")
    assert reply.error and 'meetings within:"next week"' in reply.text


async def test_opportunities_closing_within_a_period(demo: Asker) -> None:
    reply = await demo.ok(JO, "any opportunities for primary schools closing this month?")
    assert reply.read_as == 'opps phase:primary closing:"this month"'
    text = render_text(reply)
    assert "Reading fluency project" in text  # closes 6 December
    assert "Attendance champions training" in text  # 21 December
    assert "Funded NPQ places" not in text  # January
    assert "closing by Sun 31 Dec 2023" in reply.text


# Asked at the weekend, "this week" is the coming school week: on Sunday 3 December 2023 Jo's
# action due Monday 4 December and the working group on Tuesday 5 December are "this week".
@pytest.mark.parametrize("day", [2, 3], ids=["saturday", "sunday"])
async def test_this_week_asked_at_the_weekend_is_the_coming_week(demo: Asker, day: int) -> None:
    demo.ctx.clock.set(london(2023, 12, day, 12, 0))  # type: ignore[attr-defined]
    asked = await demo.ok(JO, "what do I need to do this week")
    assert asked.read_as == 'actions by:"this week"'
    typed = await demo.ok(JO, 'actions by:"this week"')
    for reply in (asked, typed):
        assert "Your actions due by Sun 10 Dec 2023: 2, 1 overdue." in reply.text
        assert "Circulate PA figures" in render_text(reply)  # due Monday 4 December
    today = f"{london(2023, 12, day):%a} {day} Dec 2023"
    for said, first in (("this week", today), ("end of the week", today), ("next week", "Mon 4")):
        meetings = await demo.ok(JO, f'meetings within:"{said}"')
        assert meetings.text.startswith(f"Your meetings from {first}"), meetings.text
        assert "to Sun 10 Dec 2023" in meetings.text
        assert "Partnership design working group" in render_text(meetings)  # Tue 5 Dec
        assert "Partnership board" not in render_text(meetings)  # Thu 14 Dec
    read = await demo.ok(JO, "any meetings this week?")
    assert read.read_as == 'meetings within:"this week"'
    assert "Partnership design working group" in render_text(read)


async def test_this_weekend_is_the_saturday_and_sunday(demo: Asker) -> None:
    reply = await demo.ok(JO, "what do I need to do this weekend")
    assert reply.read_as == 'actions by:"this weekend"'
    assert "Your actions due by Sun 3 Dec 2023" in reply.text
    meetings = await demo.ok(JO, 'meetings within:"this weekend"')
    assert meetings.text.startswith("Your meetings from Sat 2 Dec 2023 to Sun 3 Dec 2023")
