"""When a scheduled post (a message to a group's channel once, or every day/week/month) falls
due: shared by the `schedule` commands (the next run) and the clock (scheduled/schedules.py).

Occurrences are worked out in the partnership's wall-clock time and only then turned into UTC,
so a Monday 09:00 post stays at 09:00 across the clock change. Each occurrence has its own
outbox key (`schedule:<id>:<occurrence>`), so no occurrence can go twice; when the clock was
off, only the latest missed occurrence goes, not a burst of old ones.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.dates import local_to_utc, to_local
from storage.consultations import ScheduledPost

REPEATS = {"day": 1, "week": 7, "fortnight": 14, "month": 0}
SEARCH = 400  # how many occurrences to look through before giving up


def _nth(first: datetime, every: str, n: int) -> datetime:
    """The n-th occurrence (naive local); months keep the day, or the month's last day."""
    if every == "month":
        index = first.month - 1 + n
        year, month = first.year + index // 12, index % 12 + 1
        return first.replace(
            year=year, month=month, day=min(first.day, calendar.monthrange(year, month)[1])
        )
    return first + timedelta(days=REPEATS[every] * n)


def _index(first: datetime, every: str, local: datetime) -> int:
    """Roughly how many occurrences lie between `first` and `local`."""
    if every == "month":
        return (local.year - first.year) * 12 + local.month - first.month
    return (local - first).days // REPEATS[every]


def occurrence_key(post: ScheduledPost, occurrence: datetime) -> str:
    return f"{post.key_prefix}{occurrence.astimezone(ZoneInfo('UTC')):%Y-%m-%dT%H:%MZ}"


def latest_due(post: ScheduledPost, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The most recent occurrence at or before `now` and since the last edit, if any."""
    if post.cancelled_at is not None:
        return None
    if post.every is None:
        return post.first_at if post.planned_since <= post.first_at <= now else None
    first = to_local(post.first_at, tz).replace(tzinfo=None)
    start = _index(first, post.every, to_local(now, tz).replace(tzinfo=None)) + 1
    for n in range(start, -1, -1):
        occurrence = local_to_utc(_nth(first, post.every, n), tz)
        if occurrence <= now:
            return occurrence if occurrence >= post.planned_since else None
    return None


def next_run(post: ScheduledPost, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The first occurrence after `now` (None when a one-off has gone or it is cancelled)."""
    if post.cancelled_at is not None:
        return None
    if post.every is None:
        return post.first_at if post.first_at > now else None
    first = to_local(post.first_at, tz).replace(tzinfo=None)
    start = max(0, _index(first, post.every, to_local(now, tz).replace(tzinfo=None)) - 1)
    for n in range(start, start + SEARCH):
        occurrence = local_to_utc(_nth(first, post.every, n), tz)
        if occurrence > now and occurrence >= post.planned_since:
            return occurrence
    return None
