"""bot.dates.parse_period: the spans people name, read the same by every period filter."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.dates import parse_period
from bot.errors import UserError
from bot.terms import default_calendar

TZ = ZoneInfo("Europe/London")
NOW = datetime(2023, 12, 1, 9, 0, tzinfo=TZ)  # a Friday in the autumn term


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("today", date(2023, 12, 1), date(2023, 12, 1)),
        ("Tomorrow", date(2023, 12, 2), date(2023, 12, 2)),
        ("this week", date(2023, 12, 1), date(2023, 12, 3)),
        ("next  week", date(2023, 12, 4), date(2023, 12, 10)),
        ("this month", date(2023, 12, 1), date(2023, 12, 31)),
        ("next month", date(2024, 1, 1), date(2024, 1, 31)),
        ("before 15/12/2023", date(2023, 12, 1), date(2023, 12, 14)),
        ("by 15/12/2023", date(2023, 12, 1), date(2023, 12, 15)),
        ("12/12/2023", date(2023, 12, 12), date(2023, 12, 12)),
        ("this term", date(2023, 12, 1), date(2023, 12, 22)),  # Sheffield: ends Fri 22 Dec 2023
        ("next term", date(2024, 1, 8), date(2024, 3, 28)),
    ],
)
def test_periods(text: str, first: date, last: date) -> None:
    got = parse_period(text, now=NOW, tz=TZ, terms=default_calendar())
    assert got[:2] == (first, last)


def test_a_weekday_is_the_next_one() -> None:
    first, last, label = parse_period("Tuesday", now=NOW, tz=TZ)
    assert first == last == date(2023, 12, 5)
    assert label == "Tue 5 Dec 2023"


@pytest.mark.parametrize("text", ["whenever", "before the cows come home", ""])
def test_nonsense_is_a_clear_error_with_an_example(text: str) -> None:
    with pytest.raises(UserError) as err:
        parse_period(text, now=NOW, tz=TZ)
    assert "this week" in str(err.value)
