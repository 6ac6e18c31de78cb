"""Consultation posts that the clock and the commands both make: the plan of posts worked out
from a consultation (`planned_posts`, pure), the channels an audience posts to, and the closing
post (due by date in scheduled/consultations.py, or now by `consultation close`).

Keys carry the consultation's revision (`Consultation.key_prefix`), so an extended deadline
gets fresh reminders while nothing already sent can go again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_when, local_to_utc, to_local
from bot.reply import Reply
from bot.settings import Settings
from bot.terms import TermCalendar
from storage import consultations as repo
from storage.consultations import Consultation
from storage.outbox import enqueue, group_target

POST_TIME = time(9, 0)


@dataclass(frozen=True)
class PlannedPost:
    kind: str  # "launch", "remind" or "closed"
    due_at: datetime
    days_left: int = 0


def reminder_days(spec: str) -> list[int]:
    """`14d,7d,2d,1d` -> [14, 7, 2, 1] (whole days before the closing day)."""
    days = []
    for part in [p.strip().lower() for p in spec.split(",") if p.strip()]:
        if part == "none":
            continue
        if part.endswith("w") and part[:-1].isdigit():
            days.append(int(part[:-1]) * 7)
        elif part.endswith("d") and part[:-1].isdigit():
            days.append(int(part[:-1]))
        else:
            raise ValueError(part)
    return sorted(set(days), reverse=True)


def reminder_dates(
    *, opens_on: date, closes_on: date, spec: str, terms: TermCalendar
) -> list[tuple[date, int]]:
    """Countdown dates, each moved back to a school day (the closing day's own post is not
    one of these: see `closing_day_post`).

    Two offsets that land on the same school day make one post; none falls on or before
    the launch day.
    """
    dates: dict[date, int] = {}
    for offset in reminder_days(spec):
        try:
            day = terms.previous_school_day(closes_on - timedelta(days=offset))
        except Exception:  # the term calendar does not reach back that far
            continue
        if opens_on < day < closes_on:
            dates.setdefault(day, (closes_on - day).days)
    return sorted(dates.items())


def closing_day_post(c: Consultation, *, tz: ZoneInfo, day_starts: time) -> datetime | None:
    """The "closes today" post: on the closing day itself, whatever day that is (a weekend, a
    bank holiday, Christmas Eve), at the first working moment (`day_starts`, Learn
    Sheffield's opening time), or an hour before the close when it closes earlier than that.
    None when that is not after the launch (the launch post already says it closes today)."""
    closes_local = to_local(c.closes_at, tz)
    midnight = local_to_utc(datetime.combine(closes_local.date(), time(0, 0)), tz)
    due = local_to_utc(datetime.combine(closes_local.date(), day_starts), tz)
    due = max(midnight, min(due, c.closes_at - timedelta(hours=1)))
    return due if c.opens_at < due < c.closes_at else None


def planned_posts(
    c: Consultation, *, tz: ZoneInfo, terms: TermCalendar, day_starts: time
) -> list[PlannedPost]:
    """Every post this consultation's current revision would make, in time order.

    `day_starts` is the first working moment of a day (the office's opening time), when the
    closing day's post goes."""
    opens_local = to_local(c.opens_at, tz)
    closes_local = to_local(c.closes_at, tz)
    posts = [PlannedPost("launch", c.opens_at)]
    for day, days_left in reminder_dates(
        opens_on=opens_local.date(), closes_on=closes_local.date(), spec=c.reminders, terms=terms
    ):
        due = local_to_utc(datetime.combine(day, POST_TIME), tz)
        if due < c.closes_at:
            posts.append(PlannedPost("remind", due, days_left))
    closing_day = closing_day_post(c, tz=tz, day_starts=day_starts)
    if closing_day is not None:
        posts.append(PlannedPost("remind", closing_day, 0))
    posts.append(PlannedPost("closed", c.closes_at))
    return posts


def upcoming(
    c: Consultation, *, now: datetime, tz: ZoneInfo, terms: TermCalendar, day_starts: time
) -> list[PlannedPost]:
    """Posts still to come (for `consultation <id>`)."""
    if c.closed_at is not None:
        return []
    return [
        p
        for p in planned_posts(c, tz=tz, terms=terms, day_starts=day_starts)
        if p.due_at > now and (p.kind != "remind" or p.due_at >= c.planned_since)
    ]


def channels_for(audience: list[str], settings: Settings) -> list[str]:
    """Groups post to their own channel; phases and everyone go to the bulletin channel."""
    channels = [a.split(":", 1)[1] for a in audience if a.startswith("group:")]
    if any(a == "everyone" or a.startswith("phase:") for a in audience):
        channels.append(settings.bulletin_channel)
    return list(dict.fromkeys(channels))


async def post_to_channels(
    session: AsyncSession,
    c: Consultation,
    *,
    key: str,
    reply: Reply,
    due_at: datetime,
    settings: Settings,
) -> int:
    """The same post to each of the audience's channels (`<key>:<channel>` keeps each once)."""
    made = 0
    for channel in channels_for(c.audience, settings):
        made += await enqueue(
            session,
            key=f"{key}:{channel}",
            target=group_target(channel),
            reply=reply,
            due_at=due_at,
        )
    return made


def countdown_words(days_left: int) -> str:
    if days_left == 0:
        return "closes today"
    return "closes tomorrow" if days_left == 1 else f"closes in {days_left} days"


def closed_reply(c: Consultation, tz: ZoneInfo, responses: int) -> Reply:
    noun = "response" if responses == 1 else "responses"
    text = (
        f'Consultation #{c.id} "{c.title}" closed {format_when(c.ended_at(), tz)}, '
        f"{responses} {noun}. Thank you to everyone who took part."
    )
    return Reply(text=text, private=False)


async def enqueue_closed(
    session: AsyncSession, c: Consultation, *, settings: Settings, due_at: datetime
) -> int:
    """The closing post to each channel (by date, or `consultation close`)."""
    count = len(await repo.responses_to(session, c.id))
    reply = closed_reply(c, settings.tz, count)
    return await post_to_channels(
        session, c, key=f"{c.key_prefix}closed", reply=reply, due_at=due_at, settings=settings
    )


def describe_post(post: PlannedPost, tz: ZoneInfo) -> str:
    when = format_when(post.due_at, tz)
    if post.kind == "launch":
        return f"{when}: launch"
    if post.kind == "closed":
        return f"{when}: closed, with the number of responses"
    return f"{when}: reminder ({countdown_words(post.days_left)})"
