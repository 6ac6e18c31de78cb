"""Consultation posts: launch, countdown reminders (with optional nudges) and the close.

The plan is worked out from the consultation each tick (`planned_posts`, pure), so an extension
or a close changes what comes next without rewriting rows. Posts are enqueued only when due:
a nudge is then addressed to whoever has still not responded, and the closing post counts the
responses actually in. Keys carry the consultation's revision, so an extended deadline gets
fresh reminders while nothing already sent can go again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_when, local_to_utc, to_local
from bot.reply import Actions, Button, Reply, Section
from bot.settings import Settings
from bot.terms import TermCalendar
from storage import consultations as repo
from storage.consultations import CLOSE_POST_GRACE, Consultation
from storage.outbox import enqueue, group_target, keys_with_prefix, person_target
from storage.system import term_calendar

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
    """Countdown dates, each moved back to a school day; plus the closing morning.

    Two offsets that land on the same school day make one post; none falls on or before
    the launch day.
    """
    dates: dict[date, int] = {}
    for offset in [*reminder_days(spec), 0]:
        try:
            day = terms.previous_school_day(closes_on - timedelta(days=offset))
        except Exception:  # the term calendar does not reach back that far
            continue
        if opens_on < day <= closes_on:
            dates.setdefault(day, (closes_on - day).days)
    return sorted(dates.items())


def planned_posts(c: Consultation, *, tz: ZoneInfo, terms: TermCalendar) -> list[PlannedPost]:
    """Every post this consultation's current revision would make, in time order."""
    opens_local = to_local(c.opens_at, tz)
    closes_local = to_local(c.closes_at, tz)
    posts = [PlannedPost("launch", c.opens_at)]
    for day, days_left in reminder_dates(
        opens_on=opens_local.date(), closes_on=closes_local.date(), spec=c.reminders, terms=terms
    ):
        due = local_to_utc(datetime.combine(day, POST_TIME), tz)
        if due < c.closes_at:
            posts.append(PlannedPost("remind", due, days_left))
    posts.append(PlannedPost("closed", c.closes_at))
    return posts


def upcoming(
    c: Consultation, *, now: datetime, tz: ZoneInfo, terms: TermCalendar
) -> list[PlannedPost]:
    """Posts still to come (for `consultation <id>`)."""
    if c.closed_at is not None:
        return []
    return [
        p
        for p in planned_posts(c, tz=tz, terms=terms)
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


def closes_text(c: Consultation, tz: ZoneInfo) -> str:
    return format_when(c.closes_at, tz)


def _buttons(c: Consultation) -> Actions:
    return Actions(
        [
            Button("We have responded", f"consultation responded {c.id}", "primary"),
            Button("Details", f"consultation {c.id}"),
        ]
    )


def launch_reply(c: Consultation, tz: ZoneInfo) -> Reply:
    text = f'Consultation #{c.id} is open: "{c.title}". It closes {closes_text(c, tz)}.'
    return Reply(text=text, private=False).add(
        Section(text=c.summary or "", fields=[("Respond", c.link or "ask the organisers")]),
        _buttons(c),
    )


def countdown_words(days_left: int) -> str:
    if days_left == 0:
        return "closes today"
    return "closes tomorrow" if days_left == 1 else f"closes in {days_left} days"


def reminder_reply(c: Consultation, tz: ZoneInfo, days_left: int, responses: int) -> Reply:
    text = (
        f'Reminder: consultation #{c.id} "{c.title}" {countdown_words(days_left)} '
        f"({closes_text(c, tz)}). Responses so far: {responses}."
    )
    return Reply(text=text, private=False).add(
        Section(fields=[("Respond", c.link or "ask the organisers")]), _buttons(c)
    )


def nudge_reply(c: Consultation, tz: ZoneInfo, days_left: int, who: str) -> Reply:
    text = (
        f'{who} not yet responded to consultation #{c.id} "{c.title}", which '
        f"{countdown_words(days_left)} ({closes_text(c, tz)}). If you have responded, "
        f"say so with: consultation responded {c.id}"
    )
    return Reply(text=text).add(
        Section(fields=[("Respond", c.link or "ask the organisers")]), _buttons(c)
    )


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


def all_queued(c: Consultation, key: str, existing: set[str], settings: Settings) -> bool:
    """Whether the post `key` is already queued for every one of the audience's channels."""
    return all(f"{key}:{channel}" in existing for channel in channels_for(c.audience, settings))


async def _remind(
    session: AsyncSession,
    c: Consultation,
    post: PlannedPost,
    *,
    settings: Settings,
    existing: set[str],
) -> int:
    """The reminder to each channel and, with nudges on, to those not yet responded. What is
    already queued is skipped before any query: the reminder is due every tick until close."""
    tz = settings.tz
    stamp = to_local(post.due_at, tz).date().isoformat()
    key = f"{c.key_prefix}remind:{stamp}"
    nudge_prefix = f"{c.key_prefix}nudge:{stamp}:"
    posted = all_queued(c, key, existing, settings)
    nudged = not c.nudge or any(k.startswith(nudge_prefix) for k in existing)
    if posted and nudged:
        return 0
    responses = await repo.responses_to(session, c.id)
    made = 0
    if not posted:
        made += await post_to_channels(
            session,
            c,
            key=key,
            reply=reminder_reply(c, tz, post.days_left, len(responses)),
            due_at=post.due_at,
            settings=settings,
        )
    if not nudged:
        done = {r.responder for r in responses}
        for person in await repo.audience_people(session, c.audience):
            if repo.responder_of(person) in done:
                continue
            who = f"{person.organisation.name} has" if person.organisation else "You have"
            made += await enqueue(
                session,
                key=f"{nudge_prefix}{person.id}",
                target=person_target(person.id),
                reply=nudge_reply(c, tz, post.days_left, who),
                due_at=post.due_at,
            )
    return made


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Enqueue the consultation posts due by `now` (a missed reminder gives way to the latest).

    The consultation's queued keys are read once, and a post already queued is neither
    rendered again nor re-enqueued."""
    terms = await term_calendar(session)
    made = 0
    for c in await repo.consultations_to_plan(session, now=now):
        existing = await keys_with_prefix(session, f"consultation:{c.id}:")
        posts = planned_posts(c, tz=settings.tz, terms=terms)
        launch = f"consultation:{c.id}:launch"
        if c.opens_at <= now < c.closes_at and not all_queued(c, launch, existing, settings):
            made += await post_to_channels(
                session,
                c,
                key=launch,
                reply=launch_reply(c, settings.tz),
                due_at=c.opens_at,
                settings=settings,
            )
        due = [
            p
            for p in posts
            if p.kind == "remind" and c.planned_since <= p.due_at <= now < c.closes_at
        ]
        if due:
            made += await _remind(session, c, due[-1], settings=settings, existing=existing)
        closed = f"{c.key_prefix}closed"
        if c.closes_at <= now < c.closes_at + CLOSE_POST_GRACE and not all_queued(
            c, closed, existing, settings
        ):
            made += await enqueue_closed(session, c, settings=settings, due_at=c.closes_at)
    return made


def describe_post(post: PlannedPost, tz: ZoneInfo) -> str:
    when = format_when(post.due_at, tz)
    if post.kind == "launch":
        return f"{when}: launch"
    if post.kind == "closed":
        return f"{when}: closed, with the number of responses"
    return f"{when}: reminder ({countdown_words(post.days_left)})"
