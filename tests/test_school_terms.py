"""Schools with their own dates: `terms import` with an `organisation` column, and the nudges
to that school's people following its days.

Dates from ../shared/data/terms/sheffield-term-dates.md: Sheffield's 2025/26 (Autumn from Mon 1
Sep to Fri 19 Dec 2025) and High Green Primary's own INSET days for that year (1 Sep, 22 Sep,
19 Dec 2025, 5 Jan, 20 Jul 2026), loaded here as the demo's Hillside Primary's. Parkwood Academy,
an academy, sets its own autumn term (to Fri 12 Dec 2025), as academies may.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from bot.app import BotContext
from bot.render.text import render_text
from tests.conftest import Asker, london, outbox_rows

SAM, DAN = "sam@learnsheffield.co.uk", "dan@sheffield.gov.uk"
JO, OMAR, PRIYA = "jo@hillside.sch.uk", "omar@meadowbank.sch.uk", "priya@parkwood.sch.uk"

SCHOOLS_CSV = (
    "name,start,end,kind,organisation\n"
    "INSET day,2025-09-01,2025-09-01,inset,Hillside Primary\n"
    "INSET day,2025-09-22,2025-09-22,inset,Hillside Primary\n"
    "INSET day,2025-12-19,2025-12-19,inset,Hillside Primary\n"
    "INSET day,2026-01-05,2026-01-05,inset,Hillside Primary\n"
    "INSET day,2026-07-20,2026-07-20,inset,Hillside Primary\n"
    "Autumn 2025,2025-09-03,2025-12-12,term,parkwood academy\n"
    "Autumn half term 2025,2025-10-20,2025-10-31,half_term,Parkwood Academy\n"
    "Spring 2026,2026-01-05,2026-03-27,term,Parkwood Academy\n"
    "Summer 2026,2026-04-13,2026-07-17,term,Parkwood Academy\n"
)


async def load_schools(ask: Asker, tmp_path: Path) -> None:
    path = tmp_path / "schools.csv"
    path.write_text(SCHOOLS_CSV)
    ask.ctx.clock.set(london(2025, 8, 20, 12, 0))  # type: ignore[attr-defined]
    done = await ask.ok(SAM, f"terms import {path}")
    assert "Imported 9 term calendar rows (own dates for Hillside Primary, Parkwood Academy)" in (
        done.text
    )


async def add_action(ask: Asker, owner: str, due: str) -> int:
    reply = await ask.ok(
        DAN, f'action add "Send the census return" owner:@{owner} due:{due} group:attendance'
    )
    return int(reply.text.split("#", 1)[1].split()[0])


async def nudges(ctx: BotContext, action_id: int) -> list[str]:
    rows = await outbox_rows(ctx, prefix=f"action:{action_id}:nudge:")
    return sorted(r.key.rsplit(":", 1)[1] for r in rows if r.state == "sent")


async def tick_daily(ctx: BotContext, first: date, last: date) -> None:
    from scheduled.actions import plan

    day = first
    while day <= last:
        now = london(day.year, day.month, day.day, 9, 0)
        async with ctx.db.session() as session:
            await plan(session, now=now, settings=ctx.settings)
        await ctx.dispatcher.run_once(now=now)
        day += timedelta(days=1)


async def test_an_inset_day_holds_that_schools_nudges_only(ask: Asker, tmp_path: Path) -> None:
    await load_schools(ask, tmp_path)
    ask.ctx.clock.set(london(2025, 9, 15, 12, 0))  # type: ignore[attr-defined]
    jo = await add_action(ask, "jo", "22/09/2025")  # Hillside's INSET day
    omar = await add_action(ask, "omar", "22/09/2025")  # Meadowbank follows the city
    await tick_daily(ask.ctx, date(2025, 9, 16), date(2025, 9, 26))
    assert await nudges(ask.ctx, omar) == ["2025-09-19", "2025-09-22", "2025-09-25"]
    # Jo's school is closed on the 22nd: no nudge that day; the overdue one comes 3 of her
    # school days after the last (23, 24, 25: the INSET day does not count)
    assert await nudges(ask.ctx, jo) == ["2025-09-19", "2025-09-25"]


async def test_an_academys_own_holidays_hold_its_nudges(ask: Asker, tmp_path: Path) -> None:
    await load_schools(ask, tmp_path)
    ask.ctx.clock.set(london(2025, 12, 10, 12, 0))  # type: ignore[attr-defined]
    priya = await add_action(ask, "priya", "15/12/2025")  # Parkwood has broken up
    omar = await add_action(ask, "omar", "15/12/2025")
    await tick_daily(ask.ctx, date(2025, 12, 11), date(2026, 1, 8))
    # the city's autumn runs to Fri 19 Dec: due, then overdue every 3 school days
    assert await nudges(ask.ctx, omar) == ["2025-12-12", "2025-12-15", "2025-12-18", "2026-01-06"]
    # Parkwood's last day is Fri 12 Dec: the day-before nudge then, nothing in its holidays,
    # and the overdue one on its third school day back (Wed 7 Jan)
    assert await nudges(ask.ctx, priya) == ["2025-12-12", "2026-01-07"]


async def test_terms_shows_the_askers_school_and_any_school(ask: Asker, tmp_path: Path) -> None:
    await load_schools(ask, tmp_path)
    ask.ctx.clock.set(london(2025, 12, 1, 9, 0))  # type: ignore[attr-defined]
    mine = render_text(await ask.ok(PRIYA, "terms"))
    assert "Term calendar for your school" in mine and "End of term: Fri 12 Dec 2025" in mine
    city = render_text(await ask.ok(OMAR, "terms"))
    assert "Term calendar: this school year" in city and "End of term: Fri 19 Dec 2025" in city
    hillside = render_text(await ask.ok(SAM, 'terms org:"Hillside Primary"'))
    assert "Term calendar for Hillside Primary" in hillside
    assert "End of term: Fri 19 Dec 2025" in hillside and "INSET day" in hillside
    assert "INSET day" not in city  # a school's INSET days are its own, not the city's


async def test_a_schools_file_leaves_the_city_calendar_and_other_schools_alone(
    ask: Asker, tmp_path: Path
) -> None:
    await load_schools(ask, tmp_path)
    inset_only = tmp_path / "hillside.csv"
    inset_only.write_text(
        "name,start,end,kind,organisation\nINSET day,2025-11-14,2025-11-14,inset,Hillside Primary\n"
    )
    await ask.ok(SAM, f"terms import {inset_only}")  # a school may give only its INSET days
    ask.ctx.clock.set(london(2025, 12, 1, 9, 0))  # type: ignore[attr-defined]
    hillside = render_text(await ask.ok(SAM, 'terms org:"Hillside Primary"'))
    assert "Fri 14 Nov 2025" in hillside and "Mon 22 Sep 2025" not in hillside  # replaced
    assert "End of term: Fri 12 Dec 2025" in render_text(await ask.ok(PRIYA, "terms"))
    assert "End of term: Fri 19 Dec 2025" in render_text(await ask.ok(OMAR, "terms"))


async def test_an_unknown_school_is_refused_and_nothing_changes(ask: Asker, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,start,end,kind,organisation\n"
        "Autumn 2023,2023-09-04,2023-12-08,term,\n"
        "INSET day,2023-12-04,2023-12-04,inset,Hilside Primary\n"
    )
    refused = await ask(SAM, f"terms import {bad}")
    assert refused.error and "'Hilside Primary' is not an organisation" in refused.text
    assert "Example:" in render_text(refused)
    assert "End of term: Fri 22 Dec 2023" in render_text(await ask.ok(JO, "terms"))


async def test_the_cli_import_takes_the_organisation_column(ask: Asker, tmp_path: Path) -> None:
    from handlers.terms import import_terms_file

    path = tmp_path / "schools.csv"
    path.write_text(SCHOOLS_CSV)
    async with ask.ctx.db.session() as session:
        assert (
            await import_terms_file(session, str(path))
            == "9 rows (own dates for Hillside Primary, Parkwood Academy)"
        )
    ask.ctx.clock.set(london(2025, 12, 1, 9, 0))  # type: ignore[attr-defined]
    assert "End of term: Fri 12 Dec 2025" in render_text(await ask.ok(PRIYA, "terms"))


async def test_a_consultation_nudge_waits_for_that_schools_next_school_day(
    ask: Asker, tmp_path: Path
) -> None:
    from scheduled.consultations import plan

    await load_schools(ask, tmp_path)
    ask.ctx.clock.set(london(2025, 9, 15, 12, 0))  # type: ignore[attr-defined]
    await ask.ok(
        SAM,
        'consultation add "Attendance strategy" closes:03/10/2025 audience:attendance '
        "reminders:11d nudge:yes",
    )
    for day in (22, 23):  # the reminder is Mon 22 Sep, Hillside's INSET day
        now = london(2025, 9, day, 9, 0)
        async with ask.ctx.db.session() as session:
            await plan(session, now=now, settings=ask.ctx.settings)
        await ask.ctx.dispatcher.run_once(now=now)
    rows = await outbox_rows(ask.ctx, prefix="consultation:1:r1:nudge:2025-09-22:")
    sent = {r.target: r for r in rows if r.state == "sent"}
    async with ask.ctx.db.session() as session:
        from storage.directory import person_by_email

        jo = await person_by_email(session, JO)
        omar = await person_by_email(session, OMAR)
    assert jo and omar
    assert sent[f"person:{omar.id}"].due_at == london(2025, 9, 22, 9, 0)
    assert "closes in 11 days" in sent[f"person:{omar.id}"].text
    # held on her school's INSET day, sent the next morning with the days left then
    (held,) = [r for r in rows if r.key.endswith(f"held:{jo.id}:2025-09-22")]
    assert held.state == "skipped" and "school is closed" in (held.error or "")
    assert "closes in 10 days" in sent[f"person:{jo.id}"].text


async def test_an_opportunity_closing_nudge_waits_for_that_schools_school_day(
    ask: Asker, tmp_path: Path
) -> None:
    from scheduled.opportunities import plan_nudges

    await load_schools(ask, tmp_path)
    ask.ctx.clock.set(london(2025, 9, 15, 12, 0))  # type: ignore[attr-defined]
    await ask.ok(SAM, 'opp add "Phonics network" closes:24/09/2025 phase:primary')
    async with ask.ctx.db.session() as session:
        from storage.directory import person_by_email

        jo = await person_by_email(session, JO)
        omar = await person_by_email(session, OMAR)
    assert jo and omar
    first: dict[str, str] = {}
    for day in (22, 23):  # Mon 22 Sep is Hillside's INSET day
        now = london(2025, 9, day, 9, 0)
        async with ask.ctx.db.session() as session:
            await plan_nudges(session, now=now, settings=ask.ctx.settings)
        for row in await outbox_rows(ask.ctx, prefix="opp:1:closing:"):
            first.setdefault(row.target, row.text)
        await ask.ctx.dispatcher.run_once(now=now)
        if day == 22:
            assert f"person:{omar.id}" in first and f"person:{jo.id}" not in first
    assert first[f"person:{omar.id}"].startswith("Closing in 2 days")
    assert first[f"person:{jo.id}"].startswith("Closing tomorrow")


async def test_a_school_year_given_in_part_is_refused_and_nothing_changes(
    ask: Asker, tmp_path: Path
) -> None:
    """Terms replace their school year's terms: an autumn-only file would turn the school's
    spring and summer into holidays and stop its nudges until September."""
    await load_schools(ask, tmp_path)
    before = render_text(await ask.ok(PRIYA, "terms"))
    part = tmp_path / "autumn_only.csv"
    part.write_text(
        "name,start,end,kind,organisation\n"
        "Autumn 2025,2025-09-04,2025-12-12,term,Parkwood Academy\n"
    )
    refused = await ask(SAM, f"terms import {part}")
    assert refused.error and "run only from 04/09/2025 to 12/12/2025" in refused.text
    assert "Give the school year's terms whole" in refused.text
    assert render_text(await ask.ok(PRIYA, "terms")) == before
