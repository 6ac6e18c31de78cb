"""Reminders through the outbox: wall-clock offsets across clock changes, no doubles,
moves and cancellations, late reminders after downtime and the organiser's summary."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from bot.render.text import render_text
from bot.settings import Settings
from storage.db import Database
from tests.conftest import Asker, london, outbox_rows, run_tick
from tests.test_support import person_id

SAM = "sam@learnsheffield.co.uk"
JO = "jo@hillside.sch.uk"
PRIYA = "priya@parkwood.sch.uk"
MEMBERS = 8  # attendance has eight members


@pytest.fixture
def settings(db: Database) -> Settings:
    """These tests time posts against the generic England calendar (PARTNERSHIP_CALENDAR=england:
    Autumn 2023 ends Wed 20 Dec, half terms in the last week of October); what they check is
    the timing rules, not which calendar is the default (tests/test_calendar.py checks that)."""
    return Settings(_env_file=None, database_url=db.url, partnership_calendar="england")  # type: ignore[call-arg]


def mine(result) -> list:  # type: ignore[no-untyped-def]
    """This domain's rows from a tick (other planners run too)."""
    return [r for r in result.handled if r.key.startswith("meeting:")]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def add_at(ask: Asker, when: datetime, text: str) -> None:
    ask.ctx.clock.set(when)  # type: ignore[attr-defined]
    await ask.ok(SAM, text)


@time_machine.travel(datetime(2031, 6, 1, 12, 0, tzinfo=UTC), tick=False)
async def test_october_clock_change_keeps_ten_oclock(ask: Asker) -> None:
    """Created in September (BST) for the Friday after the clocks go back (GMT).

    The process clock is frozen years away: only the bot's own clock may decide.
    """
    await add_at(
        ask,
        london(2023, 9, 20, 9, 0),
        'meeting add "Attendance" group:attendance on:"03/11/2023 10:00" until:12:00 confirm:yes',
    )
    # a week before is still BST: 10:00 local is 09:00 UTC
    assert not mine(await run_tick(ask.ctx, utc(2023, 10, 27, 8, 59)))
    week = await run_tick(ask.ctx, utc(2023, 10, 27, 9, 0))
    assert {r.key.split(":")[3] for r in mine(week)} == {"P7D"}
    # the day before is GMT: 10:00 local is 10:00 UTC, not 09:00
    assert not mine(await run_tick(ask.ctx, utc(2023, 11, 2, 9, 59)))
    day = await run_tick(ask.ctx, utc(2023, 11, 2, 10, 0))
    reminders = [r for r in mine(day) if ":remind:P1D:" in r.key]
    assert len(reminders) == MEMBERS
    assert all(r.due_at == utc(2023, 11, 2, 10, 0) for r in reminders)
    assert "is tomorrow, Fri 3 Nov 2023, 10:00-12:00" in reminders[0].text


@time_machine.travel(datetime(2031, 6, 1, 12, 0, tzinfo=UTC), tick=False)
async def test_march_clock_change_keeps_ten_oclock(ask: Asker) -> None:
    """Created in February (GMT) for the Friday after the clocks go forward (BST)."""
    await add_at(
        ask,
        london(2025, 2, 3, 9, 0),
        'meeting add "Attendance" group:attendance on:"04/04/2025 10:00" until:12:00',
    )
    week = await run_tick(ask.ctx, utc(2025, 3, 28, 10, 0))  # GMT
    assert len([r for r in mine(week) if ":remind:P7D:" in r.key]) == MEMBERS
    assert not mine(await run_tick(ask.ctx, utc(2025, 4, 3, 8, 59)))
    day = await run_tick(ask.ctx, utc(2025, 4, 3, 9, 0))  # BST: 10:00 local
    assert len([r for r in mine(day) if ":remind:P1D:" in r.key]) == MEMBERS
    on_the_day = await run_tick(ask.ctx, utc(2025, 4, 4, 7, 0))  # 08:00 BST
    assert len([r for r in mine(on_the_day) if ":DAY0800:" in r.key]) == MEMBERS
    assert "is today" in mine(on_the_day)[0].text


async def test_two_ticks_at_the_same_instant_send_one_reminder_each(ask: Asker) -> None:
    await add_at(
        ask, london(2023, 12, 1, 9, 0), 'meeting add "A" group:attendance on:"15/12/2023 10:00"'
    )
    first = await run_tick(ask.ctx, london(2023, 12, 14, 10, 0))
    second = await run_tick(ask.ctx, london(2023, 12, 14, 10, 0))
    assert len([r for r in mine(first) if ":remind:" in r.key]) == MEMBERS
    assert not [r for r in mine(second) if ":remind:" in r.key]
    rows = await outbox_rows(ask.ctx, prefix="meeting:1:remind:P1D:")
    assert len(rows) == MEMBERS and {r.state for r in rows} == {"sent"}
    assert len({r.target for r in rows}) == MEMBERS
    assert rows[0].key.startswith("meeting:1:remind:P1D:")


async def test_day_before_reminders_buttons_apologies_and_summary(ask: Asker) -> None:
    await add_at(
        ask, london(2023, 12, 1, 9, 0), 'meeting add "A" group:attendance on:"15/12/2023 10:00"'
    )
    await ask.ok(JO, 'agenda 1 add "PA figures"')
    await ask.ok(JO, "rsvp 1 yes")
    await ask.ok(PRIYA, 'apologies 1 "Ofsted visit"')
    await run_tick(ask.ctx, london(2023, 12, 14, 10, 0))
    rows = await outbox_rows(ask.ctx, prefix="meeting:1:remind:P1D:")
    assert len(rows) == MEMBERS - 1  # apologies sent: Priya is not nagged
    jo = await person_id(ask, JO)
    by_target = {r.target: r.reply for r in rows}
    # Jo said yes: her reminder offers "Can't come", not "Attend"
    assert [(b.label, b.command) for b in by_target[f"person:{jo}"].buttons] == [
        ("Can't come", "form apologies 1"),
        ("Agenda", "agenda 1 list"),
    ]
    others = [reply for target, reply in by_target.items() if target != f"person:{jo}"]
    assert [b.command for b in others[0].buttons] == [
        "rsvp 1 yes",
        "form apologies 1",
        "agenda 1 list",
    ]
    assert "1. PA figures" in render_text(others[0])
    (summary,) = await outbox_rows(ask.ctx, prefix="meeting:1:summary:")
    assert summary.target == "person:2"  # Sam, who organised it
    assert "1 attending, 1 apologies, 0 maybe, 6 not replied" in summary.text
    assert "Ofsted visit" in summary.text


async def test_moved_meeting_reminds_at_the_new_time_only(ask: Asker) -> None:
    await add_at(
        ask, london(2023, 12, 1, 9, 0), 'meeting add "A" group:attendance on:"15/12/2023 10:00"'
    )
    await run_tick(ask.ctx, london(2023, 12, 8, 10, 0))  # the week-before reminder goes out
    await add_at(ask, london(2023, 12, 9, 9, 0), 'meeting move 1 on:"12/01/2024 10:00"')
    moved = await outbox_rows(ask.ctx, prefix="meeting:1:moved:s1:")
    assert len(moved) == MEMBERS and all(r.due_at == london(2023, 12, 9, 9, 0) for r in moved)
    # the old time passes without a reminder
    old = await run_tick(ask.ctx, london(2023, 12, 14, 10, 0))
    assert not [r for r in mine(old) if ":remind:" in r.key]
    new = await run_tick(ask.ctx, london(2024, 1, 11, 10, 0))
    keys = [r.key for r in mine(new) if ":remind:" in r.key]
    assert len(keys) == MEMBERS and all(k.endswith(":s1") and ":P1D:" in k for k in keys)


async def test_cancelled_meeting_is_not_reminded(ask: Asker) -> None:
    await add_at(
        ask, london(2023, 12, 1, 9, 0), 'meeting add "A" group:attendance on:"15/12/2023 10:00"'
    )
    await ask.ok(SAM, "meeting cancel 1 confirm:yes")
    done = await run_tick(ask.ctx, london(2023, 12, 14, 10, 0))
    assert len([r for r in mine(done) if ":cancelled:" in r.key]) == MEMBERS
    assert not [r for r in mine(done) if ":remind:" in r.key]


async def test_a_late_reminder_goes_while_useful_and_says_what_is_true_then(ask: Asker) -> None:
    """The one lateness rule (scheduled/late.py): the clock was down past a reminder's moment."""
    await add_at(
        ask, london(2023, 12, 1, 9, 0), 'meeting add "A" group:attendance on:"15/12/2023 10:00"'
    )
    # booked four days ahead: no week-before reminder at all, not even a skipped one
    await add_at(
        ask, london(2023, 12, 11, 9, 0), 'meeting add "B" group:attendance on:"15/12/2023 14:00"'
    )
    # down from before the week-before moment (Fri 8th 10:00) until Mon 11th: still useful,
    # and it says how far off the meeting is now, not the week it said when planned
    late = await run_tick(ask.ctx, london(2023, 12, 11, 9, 30))
    week = [r for r in mine(late) if r.key.startswith("meeting:1:remind:P7D:")]
    assert len(week) == MEMBERS and {r.state for r in week} == {"sent"}
    assert "is in 4 days, Fri 15 Dec 2023" in week[0].text and "in 1 week" not in week[0].text
    assert not await outbox_rows(ask.ctx, prefix="meeting:2:remind:P7D:")


async def test_a_reminder_superseded_or_past_its_meeting_is_skipped_with_why(ask: Asker) -> None:
    await add_at(
        ask, london(2023, 12, 1, 9, 0), 'meeting add "A" group:attendance on:"15/12/2023 10:00"'
    )
    # down over both the week-before and the day-before moments: only the day-before goes
    both = await run_tick(ask.ctx, london(2023, 12, 14, 15, 0))
    sent = [r for r in mine(both) if r.state == "sent"]
    assert {r.key.split(":")[3] for r in sent if ":remind:" in r.key} == {"P1D"}
    assert "is tomorrow" in sent[0].text
    week = await outbox_rows(ask.ctx, prefix="meeting:1:remind:P7D:")
    assert len(week) == MEMBERS and {r.state for r in week} == {"skipped"}
    assert "a later reminder of the same series was due" in (week[0].error or "")
    # down until the meeting's own day: the reminder and the organiser's summary say "today"
    await add_at(
        ask, london(2023, 12, 14, 16, 0), 'meeting add "C" group:attendance on:"18/12/2023 14:00"'
    )
    on_the_day = await run_tick(ask.ctx, london(2023, 12, 18, 9, 0))
    sent = [r for r in mine(on_the_day) if r.state == "sent" and ":remind:" in r.key]
    assert {r.key.split(":")[3] for r in sent} == {"DAY0800"}  # the day-before one: skipped
    assert "is today, Mon 18 Dec 2023" in sent[0].text
    (summary,) = [r for r in mine(on_the_day) if r.key.startswith("meeting:2:summary:")]
    assert summary.state == "sent" and summary.text.startswith("Today: C (meeting #2)")
