"""bot.dates.parse_period: the spans people name, read the same by every period filter."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.dates import parse_date, parse_period
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


SATURDAY = datetime(2023, 12, 2, 12, 0, tzinfo=TZ)
SUNDAY = datetime(2023, 12, 3, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize("now", [SATURDAY, SUNDAY], ids=["saturday", "sunday"])
@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        # at the weekend people mean the coming school week by both phrases
        ("this week", None, date(2023, 12, 10), "this week ({today} to Sun 10 Dec)"),
        ("end of the week", None, date(2023, 12, 10), "this week ({today} to Sun 10 Dec)"),
        ("next week", date(2023, 12, 4), date(2023, 12, 10), "next week (Mon 4 Dec to Sun 10 Dec)"),
        ("this weekend", None, date(2023, 12, 3), "this weekend ({today} to Sun 3 Dec)"),
        (
            "next weekend",
            date(2023, 12, 9),
            date(2023, 12, 10),
            "next weekend (Sat 9 Dec to Sun 10 Dec)",
        ),
    ],
)
def test_weeks_named_at_the_weekend_are_the_coming_week(
    now: datetime, text: str, first: date | None, last: date, label: str
) -> None:
    today = now.date()
    got = parse_period(text, now=now, tz=TZ)
    shown = f"{today:%a} {today.day} {today:%b}"
    assert got == (first or today, last, label.format(today=shown))


@pytest.mark.parametrize(
    ("now", "said", "due"),
    [
        (NOW, "end of the week", date(2023, 12, 1)),  # Friday: today
        (NOW, "end of next week", date(2023, 12, 8)),
        (SATURDAY, "end of the week", date(2023, 12, 8)),  # the coming Friday
        (SUNDAY, "end of next week", date(2023, 12, 8)),  # next week, said on Sunday: the same
    ],
)
def test_end_of_the_week_as_a_due_date_follows_the_same_rule(
    now: datetime, said: str, due: date
) -> None:
    assert parse_date(said, now=now, tz=TZ) == due


def test_this_week_on_a_weekday_runs_to_sunday_and_says_so() -> None:
    assert parse_period("this week", now=NOW, tz=TZ) == (
        date(2023, 12, 1),
        date(2023, 12, 3),
        "this week (Fri 1 Dec to Sun 3 Dec)",
    )
