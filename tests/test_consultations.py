"""Consultations: deadlines from the term calendar, countdown posts that respect school days,
extensions that re-plan without repeats, closing that stops the reminders."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from bot.render.text import render_text
from bot.settings import Settings
from storage.db import Database
from tests.conftest import LONDON, Asker, london, outbox_rows, run_tick

STAFF = "sam@learnsheffield.co.uk"
JO = "jo@hillside.sch.uk"  # head of Hillside Primary, on the board
PRIYA = "priya@parkwood.sch.uk"  # head of Parkwood Academy, on the board
ADD = (
    'consultation add "Partnership design" closes:"end of term" audience:board '
    "link:https://example.org/c"
)


@pytest.fixture
def settings(db: Database) -> Settings:
    """These tests time posts against the generic England calendar (PARTNERSHIP_CALENDAR=england:
    Autumn 2023 ends Wed 20 Dec, half terms in the last week of October); what they check is
    the timing rules, not which calendar is the default (tests/test_calendar.py checks that)."""
    return Settings(_env_file=None, database_url=db.url, partnership_calendar="england")  # type: ignore[call-arg]


async def at(ask: Asker, when: datetime) -> None:
    ask.ctx.clock.set(when)  # type: ignore[attr-defined]


async def sent_keys(ask: Asker) -> list[str]:
    return [r.key for r in await outbox_rows(ask.ctx, prefix="consultation:") if r.state == "sent"]


async def test_end_of_term_resolves_through_the_term_calendar(ask: Asker) -> None:
    reply = await ask.ok(STAFF, ADD)
    assert "Consultation #1 added" in reply.text
    assert "closes Wed 20 Dec 2023, 17:00" in reply.text  # Autumn 2023 ends on 20 December
    listing = render_text(await ask.ok(JO, "consultations"))
    assert "Partnership design" in listing and "19 days" in listing and "not yet" in listing
    detail = render_text(await ask.ok(JO, "consultation 1"))
    assert "open, 19 days left" in detail and "https://example.org/c" in detail
    assert "Wed 6 Dec 2023, 09:00: reminder (closes in 14 days)" in detail
    assert "Wed 20 Dec 2023, 17:00: closed" in detail


async def test_posts_across_a_consultations_life_go_once_each(ask: Asker) -> None:
    await ask.ok(STAFF, ADD)
    for day, hour in [(1, 9), (1, 10), (6, 9), (6, 12), (13, 9), (18, 9), (19, 9)]:
        await run_tick(ask.ctx, london(2023, 12, day, hour, 0))
    await run_tick(ask.ctx, london(2023, 12, 20, 9, 0))
    await run_tick(ask.ctx, london(2023, 12, 20, 17, 0))
    await run_tick(ask.ctx, london(2023, 12, 21, 9, 0))
    keys = await sent_keys(ask)
    assert keys == [
        "consultation:1:launch:board",
        "consultation:1:r1:remind:2023-12-06:board",
        "consultation:1:r1:remind:2023-12-13:board",
        "consultation:1:r1:remind:2023-12-18:board",
        "consultation:1:r1:remind:2023-12-19:board",
        "consultation:1:r1:remind:2023-12-20:board",
        "consultation:1:r1:closed:board",
    ]
    rows = await outbox_rows(ask.ctx, prefix="consultation:1:r1:remind:2023-12-20")
    assert "closes today" in rows[0].text and rows[0].target == "group:board"
    closed = await outbox_rows(ask.ctx, prefix="consultation:1:r1:closed")
    assert "closed Wed 20 Dec 2023, 17:00, 0 responses" in closed[0].text


async def test_an_offset_on_a_saturday_posts_on_the_friday(ask: Asker) -> None:
    # closes Monday 18 December: 2 days before is Saturday, 1 day before is Sunday
    await ask.ok(STAFF, 'consultation add "Framework" closes:18/12/2023 audience:board')
    for day in (15, 16, 17):
        await run_tick(ask.ctx, london(2023, 12, day, 9, 0))
    keys = await sent_keys(ask)
    reminders = [k for k in keys if ":remind:" in k]
    assert reminders == ["consultation:1:r1:remind:2023-12-15:board"]
    (friday,) = await outbox_rows(ask.ctx, prefix="consultation:1:r1:remind:2023-12-15")
    assert friday.due_at == london(2023, 12, 15, 9, 0)
    assert "closes in 3 days" in friday.text


async def test_extension_replans_without_duplicates(ask: Asker) -> None:
    from scheduled.consultations import plan

    await ask.ok(STAFF, ADD)
    await run_tick(ask.ctx, london(2023, 12, 1, 9, 0))
    await run_tick(ask.ctx, london(2023, 12, 6, 9, 0))
    # the 13 December reminder is queued but the dispatcher has not sent it yet
    async with ask.ctx.db.session() as session:
        await plan(session, now=london(2023, 12, 13, 9, 0), settings=ask.ctx.settings)
    await at(ask, london(2023, 12, 13, 9, 0))
    reply = await ask.ok(STAFF, "consultation extend 1 closes:12/01/2024")
    assert "now closes Fri 12 Jan 2024, 17:00" in reply.text and "withdrawn" in reply.text
    (withdrawn,) = await outbox_rows(ask.ctx, prefix="consultation:1:r1:remind:2023-12-13")
    assert withdrawn.state == "cancelled"
    for when in [
        london(2023, 12, 13, 9, 1),
        london(2023, 12, 18, 9, 0),
        london(2023, 12, 20, 9, 0),
        london(2023, 12, 20, 17, 0),
        london(2024, 1, 10, 9, 0),
        london(2024, 1, 11, 9, 0),
        london(2024, 1, 12, 9, 0),
        london(2024, 1, 12, 17, 0),
        london(2024, 1, 12, 17, 5),
    ]:
        await run_tick(ask.ctx, when)
    keys = await sent_keys(ask)
    assert not [k for k, n in Counter(keys).items() if n > 1]
    assert "consultation:1:r2:extended:board" in keys
    assert "consultation:1:r1:remind:2023-12-18:board" not in keys  # the old plan stopped
    assert "consultation:1:r1:closed:board" not in keys  # not closed on the old date
    reminders = [k for k in keys if ":r2:remind:" in k]
    assert reminders == [
        "consultation:1:r2:remind:2023-12-20:board",  # 14d and 7d fall in the holiday
        "consultation:1:r2:remind:2024-01-10:board",
        "consultation:1:r2:remind:2024-01-11:board",
        "consultation:1:r2:remind:2024-01-12:board",
    ]
    assert keys[-1] == "consultation:1:r2:closed:board"


async def test_closing_early_stops_the_reminders(ask: Asker) -> None:
    await ask.ok(STAFF, ADD)
    await run_tick(ask.ctx, london(2023, 12, 1, 9, 0))
    await at(ask, london(2023, 12, 4, 11, 0))
    reply = await ask.ok(STAFF, "consultation close 1 confirm:yes")
    assert "is closed" in reply.text
    for day in (4, 6, 13, 18, 19, 20, 21):
        await run_tick(ask.ctx, london(2023, 12, day, 17, 0))
    assert await sent_keys(ask) == [
        "consultation:1:launch:board",
        "consultation:1:r1:closed:board",
    ]
    late = await ask(JO, "consultation responded 1")
    assert late.error and "closed" in late.text
    again = await ask(STAFF, "consultation close 1 confirm:yes")
    assert again.error and "already closed" in again.text
    assert "No consultations are open" in (await ask.ok(JO, "consultations")).text


async def test_a_dst_change_does_not_move_a_0900_post(ask: Asker) -> None:
    # clocks go forward on 31 March 2024; Easter holiday until 15 April
    await at(ask, london(2024, 3, 20, 10, 0))
    await ask.ok(STAFF, 'consultation add "Spring survey" closes:19/04/2024 audience:board')
    for when in [london(2024, 3, 28, 9, 0), london(2024, 4, 17, 9, 0)]:
        await run_tick(ask.ctx, when)
    before, after = await outbox_rows(ask.ctx, prefix="consultation:1:r1:remind:")
    assert before.key.endswith("2024-03-28:board")  # 14d and 7d fall in the holiday
    assert after.key.endswith("2024-04-17:board")
    for row in (before, after):
        assert row.due_at.astimezone(LONDON).hour == 9 and row.state == "sent"
    assert before.due_at.hour == 9 and after.due_at.hour == 8  # UTC: GMT, then BST


async def test_responses_and_nudges_only_to_those_not_responded(ask: Asker) -> None:
    await ask.ok(
        STAFF,
        'consultation add "Partnership design" closes:"end of term" audience:board nudge:yes',
    )
    reply = await ask.ok(JO, "consultation responded 1")
    assert "recorded Hillside Primary's response" in reply.text
    assert "already recorded" in (await ask.ok(JO, "consultation responded 1")).text
    outsider = await ask("omar@meadowbank.sch.uk", "consultation responded 1")
    assert outsider.error and "board" in outsider.text
    await run_tick(ask.ctx, london(2023, 12, 6, 9, 0))
    nudges = await outbox_rows(ask.ctx, prefix="consultation:1:r1:nudge:")
    async with ask.ctx.db.session() as session:
        from storage.directory import person_by_email

        jo = await person_by_email(session, JO)
        priya = await person_by_email(session, PRIYA)
    assert jo is not None and priya is not None
    targets = {r.target for r in nudges}
    assert f"person:{priya.id}" in targets and f"person:{jo.id}" not in targets
    table = render_text(await ask.ok(STAFF, "consultation responses 1"))
    assert "1 of 7 have responded" in table
    assert "Hillside Primary" in table and "Jo Bloggs" in table and "Parkwood Academy" in table
    denied = await ask(JO, "consultation responses 1")
    assert denied.error


async def test_bad_input_is_refused_and_nothing_is_saved(ask: Asker) -> None:
    before_open = await ask(
        STAFF, 'consultation add "X" opens:20/12/2023 closes:15/12/2023 audience:board'
    )
    assert before_open.error and "before the consultation opens" in before_open.text
    unknown = await ask(STAFF, 'consultation add "X" closes:15/12/2023 audience:board,wizards')
    assert unknown.error and "wizards" in unknown.text
    assert "attendance" in unknown.text and "primary" in unknown.text
    assert "everyone" in unknown.text
    past = await ask(STAFF, 'consultation add "X" closes:15/11/2023 audience:board')
    assert past.error and "already passed" in past.text
    reminders = await ask(STAFF, 'consultation add "X" closes:15/12/2023 reminders:soon')
    assert reminders.error and "reminders:soon" in reminders.text and "Example:" in reminders.text
    head = await ask(JO, ADD)
    assert head.error
    shorter = await ask.ok(STAFF, ADD)
    assert "#1" in shorter.text
    earlier = await ask(STAFF, "consultation extend 1 closes:15/12/2023")
    assert earlier.error and "not later" in earlier.text
    assert (await ask(JO, "consultation 9")).error
    listing = await ask.ok(JO, "consultations")
    assert listing.text == "Open consultations: 1"  # only the good one was saved


async def test_the_form_fills_the_same_command(ask: Asker) -> None:
    form = (await ask.ok(STAFF, "consultation add")).form
    assert form is not None and form.command == "consultation add"
    command = form.to_command(
        {"title": "Partnership design", "closes": "end of term", "audience": "board", "nudge": "on"}
    )
    reply = await ask.ok(STAFF, command)
    assert "Consultation #1 added" in reply.text and "Wed 20 Dec 2023, 17:00" in reply.text
    wrong = await ask(
        STAFF, form.to_command({"title": "X", "closes": "20/12/2023", "audience": "x"})
    )
    assert wrong.error and wrong.error_field == "audience"


async def test_a_phase_audience_takes_in_all_through_schools(ask: Asker) -> None:
    # Crookes Valley School is all-through: it counts as primary and as secondary, as it does
    # for opportunities.
    await ask.ok(STAFF, 'consultation add "Phonics" closes:"end of term" audience:primary')
    reply = await ask.ok("ben@crookesvalley.sch.uk", "consultation responded 1")
    assert "recorded Crookes Valley School's response" in reply.text
    await ask.ok(STAFF, 'consultation add "Exams" closes:"end of term" audience:all-through')
    assert not (await ask("ben@crookesvalley.sch.uk", "consultation responded 2")).error
    await ask.ok(STAFF, 'consultation add "Nursery" closes:"end of term" audience:nursery')
    assert (await ask("ben@crookesvalley.sch.uk", "consultation responded 3")).error
    async with ask.ctx.db.session() as session:
        from storage.consultations import audience_people

        names = {p.name for p in await audience_people(session, ["phase:secondary"])}
    assert "Ben Carter" in names


async def test_a_tick_with_everything_queued_renders_and_queries_nothing(
    ask: Asker, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ask.ok(
        STAFF,
        'consultation add "Partnership design" closes:"end of term" audience:board,primary '
        "nudge:yes",
    )
    await run_tick(ask.ctx, london(2023, 12, 6, 9, 0))  # launch, reminder and nudges queued
    assert await outbox_rows(ask.ctx, prefix="consultation:1:r1:nudge:2023-12-06:")
    before = len(await outbox_rows(ask.ctx, prefix="consultation:"))

    calls: list[object] = []

    def refuse(*args: object, **kw: object) -> None:
        calls.append(args)  # the tick logs an exception and goes on: so record, then assert
        raise AssertionError("queried or rendered again for posts already queued")

    from scheduled import consultations as plan
    from storage import consultations as repo

    for name in ("audience_people", "responses_to"):
        monkeypatch.setattr(repo, name, refuse)
    for name in ("launch_reply", "reminder_reply", "nudge_reply"):
        monkeypatch.setattr(plan, name, refuse)
    await run_tick(ask.ctx, london(2023, 12, 6, 10, 0))
    await run_tick(ask.ctx, london(2023, 12, 7, 9, 0))  # no reminder due: the launch only
    assert calls == []
    assert len(await outbox_rows(ask.ctx, prefix="consultation:")) == before
