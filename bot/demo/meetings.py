"""The demo's meetings: two ahead of today on school days, with an agenda and two replies."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.terms import default_calendar
from handlers.terms import closed_reason


def meetings_demo(now: datetime) -> list[tuple[str, str]]:
    """Two meetings ahead of today (so the DESIGN example `meeting add` becomes #3)."""
    cal = default_calendar()

    def school_day(days: int, weekday: int) -> str:
        day = now.date() + timedelta(days=days)
        for _ in range(120):
            if day.weekday() == weekday and closed_reason(cal, day) is None:
                break
            day += timedelta(days=1)
        return f"{day:%d/%m/%Y}"

    sam, stella = "sam@learnsheffield.co.uk", "stella@learnsheffield.co.uk"
    board = school_day(10, 3)
    design = school_day(3, 1)
    return [
        (
            stella,
            f'meeting add "Partnership board" group:board on:"{board} 14:00" until:16:00 '
            'place:"Albion House" link:https://meet.example.org/board',
        ),
        (stella, 'agenda 1 add "Priorities for the spring term" @mark'),
        (stella, 'agenda 1 add "Attendance sub-group update" @dan'),
        (
            sam,
            f'meeting add "Partnership design working group" group:design on:"{design} 10:00" '
            "for:90m link:https://meet.example.org/design",
        ),
        ("jo@hillside.sch.uk", "rsvp 1 yes"),
        ("priya@parkwood.sch.uk", 'apologies 1 "Governors meeting"'),
    ]
