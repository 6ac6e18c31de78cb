"""School years the shipped data does not publish are estimated, and every reply that uses an
estimated date says so; `terms import` replaces an estimate only for the years it gives.

Sheffield publishes up to 2025/26 (../shared/data/terms/sheffield-term-dates.md): 2026/27 is not
found, so in November 2026 the current year is estimated.
"""

from __future__ import annotations

from pathlib import Path

from bot.render.text import render_text
from tests.conftest import Asker, london

STAFF, DAN = "sam@learnsheffield.co.uk", "dan@sheffield.gov.uk"
ESTIMATED = "comes from estimated term dates (not yet published)"


async def at(ask: Asker, *when: int) -> None:
    ask.ctx.clock.set(london(*when))  # type: ignore[attr-defined]


async def test_end_of_term_in_an_estimated_year_is_marked_in_every_reply(ask: Asker) -> None:
    await at(ask, 2026, 11, 30, 9, 0)
    consultation = await ask.ok(
        STAFF, 'consultation add "Design" closes:"end of term" audience:board'
    )
    assert "closes Fri 18 Dec 2026, 17:00" in consultation.text
    assert f"Fri 18 Dec 2026 {ESTIMATED}" in consultation.text
    action = await ask.ok(
        DAN, 'action add "Circulate PA figures" owner:@jo due:"end of term" group:attendance'
    )
    assert f"due Fri 18 Dec 2026 (attendance). Note: Fri 18 Dec 2026 {ESTIMATED}" in action.text
    # a deadline in an estimated holiday says both
    holiday = await ask.ok(
        DAN, 'action add "Census" owner:@jo due:"next half term" group:attendance'
    )
    assert "Mon 15 Feb 2027 is in Spring half term 2027 (estimated)" in holiday.text
    meetings = await ask.ok(DAN, 'meetings within:"this term"')
    assert ESTIMATED in meetings.text
    # a plain date needs no term dates: no note
    plain = await ask.ok(DAN, 'action add "Send" owner:@jo due:10/12/2026 group:attendance')
    assert "estimated" not in plain.text


async def test_end_of_term_in_a_published_year_is_not_marked(ask: Asker) -> None:
    await at(ask, 2025, 12, 1, 9, 0)
    reply = await ask.ok(STAFF, 'consultation add "Design" closes:"end of term" audience:board')
    assert "closes Fri 19 Dec 2025, 17:00" in reply.text and "estimated" not in reply.text


async def test_an_import_replaces_the_estimate_for_its_years_only(
    ask: Asker, tmp_path: Path
) -> None:
    csv = tmp_path / "sheffield-2026-27.csv"
    csv.write_text(
        "name,start,end,kind,source\n"
        "Autumn 2026,2026-09-02,2026-12-18,term,Sheffield City Council (test file)\n"
        "Spring 2027,2027-01-05,2027-03-26,term,Sheffield City Council (test file)\n"
        "Summer 2027,2027-04-12,2027-07-21,term,Sheffield City Council (test file)\n"
    )
    await at(ask, 2026, 11, 30, 9, 0)
    await ask.ok(STAFF, f"terms import {csv}")
    reply = await ask.ok(STAFF, 'consultation add "Design" closes:"end of term" audience:board')
    assert "closes Fri 18 Dec 2026" in reply.text and "estimated" not in reply.text
    shown = render_text(await ask.ok(STAFF, "terms"))
    assert "Sheffield City Council (test file)" in shown  # the source of each year
    assert "Autumn 2027 (estimated)" in shown  # the years after are still estimated
    assert "Autumn 2025" not in shown and "Autumn 2026 (estimated)" not in shown
    everything = render_text(await ask.ok(STAFF, "terms all"))
    assert "Autumn 2025" in everything  # the shipped years before it are kept


async def test_a_meeting_in_an_estimated_holiday_says_the_dates_are_estimated(
    ask: Asker,
) -> None:
    await at(ask, 2026, 11, 30, 9, 0)
    reply = await ask(STAFF, 'meeting add "A" group:attendance on:"22/12/2026 10:00"')
    assert reply.error and "Tue 22 Dec 2026 is in the school holidays" in reply.text
    assert "(by estimated term dates)" in reply.text and "confirm:yes" in reply.text
