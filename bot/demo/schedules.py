"""The demo's scheduled post, made by staff through the router."""

from __future__ import annotations

from datetime import datetime, timedelta


def schedule_commands(now: datetime) -> list[tuple[str, str]]:
    """A weekly reminder to the board, starting next Monday at 09:00."""
    monday = now + timedelta(days=7 - now.weekday())
    return [
        (
            "sam@learnsheffield.co.uk",
            'schedule add "Reminder: this week\'s Opportunities Bulletin goes out on Friday" '
            f'channel:bulletin on:"{monday:%d/%m/%Y} 09:00" every:week',
        )
    ]
