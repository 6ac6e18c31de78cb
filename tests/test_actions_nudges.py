"""Nudges and the weekly digest appear in the outbox at the right instants, exactly once.

Autumn half term 2023 is 30 Oct - 3 Nov in the shipped calendar.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.app import BotContext
from bot.settings import Settings
from storage.db import Database
from tests.conftest import Asker, london, outbox_rows, run_tick

DAN, JO = "dan@sheffield.gov.uk", "jo@hillside.sch.uk"


@pytest.fixture
def settings(db: Database) -> Settings:
    """These tests time posts against the generic England calendar (PARTNERSHIP_CALENDAR=england:
    Autumn 2023 ends Wed 20 Dec, half terms in the last week of October); what they check is
    the timing rules, not which calendar is the default (tests/test_calendar.py checks that)."""
    return Settings(_env_file=None, database_url=db.url, partnership_calendar="england")  # type: ignore[call-arg]


async def add(ask: Asker, due: str, *, at: tuple[int, ...]) -> int:
    ask.ctx.clock.set(london(*at))  # type: ignore[attr-defined]
    reply = await ask.ok(
        DAN, f'action add "Circulate PA figures" owner:@jo due:{due} group:attendance'
    )
    return int(reply.text.split("#", 1)[1].split()[0])


async def nudge_days(ctx: BotContext, action_id: int) -> list[str]:
    rows = await outbox_rows(ctx, prefix=f"action:{action_id}:nudge:")
    return sorted(r.key.rsplit(":", 1)[1] for r in rows if r.state != "cancelled")


async def tick_daily(ctx: BotContext, first: date, last: date, *, hour: int = 9) -> None:
    """Run the actions planner at `hour` each day (the whole tick is tested above; this is
    the same planner and dispatcher without the other domains' planners, to keep it fast)."""
    from scheduled.actions import plan

    day = first
    while day <= last:
        now = london(day.year, day.month, day.day, hour, 0)
        async with ctx.db.session() as session:
            await plan(session, now=now, settings=ctx.settings)
        await ctx.dispatcher.run_once(now=now)
        day += timedelta(days=1)


async def test_due_tomorrow_gets_one_nudge_at_nine(ask: Asker) -> None:
    action_id = await add(ask, "30/11/2023", at=(2023, 11, 28, 17, 0))
    await run_tick(ask.ctx, london(2023, 11, 29, 8, 59))
    assert await nudge_days(ask.ctx, action_id) == []
    await run_tick(ask.ctx, london(2023, 11, 29, 9, 0))
    await run_tick(ask.ctx, london(2023, 11, 29, 15, 0))
    rows = await outbox_rows(ask.ctx, prefix=f"action:{action_id}:nudge:")
    assert [r.key for r in rows] == [f"action:{action_id}:nudge:2023-11-29"]
    nudge = rows[0]
    assert nudge.state == "sent" and nudge.target.startswith("person:")
    assert "due tomorrow" in nudge.text
    assert [b.command for b in nudge.reply.buttons] == [
        f"action done {action_id}",
        f"action snooze {action_id} 1w",
        f"action note {action_id}",
    ]


async def test_overdue_cadence_skips_weekends_and_half_term(ask: Asker) -> None:
    # due on the last Friday before half term
    action_id = await add(ask, "27/10/2023", at=(2023, 10, 24, 12, 0))
    await tick_daily(ask.ctx, date(2023, 10, 24), date(2023, 11, 16))
    assert await nudge_days(ask.ctx, action_id) == [
        "2023-10-26",  # the school day before
        "2023-10-27",  # the due day
        "2023-11-08",  # 3 school days after: half term and two weekends skipped
        "2023-11-13",  # Thu, Fri, (weekend), Mon
        "2023-11-16",
    ]


async def test_a_second_tick_sends_nothing_twice(ask: Asker) -> None:
    action_id = await add(ask, "01/12/2023", at=(2023, 11, 30, 12, 0))
    first = await run_tick(ask.ctx, london(2023, 12, 1, 9, 5))
    again = await run_tick(ask.ctx, london(2023, 12, 1, 9, 5))
    key = f"action:{action_id}:nudge:2023-12-01"
    assert [r.key for r in first.handled if r.key.startswith("action:")][-1] == key
    assert not [r for r in again.handled if r.key.startswith("action")]
    assert len(await outbox_rows(ask.ctx, prefix=key)) == 1


async def test_snooze_moves_the_next_nudge(ask: Asker) -> None:
    action_id = await add(ask, "04/12/2023", at=(2023, 11, 30, 12, 0))
    await tick_daily(ask.ctx, date(2023, 12, 1), date(2023, 12, 5))
    ask.ctx.clock.set(london(2023, 12, 5, 10, 0))  # type: ignore[attr-defined]
    await ask.ok(JO, f"action snooze {action_id} 1w")  # until Tue 12 Dec
    await tick_daily(ask.ctx, date(2023, 12, 6), date(2023, 12, 13))
    # without the snooze the next would have been Thu 7 Dec
    assert await nudge_days(ask.ctx, action_id) == ["2023-12-01", "2023-12-04", "2023-12-12"]


async def test_done_stops_the_nudges(ask: Asker) -> None:
    action_id = await add(ask, "04/12/2023", at=(2023, 11, 30, 12, 0))
    await tick_daily(ask.ctx, date(2023, 12, 1), date(2023, 12, 4))
    ask.ctx.clock.set(london(2023, 12, 4, 12, 0))  # type: ignore[attr-defined]
    await ask.ok(JO, f"action done {action_id}")
    await tick_daily(ask.ctx, date(2023, 12, 5), date(2023, 12, 15))
    assert await nudge_days(ask.ctx, action_id) == ["2023-12-01", "2023-12-04"]


async def test_weekly_digest_goes_to_the_chair_on_term_mondays(ask: Asker) -> None:
    late = await add(ask, "20/10/2023", at=(2023, 10, 16, 12, 0))
    await add(ask, "15/12/2023", at=(2023, 10, 16, 12, 0))
    ask.ctx.clock.set(london(2023, 10, 19, 12, 0))  # type: ignore[attr-defined]
    finished = await add(ask, "15/12/2023", at=(2023, 10, 19, 12, 0))
    await ask.ok(JO, f"action done {finished}")
    await run_tick(ask.ctx, london(2023, 10, 23, 8, 29))
    assert await outbox_rows(ask.ctx, prefix="action-digest:") == []
    await run_tick(ask.ctx, london(2023, 10, 23, 8, 30))
    await run_tick(ask.ctx, london(2023, 10, 23, 9, 0))
    await run_tick(ask.ctx, london(2023, 10, 24, 8, 30))  # Tuesday: nothing
    await run_tick(ask.ctx, london(2023, 10, 30, 8, 30))  # half term Monday: nothing
    rows = await outbox_rows(ask.ctx, prefix="action-digest:")
    assert len(rows) == 1
    digest = rows[0]
    assert digest.key.startswith("action-digest:") and ":2023-W43:" in digest.key
    assert "1 overdue, 1 open, 1 done" in digest.text
    assert f"#{late}" in digest.text and f"#{finished}" in digest.text
    async with ask.ctx.db.session() as session:
        from storage.directory import person_by_email

        dan = await person_by_email(session, DAN)
    assert dan is not None and digest.target == f"person:{dan.id}"
    await run_tick(ask.ctx, london(2023, 11, 6, 8, 30))  # term again: a new week's digest
    assert len(await outbox_rows(ask.ctx, prefix="action-digest:")) == 2
