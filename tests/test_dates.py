"""Dates as people in England type them, stored as UTC, DST-safe."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.dates import format_duration, format_when, parse_date, parse_datetime, parse_duration
from bot.errors import UserError
from bot.terms import default_calendar

TZ = ZoneInfo("Europe/London")
NOW = datetime(2023, 12, 1, 9, 0, tzinfo=UTC)  # Friday


@pytest.mark.parametrize(
    ("text", "expected_local"),
    [
        ("15/12/2023 10:00", datetime(2023, 12, 15, 10, 0)),
        ("15/12/2023", datetime(2023, 12, 15, 0, 0)),
        ("2023-12-15", datetime(2023, 12, 15, 0, 0)),
        ("2023-12-15 10:30", datetime(2023, 12, 15, 10, 30)),
        ("12/01/24 9.30", datetime(2024, 1, 12, 9, 30)),
        ("1/2/2024 2pm", datetime(2024, 2, 1, 14, 0)),
        ("tomorrow", datetime(2023, 12, 2, 0, 0)),
        ("next Friday 10:00", datetime(2023, 12, 8, 10, 0)),
        ("end of term", datetime(2023, 12, 22, 0, 0)),  # Sheffield: Fri 22 Dec 2023
    ],
)
def test_uk_dates_and_words(text: str, expected_local: datetime) -> None:
    got = parse_datetime(text, now=NOW, tz=TZ, terms=default_calendar())
    assert got == expected_local.replace(tzinfo=TZ).astimezone(UTC)


def test_summer_time_is_applied_to_wall_clock_times() -> None:
    winter = parse_datetime("15/12/2023 10:00", now=NOW, tz=TZ)
    summer = parse_datetime("14/06/2024 10:00", now=NOW, tz=TZ)
    assert winter.hour == 10 and summer.hour == 9  # UTC
    assert format_when(summer, TZ) == "Fri 14 Jun 2024, 10:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2024 10:00", "February 2024 has 29 days"),
        ("12/13/2024", "no month 13"),
        ("15/12/2023 25:00", "not a time"),
        ("blurgh", "can't read"),
        ("", "No date"),
    ],
)
def test_impossible_dates_are_explained_with_an_example(text: str, message: str) -> None:
    with pytest.raises(UserError) as err:
        parse_datetime(text, now=NOW, tz=TZ)
    assert message in str(err.value)
    assert "Example:" in str(err.value)


def test_due_dates() -> None:
    assert parse_date("12/01/2024", now=NOW, tz=TZ) == date(2024, 1, 12)


@pytest.mark.parametrize(
    ("text", "delta"),
    [("3d", timedelta(days=3)), ("2w", timedelta(weeks=2)), ("1h30m", timedelta(minutes=90))],
)
def test_durations(text: str, delta: timedelta) -> None:
    assert parse_duration(text) == delta
    assert parse_duration(format_duration(delta)) == delta


@pytest.mark.parametrize("text", ["", "3x", "d3", "1w2"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UserError):
        parse_duration(text)


def test_term_calendar_knows_school_days() -> None:
    cal = default_calendar("england")  # the generic calendar: half term 30 Oct-3 Nov 2023
    assert cal.is_school_day(date(2023, 12, 1))
    assert not cal.is_school_day(date(2023, 12, 2))  # Saturday
    assert not cal.is_school_day(date(2023, 10, 31))  # half term
    assert not cal.is_school_day(date(2023, 12, 27))  # Christmas holiday
    assert cal.previous_school_day(date(2023, 12, 3)) == date(2023, 12, 1)
    assert cal.add_school_days(date(2023, 10, 27), 1) == date(2023, 11, 6)
    assert cal.end_of_term(date(2023, 12, 1)) == date(2023, 12, 20)
    assert not cal.in_term_week(date(2023, 10, 30))
    assert cal.end_of_term(date(2024, 1, 1)) == date(2024, 3, 28)  # in the holiday: next term
