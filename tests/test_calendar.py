"""Sheffield's calendar by default (issue 19): published dates from the notes shipped beside the
CSV (bot/data/sheffield-term-dates.md, read here, not copied by hand), estimates marked, bank
holidays from the `holidays` library."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from importlib import resources

import holidays
import pytest

from bot.render.text import render_text
from bot.settings import SettingsError, load_settings
from bot.terms import default_calendar
from tests.conftest import Asker

JO = "jo@hillside.sch.uk"
NOTES = resources.files("bot").joinpath("data/sheffield-term-dates.md").read_text("utf-8")


def _published_blocks() -> list[tuple[date, date]]:
    """Every term-time block the notes give in full: 2023/24 and 2025/26."""
    blocks = []
    for a, b in re.findall(r"^- \w+ (\d+ \w+ \d{4}) until \w+ (\d+ \w+ \d{4})$", NOTES, re.M):
        blocks.append(tuple(datetime.strptime(x, "%d %B %Y").date() for x in (a, b)))
    line = NOTES.split("2023/24 (sheffield.gov.uk):", 1)[1].split("2024/25", 1)[0]
    for d1, m1, d2, m2, year in re.findall(r"(\d+) (\w{3})–(\d+) (\w{3}) (\d{4})", line):
        end = datetime.strptime(f"{d2} {m2} {year}", "%d %b %Y").date()
        start = datetime.strptime(f"{d1} {m1} {year}", "%d %b %Y").date()
        blocks.append((start, end))
    return sorted(blocks)


BLOCKS = _published_blocks()


def _weekdays(start: date, end: date) -> list[date]:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5]


def test_the_notes_give_both_published_years_in_full() -> None:
    assert len(BLOCKS) == 12  # six blocks a year: three terms, each split by a half term


def test_sheffield_school_days_are_the_published_ones() -> None:
    cal = default_calendar()
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2023, 2027))
    for start, end in BLOCKS:
        for day in _weekdays(start, end):
            assert cal.is_school_day(day) == (day not in bank), day
    for (_, end), (start, _) in zip(BLOCKS, BLOCKS[1:], strict=False):
        if (start - end).days < 60:  # a half term or holiday inside one school year
            assert not any(
                cal.is_school_day(d) for d in _weekdays(end + timedelta(1), start - timedelta(1))
            )


def test_the_issue_examples_follow_the_notes() -> None:
    cal = default_calendar()
    autumn_2023 = [b for b in BLOCKS if b[0].year == 2023]
    half_term = autumn_2023[0][1] + timedelta(days=3)  # the Monday after the first block
    assert cal.next_half_term(date(2023, 10, 2)) == half_term == date(2023, 10, 23)
    assert cal.end_of_term(date(2023, 12, 1)) == autumn_2023[1][1]
    first_2025 = next(b for b in BLOCKS if b[0].year == 2025)
    assert cal.start_of_next_term(date(2025, 8, 1)) == first_2025[0]
    assert cal.end_of_term(date(2026, 7, 1)) == BLOCKS[-1][1] == date(2026, 7, 20)


def test_england_calendar_is_kept_behind_the_setting() -> None:
    assert default_calendar("england").end_of_term(date(2023, 12, 1)) == date(2023, 12, 20)
    assert load_settings(None).partnership_calendar == "sheffield"
    assert load_settings(None, partnership_calendar="england").partnership_calendar == "england"
    with pytest.raises(SettingsError, match="PARTNERSHIP_CALENDAR"):
        load_settings(None, partnership_calendar="leeds")


def test_years_after_the_published_ones_are_estimated_and_say_so() -> None:
    cal = default_calendar()
    term = cal.term_of(date(2026, 11, 10))
    assert term is not None and term.estimated and "(estimated)" in term.name
    assert term.start == date(2026, 9, 7)  # first Monday of September 2026
    assert not cal.term_of(date(2025, 11, 10)).estimated  # type: ignore[union-attr]
    assert cal.term_of(date(2030, 11, 10)) is not None  # five estimated years


def test_bank_holidays_come_from_the_library_for_every_year_planned() -> None:
    cal = default_calendar()
    for year in range(2024, 2031):
        for day, name in holidays.country_holidays("GB", subdiv="ENG", years=year).items():
            assert not cal.is_school_day(day), (day, name)
            assert any(b.kind == "bank_holiday" and day in b for b in cal.breaks), (day, name)


async def test_terms_shows_sheffield_dates_and_the_source_of_each_year(ask: Asker) -> None:
    text = render_text(await ask.ok(JO, "terms"))
    assert "End of term: Fri 22 Dec 2023" in text
    assert "sheffield.gov.uk" in text and "The Star" in text and "estimated" in text
