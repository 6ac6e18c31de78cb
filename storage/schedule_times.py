"""When a scheduled post (a message to a group's channel once, every day/week/fortnight/month,
or every term or half term) falls due: shared by the `schedule` commands (the next run) and the
clock (scheduled/schedules.py).

Occurrences are worked out in the partnership's wall-clock time and only then turned into UTC,
so a Monday 09:00 post stays at 09:00 across the clock change. `term` and `half-term` posts go
on the first school day of each term (or half term: the day back after each half-term break)
at the time of day given, from the term calendar. A post that pauses in the holidays
(`term_time`; by default weekly and fortnightly posts do) skips an occurrence in a week with no
school day: half terms, Christmas, Easter, summer. Each occurrence has its own outbox key
(`schedule:<id>:<occurrence>`), so no occurrence can go twice; when the clock was off, only the
latest missed occurrence goes, not a burst of old ones (scheduled/late.py).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.dates import local_to_utc, to_local
from bot.terms import TermCalendar
from storage.consultations import ScheduledPost

REPEATS = {"day": 1, "week": 7, "fortnight": 14, "month": 0, "term": 0, "half-term": 0}
TERMLY = ("term", "half-term")
SEARCH = 400  # how many occurrences to look through before giving up
TERM_SPAN = timedelta(days=2 * 366)  # how far ahead term starts are looked for


def pauses_in_holidays(post: ScheduledPost) -> bool:
    """Whether the post skips the school holidays: as set (`term-time:`), else yes for weekly
    and fortnightly posts, no for the rest (termly posts are in term by definition)."""
    if post.every in TERMLY or post.every is None:
        return False
    if post.term_time is not None:
        return post.term_time
    return post.every in ("week", "fortnight")


def _term_starts(
    post: ScheduledPost, *, tz: ZoneInfo, terms: TermCalendar, until: date
) -> list[datetime]:
    """A termly post's occurrences (UTC) from its first time to `until`."""
    first = to_local(post.first_at, tz).replace(tzinfo=None)
    days = terms.half_term_starts(first.date(), until, halves=post.every == "half-term")
    found = [local_to_utc(datetime.combine(d, first.time()), tz) for d in days]
    return [o for o in found if o >= post.first_at]


def _in_term_time(
    post: ScheduledPost, occurrence: datetime, tz: ZoneInfo, terms: TermCalendar
) -> bool:
    return not pauses_in_holidays(post) or terms.in_term_week(to_local(occurrence, tz).date())


def _nth(first: datetime, every: str, n: int) -> datetime:
    """The n-th occurrence (naive local); months keep the day, or the month's last day."""
    if n == 0:
        return first  # keeps `fold`: the second 01:30 of the night the clocks go back
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


def latest_due(
    post: ScheduledPost, *, now: datetime, tz: ZoneInfo, terms: TermCalendar
) -> datetime | None:
    """The most recent occurrence at or before `now` and since the last edit, if any; None
    too when that occurrence falls in the holidays of a post that pauses then (the one before
    it is not sent instead)."""
    if post.cancelled_at is not None:
        return None
    if post.every is None:
        return post.first_at if post.planned_since <= post.first_at <= now else None
    if post.every in TERMLY:
        local_now = to_local(now, tz).date()
        past = [o for o in _term_starts(post, tz=tz, terms=terms, until=local_now) if o <= now]
        return past[-1] if past and past[-1] >= post.planned_since else None
    first = to_local(post.first_at, tz).replace(tzinfo=None)
    start = _index(first, post.every, to_local(now, tz).replace(tzinfo=None)) + 1
    for n in range(start, -1, -1):
        occurrence = local_to_utc(_nth(first, post.every, n), tz)
        if occurrence <= now:
            if occurrence < post.planned_since or not _in_term_time(post, occurrence, tz, terms):
                return None
            return occurrence
    return None


def next_run(
    post: ScheduledPost, *, now: datetime, tz: ZoneInfo, terms: TermCalendar
) -> datetime | None:
    """The first occurrence after `now` (None when a one-off has gone or it is cancelled, or
    the term calendar has no more terms for a termly post)."""
    if post.cancelled_at is not None:
        return None
    if post.every is None:
        return post.first_at if post.first_at > now else None
    if post.every in TERMLY:
        until = to_local(now, tz).date() + TERM_SPAN
        ahead = [
            o
            for o in _term_starts(post, tz=tz, terms=terms, until=until)
            if o > now and o >= post.planned_since
        ]
        return ahead[0] if ahead else None
    first = to_local(post.first_at, tz).replace(tzinfo=None)
    start = max(0, _index(first, post.every, to_local(now, tz).replace(tzinfo=None)) - 1)
    for n in range(start, start + SEARCH):
        occurrence = local_to_utc(_nth(first, post.every, n), tz)
        if (
            occurrence > now
            and occurrence >= post.planned_since
            and _in_term_time(post, occurrence, tz, terms)
        ):
            return occurrence
    return None
