"""Deadlines on days schools are closed, the closing day's post, and late posts after downtime.

Sheffield's calendar (the default) with the 2025/26 dates of
../shared/data/terms/sheffield-term-dates.md: autumn ends Fri 19 Dec 2025, spring starts Mon 5
Jan 2026, Easter holidays 30 Mar - 10 Apr 2026. Bank holidays come from the `holidays` library.
"""

from __future__ import annotations

from datetime import date

import holidays

from bot.render.text import render_text
from tests.conftest import Asker, london, outbox_rows, run_tick

STAFF, DAN = "sam@learnsheffield.co.uk", "dan@sheffield.gov.uk"


def bank_holiday(day: date) -> str:
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year)[day]


async def at(ask: Asker, *when: int) -> None:
    ask.ctx.clock.set(london(*when))  # type: ignore[attr-defined]


async def test_a_consultation_closing_on_christmas_eve_is_accepted_with_a_warning(
    ask: Asker,
) -> None:
    await at(ask, 2025, 12, 1, 9, 0)
    reply = await ask.ok(
        STAFF, 'consultation add "Admissions" closes:24/12/2025 audience:board reminders:7d,1d'
    )
    assert "closes Wed 24 Dec 2025, 17:00" in reply.text
    assert "Note: Wed 24 Dec 2025 is in the school holidays, when schools are closed" in reply.text
    assert "the closing-day post goes that morning (08:00)" in reply.text
    assert "Wed 24 Dec 2025, 08:00: reminder (closes today)" in render_text(reply)
    # the closing-day post is made on Christmas Eve itself, at the first working moment
    await run_tick(ask.ctx, london(2025, 12, 23, 9, 0))
    await run_tick(ask.ctx, london(2025, 12, 24, 7, 59))
    assert not await outbox_rows(ask.ctx, prefix="consultation:1:r1:remind:2025-12-24")
    morning = await run_tick(ask.ctx, london(2025, 12, 24, 8, 0))
    (post,) = [r for r in morning.handled if ":remind:" in r.key]
    assert post.key == "consultation:1:r1:remind:2025-12-24:board" and post.state == "sent"
    assert "closes today" in post.text


async def test_a_consultation_closing_on_a_school_day_has_no_warning(ask: Asker) -> None:
    await at(ask, 2025, 12, 1, 9, 0)
    reply = await ask.ok(STAFF, 'consultation add "Admissions" closes:12/12/2025 audience:board')
    assert "Note:" not in reply.text
    extended = await ask.ok(STAFF, "consultation extend 1 closes:03/01/2026")
    assert "Note: Sat 3 Jan 2026 is a Saturday, when schools are closed" in extended.text


async def test_actions_due_when_schools_are_closed_are_accepted_with_a_warning(
    ask: Asker,
) -> None:
    await at(ask, 2025, 12, 1, 9, 0)
    add = 'action add "Send the census return" owner:@jo group:attendance due:'
    weekend = await ask.ok(DAN, add + "10/01/2026")
    assert "Note: Sat 10 Jan 2026 is a Saturday, when schools are closed" in weekend.text
    assert "nudges go on school days" in weekend.text
    easter = await ask.ok(DAN, add + "06/04/2026")
    assert "Mon 6 Apr 2026 is in the school holidays" in easter.text
    may_day = date(2026, 5, 4)  # a bank holiday in the summer term
    in_term = await ask.ok(DAN, add + "04/05/2026")
    assert f"Mon 4 May 2026 is a bank holiday ({bank_holiday(may_day)})" in in_term.text
    school_day = await ask.ok(DAN, add + "05/05/2026")
    assert "Note:" not in school_day.text
    moved = await ask.ok(DAN, "action due 4 26/12/2025")
    assert "Note: Fri 26 Dec 2025 is in the school holidays" in moved.text


async def test_a_late_reminder_counts_the_days_left_when_it_is_sent(ask: Asker) -> None:
    """The one rule for downtime (scheduled/late.py), for consultations."""
    await at(ask, 2025, 11, 20, 9, 0)
    await ask.ok(
        STAFF, 'consultation add "Admissions" closes:12/12/2025 audience:board reminders:14d,7d'
    )
    await run_tick(ask.ctx, london(2025, 11, 20, 9, 0))  # the launch
    # the 14-day reminder was planned for Fri 28 Nov; the clock was down until Tue 2 Dec
    late = await run_tick(ask.ctx, london(2025, 12, 2, 9, 30))
    (post,) = [r for r in late.handled if ":remind:" in r.key]
    assert post.key == "consultation:1:r1:remind:2025-11-28:board"
    assert "closes in 10 days" in post.text and "14 days" not in post.text


async def test_a_reminder_a_later_one_replaces_is_skipped_with_why(ask: Asker) -> None:
    await at(ask, 2025, 11, 20, 9, 0)
    await ask.ok(
        STAFF, 'consultation add "Admissions" closes:12/12/2025 audience:board reminders:14d,7d'
    )
    # down over both the 14-day (Fri 28 Nov) and 7-day (Fri 5 Dec) moments
    late = await run_tick(ask.ctx, london(2025, 12, 9, 10, 0))
    sent = [r for r in late.handled if ":remind:" in r.key and r.state == "sent"]
    assert [r.key for r in sent] == ["consultation:1:r1:remind:2025-12-05:board"]
    assert "closes in 3 days" in sent[0].text
    (skipped,) = await outbox_rows(ask.ctx, prefix="consultation:1:r1:remind:2025-11-28:")
    assert skipped.state == "skipped" and "later reminder" in (skipped.error or "")
    # after the close the clock was down for more than a week: the closing post is old news
    await run_tick(ask.ctx, london(2025, 12, 22, 9, 0))
    assert not await outbox_rows(ask.ctx, prefix="consultation:1:r1:closed")


async def test_examples_in_error_messages_are_dated_from_today(ask: Asker) -> None:
    await at(ask, 2026, 11, 30, 9, 0)
    bad = await ask(DAN, 'action add "Send" owner:@jo due:someday group:attendance')
    assert bad.error and "2024" not in bad.text and "2023" not in bad.text
    example = bad.text.split("Example: ", 1)[1]
    assert "due:15/01/2027" in example  # six weeks ahead, a Friday in term, as it was written
    moved = await ask(STAFF, 'meeting add "A" group:attendance on:"whenever"')
    assert moved.error and 'on:"18/12/2026 10:00"' in moved.text  # a fortnight ahead
    consult = await ask(STAFF, "consultation extend 1 closes:someday")
    assert consult.error and "2024" not in consult.text
    # the design's replay, on the day the examples were written for: exactly as written
    await at(ask, 2023, 12, 1, 9, 0)
    design = await ask(DAN, 'action add "Send" owner:@jo due:someday group:attendance')
    assert "due:12/01/2024" in design.text


async def test_a_weekend_or_bank_holiday_in_an_estimated_year_is_not_put_down_to_estimates(
    ask: Asker,
) -> None:
    """Saturdays and bank holidays do not rest on term dates: "Sat 5 Dec 2026 is a Saturday (by
    estimated term dates)" was said of a year whose term dates are estimated."""
    await at(ask, 2026, 11, 29, 9, 0)
    saturday = await ask.ok(STAFF, 'action add "Weekend" owner:@jo due:05/12/2026')
    assert "Note: Sat 5 Dec 2026 is a Saturday, when schools are closed" in saturday.text
    may_day = date(2027, 5, 3)
    reply = await ask.ok(STAFF, 'action add "BH" owner:@jo due:03/05/2027')
    assert f"Note: Mon 3 May 2027 is a bank holiday ({bank_holiday(may_day)})," in reply.text
    holiday = await ask.ok(STAFF, 'action add "Xmas" owner:@jo due:23/12/2026')
    assert "is in the school holidays (by estimated term dates)" in holiday.text
    # Easter Monday after the estimated spring term: in the (estimated) Easter holidays
    easter = await ask.ok(STAFF, 'action add "Easter" owner:@jo due:29/03/2027')
    assert "Mon 29 Mar 2027 is in the school holidays (by estimated term dates)" in easter.text
