"""Scheduled posts: next run shown, each occurrence once, editable while running, DST-safe."""

from __future__ import annotations

from bot.render.text import render_text
from tests.conftest import LONDON, Asker, london, outbox_rows, run_tick

STAFF = "sam@learnsheffield.co.uk"
ADD = 'schedule add "Board papers are out" channel:board on:"Mon 09:00" every:week'


async def sent(ask: Asker) -> list[tuple[str, str]]:
    rows = await outbox_rows(ask.ctx, prefix="schedule:")
    return [(r.key, r.text) for r in rows if r.state == "sent"]


async def test_weekly_post_shows_next_run_and_goes_once_each_week(ask: Asker) -> None:
    reply = await ask.ok(STAFF, ADD)
    assert "Scheduled post #1" in reply.text and "next: Mon 4 Dec 2023, 09:00" in reply.text
    listing = render_text(await ask.ok(STAFF, "schedules"))
    assert "Board papers are out" in listing and "every week" in listing
    for when in [
        london(2023, 12, 1, 9, 0),
        london(2023, 12, 4, 9, 0),
        london(2023, 12, 4, 9, 30),
        london(2023, 12, 8, 9, 0),
        london(2023, 12, 11, 9, 0),
    ]:
        await run_tick(ask.ctx, when)
    assert [k for k, _ in await sent(ask)] == [
        "schedule:1:2023-12-04T09:00Z",
        "schedule:1:2023-12-11T09:00Z",
    ]
    (row, _) = await outbox_rows(ask.ctx, prefix="schedule:1:")
    assert row.target == "group:board" and row.text == "Board papers are out"
    listing = render_text(await ask.ok(STAFF, "schedules"))
    assert "Mon 18 Dec 2023, 09:00" in listing


async def test_a_missed_week_is_not_sent_late_in_a_burst(ask: Asker) -> None:
    await ask.ok(STAFF, ADD)
    await run_tick(ask.ctx, london(2023, 12, 19, 10, 0))  # the clock was off for a fortnight
    assert [k for k, _ in await sent(ask)] == ["schedule:1:2023-12-18T09:00Z"]


async def test_a_dst_change_does_not_move_a_0900_post(ask: Asker) -> None:
    ask.ctx.clock.set(london(2023, 10, 20, 12, 0))  # type: ignore[attr-defined]
    # Mondays 23 and 30 October; clocks go back on the 29th. The 23rd is in Sheffield's half
    # term, so this post is told not to pause in the holidays
    await ask.ok(STAFF, ADD + " term-time:no")
    await run_tick(ask.ctx, london(2023, 10, 23, 9, 0))
    await run_tick(ask.ctx, london(2023, 10, 30, 9, 0))
    before, after = [r for r in await outbox_rows(ask.ctx, prefix="schedule:1:")]
    assert before.state == after.state == "sent"
    assert before.due_at.astimezone(LONDON).hour == after.due_at.astimezone(LONDON).hour == 9
    assert (before.due_at.hour, after.due_at.hour) == (8, 9)  # UTC: BST, then GMT


async def test_edit_while_running_changes_the_next_post(ask: Asker) -> None:
    await ask.ok(STAFF, ADD)
    await run_tick(ask.ctx, london(2023, 12, 4, 9, 0))
    ask.ctx.clock.set(london(2023, 12, 5, 12, 0))  # type: ignore[attr-defined]
    reply = await ask.ok(
        STAFF, 'schedule edit 1 "Board papers are out: see the agenda" on:"Tue 10:00"'
    )
    assert "next: Tue 12 Dec 2023, 10:00" in reply.text
    await run_tick(ask.ctx, london(2023, 12, 11, 9, 0))  # the old Monday slot: nothing
    await run_tick(ask.ctx, london(2023, 12, 12, 10, 0))
    assert await sent(ask) == [
        ("schedule:1:2023-12-04T09:00Z", "Board papers are out"),
        ("schedule:1:2023-12-12T10:00Z", "Board papers are out: see the agenda"),
    ]
    ask.ctx.clock.set(london(2023, 12, 13, 12, 0))  # type: ignore[attr-defined]
    assert "cancelled" in (await ask.ok(STAFF, "schedule cancel 1 confirm:yes")).text
    await run_tick(ask.ctx, london(2023, 12, 19, 10, 0))
    assert len(await sent(ask)) == 2
    assert "No scheduled posts" in (await ask.ok(STAFF, "schedules")).text


async def test_one_off_post_goes_once(ask: Asker) -> None:
    reply = await ask.ok(
        STAFF, 'schedule add "Agenda items due today" channel:attendance on:"05/12/2023 08:30"'
    )
    assert "once" in reply.text and "Tue 5 Dec 2023, 08:30" in reply.text
    for when in [london(2023, 12, 5, 8, 30), london(2023, 12, 5, 9, 0), london(2023, 12, 12, 9)]:
        await run_tick(ask.ctx, when)
    assert [k for k, _ in await sent(ask)] == ["schedule:1:2023-12-05T08:30Z"]


async def test_the_form_fills_the_same_command(ask: Asker) -> None:
    form = (await ask.ok(STAFF, "schedule add")).form
    assert form is not None
    values = {
        "text": "Board papers are out",
        "channel": "board",
        "on": "Mon 09:00",
        "every": "week",
    }
    reply = await ask.ok(STAFF, form.to_command(values))
    assert "every week in term time; next: Mon 4 Dec 2023, 09:00" in reply.text


async def test_bad_schedules_are_refused_and_nothing_is_saved(ask: Asker) -> None:
    past = await ask(STAFF, 'schedule add "Late" channel:board on:"01/11/2023 09:00"')
    assert past.error and "already passed" in past.text and "Example:" in past.text
    channel = await ask(STAFF, 'schedule add "X" channel:nowhere on:"Mon 09:00"')
    assert channel.error and "nowhere" in channel.text
    every = await ask(STAFF, 'schedule add "X" channel:board on:"Mon 09:00" every:year')
    assert every.error and "week" in every.text
    head = await ask("jo@hillside.sch.uk", ADD)
    assert head.error
    missing = await ask(STAFF, "schedule edit 7 on:tomorrow")
    assert missing.error and "#7" in missing.text
    assert "No scheduled posts" in (await ask.ok(STAFF, "schedules")).text


def test_monthly_posts_keep_the_day_or_take_the_last_day_of_a_short_month() -> None:
    from bot.terms import default_calendar
    from storage.consultations import ScheduledPost
    from storage.schedule_times import next_run

    post = ScheduledPost(
        id=1,
        text="Month-end returns",
        channel="board",
        first_at=london(2024, 1, 31, 9, 0),
        every="month",
        planned_since=london(2024, 1, 1, 9, 0),
    )
    runs, now = [], london(2024, 1, 1, 9, 0)
    for _ in range(4):
        now = next_run(post, now=now, tz=LONDON, terms=default_calendar())
        assert now is not None
        runs.append(now.astimezone(LONDON).strftime("%d/%m/%Y %H:%M"))
    assert runs == ["31/01/2024 09:00", "29/02/2024 09:00", "31/03/2024 09:00", "30/04/2024 09:00"]
