"""Demo dates that fall on working days: a due date or closing date on a school day, never a
weekend, bank holiday or school holiday (the replies would rightly warn about those)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.terms import TermCalendar, default_calendar
from handlers.terms import closed_note


def working_day(now: datetime, days: int, cal: TermCalendar | None = None) -> date:
    """The day `days` after `now`, moved to the nearest school day away from today: later for
    a day ahead, earlier for a day behind (so an overdue demo action stays overdue)."""
    cal = cal or default_calendar()
    day = now.date() + timedelta(days=days)
    step = timedelta(days=-1 if days < 0 else 1)
    for _ in range(120):  # the longest holiday is about six weeks
        if closed_note(cal, day) is None:
            return day
        day += step
    return day


def uk(now: datetime, days: int) -> str:
    """`working_day` as people type it: 15/12/2023."""
    return f"{working_day(now, days):%d/%m/%Y}"
