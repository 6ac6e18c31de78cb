"""Repeats that follow the school year: termly and half-termly posts, weekly posts that pause
in the holidays, and termly meetings that book what was asked for or say why not.

Sheffield's calendar (the default), 2025/26 dates from ../shared/data/terms/sheffield-term-dates.md:
spring term Mon 5 Jan - Fri 27 Mar 2026 with half term 16-20 Feb, summer from Mon 13 Apr 2026,
Christmas holidays 22 Dec 2025 - 2 Jan 2026. 2026/27 is not published, so it is estimated.
"""

from __future__ import annotations

from bot.render.text import render_text
from tests.conftest import Asker, london, outbox_rows, run_tick

STAFF = "sam@learnsheffield.co.uk"


async def at(ask: Asker, *when: int) -> None:
    ask.ctx.clock.set(london(*when))  # type: ignore[attr-defined]


async def sent(ask: Asker) -> list[str]:
    rows = await outbox_rows(ask.ctx, prefix="schedule:")
    return [r.key for r in rows if r.state == "sent"]


async def test_every_term_posts_on_the_first_school_day_of_each_term(ask: Asker) -> None:
    await at(ask, 2025, 12, 1, 10, 0)
    reply = await ask.ok(STAFF, 'schedule add "Welcome back" channel:board on:"09:00" every:term')
    assert "every term (first school day); next: Mon 5 Jan 2026, 09:00" in reply.text
    for when in [(2026, 1, 5, 9, 0), (2026, 2, 23, 9, 0), (2026, 4, 13, 9, 0)]:
        await run_tick(ask.ctx, london(*when))
    assert await sent(ask) == ["schedule:1:2026-01-05T09:00Z", "schedule:1:2026-04-13T08:00Z"]
    # the autumn term after is not published: the next run says it is estimated
    listing = render_text(await ask.ok(STAFF, "schedules"))
    assert "every term (first school day)" in listing
    assert "(by estimated term dates)" in listing


async def test_every_half_term_posts_after_each_half_term_break(ask: Asker) -> None:
    await at(ask, 2025, 12, 1, 10, 0)
    await ask.ok(
        STAFF, 'schedule add "Half-term returns due" channel:board on:"08:30" every:half-term'
    )
    for when in [(2026, 1, 5, 8, 30), (2026, 2, 16, 8, 30), (2026, 2, 23, 8, 30)]:
        await run_tick(ask.ctx, london(*when))
    assert await sent(ask) == ["schedule:1:2026-01-05T08:30Z", "schedule:1:2026-02-23T08:30Z"]


async def test_a_weekly_post_pauses_in_the_christmas_holidays(ask: Asker) -> None:
    await at(ask, 2025, 12, 8, 12, 0)
    reply = await ask.ok(
        STAFF, 'schedule add "Board papers are out" channel:board on:"Mon 09:00" every:week'
    )
    assert "every week in term time" in reply.text
    await at(ask, 2025, 12, 16, 12, 0)
    assert "Mon 5 Jan 2026, 09:00" in render_text(await ask.ok(STAFF, "schedules"))
    for day in [(2025, 12, 15), (2025, 12, 22), (2025, 12, 29), (2026, 1, 5)]:
        await run_tick(ask.ctx, london(*day, 9, 0))
    assert await sent(ask) == ["schedule:1:2025-12-15T09:00Z", "schedule:1:2026-01-05T09:00Z"]


async def test_term_time_no_keeps_a_weekly_post_going(ask: Asker) -> None:
    await at(ask, 2025, 12, 8, 12, 0)
    reply = await ask.ok(
        STAFF,
        'schedule add "Rota" channel:board on:"Mon 09:00" every:week term-time:no',
    )
    assert "every week;" in reply.text
    await run_tick(ask.ctx, london(2025, 12, 22, 9, 0))
    assert await sent(ask) == ["schedule:1:2025-12-22T09:00Z"]
    edited = await ask.ok(STAFF, "schedule edit 1 term-time:yes")
    assert "holiday pause" in edited.text and "next: Mon 5 Jan 2026, 09:00" in edited.text
    bad = await ask(STAFF, "schedule edit 1 term-time:maybe")
    assert bad.error and "term-time" in bad.text and "Example:" in render_text(bad)


async def test_termly_meetings_on_estimated_dates_say_so(ask: Asker) -> None:
    await at(ask, 2025, 12, 1, 10, 0)
    reply = await ask.ok(
        STAFF, 'meeting add "Board" group:board on:"12/01/2026 14:00" every:term count:4'
    )
    text = render_text(reply)
    for day in ("Mon 12 Jan 2026", "Mon 20 Apr 2026", "Mon 14 Sep 2026", "Mon 11 Jan 2027"):
        assert f"{day}, 14:00-15:00" in text
    assert "From Mon 14 Sep 2026 these follow estimated term dates" in reply.text
    assert "Only" not in reply.text


async def test_termly_meetings_beyond_the_calendar_say_why_fewer(ask: Asker) -> None:
    await at(ask, 2025, 12, 1, 10, 0)
    reply = await ask.ok(
        STAFF, 'meeting add "Board" group:board on:"12/01/2026 14:00" every:term count:40'
    )
    booked = reply.text.split("Only ", 1)[1].split(" ", 1)[0]
    assert f"Only {booked} of the 40 asked for: the term calendar has no terms after" in reply.text
    assert "terms import" in reply.text
    table = render_text(reply).count(", 14:00-15:00")
    assert int(booked) < 40 and table >= int(booked)


async def test_the_schedule_form_offers_the_term_repeats_and_the_pause(ask: Asker) -> None:
    form = (await ask.ok(STAFF, "schedule add")).form
    assert form is not None
    fields = {f.name: f for f in form.fields}
    assert {"term", "half-term"} <= set(fields["every"].options)
    assert fields["term-time"].options == ["yes", "no"]
    await at(ask, 2025, 12, 8, 12, 0)
    values = {"text": "Rota", "channel": "board", "on": "Mon 09:00", "every": "week"}
    reply = await ask.ok(STAFF, form.to_command(values | {"term-time": "no"}))
    assert "every week;" in reply.text and "in term time" not in reply.text


async def test_plain_english_every_term_is_read_as_the_termly_repeat(ask: Asker) -> None:
    reply = await ask(STAFF, 'post "Welcome back" to the board channel every term at 9')
    assert reply.read_as == 'schedule add "Welcome back" channel:board on:09:00 every:term'
    assert "Scheduled post" not in reply.text  # a write is only proposed
    half = await ask(STAFF, 'post "Returns due" to the board channel every half term at 8:30')
    assert half.read_as and half.read_as.endswith("every:half-term")
