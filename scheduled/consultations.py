"""Consultation posts: launch, countdown reminders (with optional nudges) and the close.

The plan is worked out from the consultation each tick (`planned_posts` in
storage/consultation_posts.py, pure, shared with the commands), so an extension or a close
changes what comes next without rewriting rows. Posts are enqueued only when due:
a nudge is then addressed to whoever has still not responded, and the closing post counts the
responses actually in. Keys carry the consultation's revision, so an extended deadline gets
fresh reminders while nothing already sent can go again.

A post the clock was down for follows the one rule in scheduled/late.py: only the latest due
reminder goes (earlier ones are recorded as skipped), while the consultation is open, counting
the days left when it is sent; the closing post goes up to a week late. A nudge to someone
whose school is closed that day (its own INSET day or holidays) waits for its next school day.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_when, to_local
from bot.reply import Actions, Button, Reply, Section
from bot.settings import Settings
from bot.terms import Calendars
from scheduled.late import Moment, enqueue_if_useful, latest_due, verdict
from storage import consultations as repo
from storage.consultation_posts import (
    PlannedPost,
    channels_for,
    countdown_words,
    enqueue_closed,
    planned_posts,
    post_to_channels,
)
from storage.consultations import CLOSE_POST_GRACE, Consultation
from storage.outbox import enqueue, group_target, keys_with_prefix, person_target
from storage.system import calendars


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


def all_queued(c: Consultation, key: str, existing: set[str], settings: Settings) -> bool:
    """Whether the post `key` is already queued for every one of the audience's channels."""
    return all(f"{key}:{channel}" in existing for channel in channels_for(c.audience, settings))


def _nudges_owed(c: Consultation, prefix: str, existing: set[str]) -> bool:
    """Whether this reminder's nudges may still be owed: none made yet, or one held for a
    closed school and not made since. Read from the keys, so a tick with nothing owed makes no
    query."""
    if not c.nudge:
        return False
    made: set[str] = set()
    held: set[str] = set()
    for key in existing:
        if not key.startswith(prefix):
            continue
        rest = key[len(prefix) :]  # "<person>", or "held:<person>:<day>"
        if rest.startswith("held:"):
            held.add(rest.split(":")[1])
        else:
            made.add(rest)
    return not made or not held <= made


def _open_moment(c: Consultation, due: datetime) -> Moment:
    return Moment(due, useful_until=c.closes_at, why_not="the consultation has closed")


async def _remind(
    session: AsyncSession,
    c: Consultation,
    post: PlannedPost,
    *,
    now: datetime,
    settings: Settings,
    existing: set[str],
    schools: Calendars,
) -> int:
    """The reminder to each channel and, with nudges on, to those not yet responded. What is
    already queued is skipped before any query: the reminder is due every tick until close.
    The days left are counted at `now`, when it is sent (later than planned after downtime)."""
    tz = settings.tz
    today = to_local(now, tz).date()
    stamp = to_local(post.due_at, tz).date().isoformat()
    key = f"{c.key_prefix}remind:{stamp}"
    nudge_prefix = f"{c.key_prefix}nudge:{stamp}:"
    posted = all_queued(c, key, existing, settings)
    if posted and not _nudges_owed(c, nudge_prefix, existing):
        return 0
    days_left = (to_local(c.closes_at, tz).date() - today).days
    responses = await repo.responses_to(session, c.id)
    made = 0
    if not posted:
        reply = reminder_reply(c, tz, days_left, len(responses))
        for channel in channels_for(c.audience, settings):
            made += await enqueue_if_useful(
                session,
                key=f"{key}:{channel}",
                target=group_target(channel),
                reply=reply,
                moment=_open_moment(c, post.due_at),
                now=now,
            )
    if c.nudge:
        done = {r.responder for r in responses}
        for person in await repo.audience_people(session, c.audience):
            nudge_key = f"{nudge_prefix}{person.id}"
            if repo.responder_of(person) in done or nudge_key in existing:
                continue
            if not schools.of(person.organisation_id).is_school_day(today):
                # their school is closed today (its INSET day, its own holidays): recorded as
                # held, so later ticks know someone is still owed a nudge on a school day
                made += await enqueue(
                    session,
                    key=f"{nudge_prefix}held:{person.id}:{today.isoformat()}",
                    target=person_target(person.id),
                    reply=Reply(text=f"Nudge about consultation #{c.id} held"),
                    due_at=now,
                    state="skipped",
                    error="held: their school is closed today; nudged on its next school day",
                )
                continue
            who = f"{person.organisation.name} has" if person.organisation else "You have"
            made += await enqueue_if_useful(
                session,
                key=nudge_key,
                target=person_target(person.id),
                reply=nudge_reply(c, tz, days_left, who),
                moment=_open_moment(c, post.due_at),
                now=now,
            )
    return made


async def _skip_superseded(
    session: AsyncSession,
    c: Consultation,
    earlier: list[Moment],
    *,
    now: datetime,
    settings: Settings,
    existing: set[str],
) -> int:
    """Record the reminders the clock missed and a later one replaces (once, by key)."""
    made = 0
    for moment in earlier:
        key = f"{c.key_prefix}remind:{to_local(moment.due, settings.tz).date().isoformat()}"
        if all_queued(c, key, existing, settings):
            continue
        for channel in channels_for(c.audience, settings):
            made += await enqueue_if_useful(
                session,
                key=f"{key}:{channel}",
                target=group_target(channel),
                reply=Reply(text=f"Reminder: consultation #{c.id} (replaced by a later one)"),
                moment=moment,
                now=now,
                superseded=True,
            )
    return made


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Enqueue the consultation posts due by `now` (a missed reminder gives way to the latest).

    The consultation's queued keys are read once, and a post already queued is neither
    rendered again nor re-enqueued."""
    schools = await calendars(session, settings.partnership_calendar)
    made = 0
    for c in await repo.consultations_to_plan(session, now=now):
        existing = await keys_with_prefix(session, f"consultation:{c.id}:")
        posts = planned_posts(
            c, tz=settings.tz, terms=schools.city, day_starts=settings.office.opens
        )
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
        reminders = {
            p.due_at: p
            for p in posts
            if p.kind == "remind" and c.planned_since <= p.due_at <= now < c.closes_at
        }
        latest, earlier = latest_due([_open_moment(c, d) for d in reminders], now=now)
        if latest is not None:
            made += await _skip_superseded(
                session, c, earlier, now=now, settings=settings, existing=existing
            )
            made += await _remind(
                session,
                c,
                reminders[latest.due],
                now=now,
                settings=settings,
                existing=existing,
                schools=schools,
            )
        closed = f"{c.key_prefix}closed"
        news = Moment(c.closes_at, c.closes_at + CLOSE_POST_GRACE, "it is no longer news")
        if (
            c.closes_at <= now
            and verdict(news, now=now) is None
            and not all_queued(c, closed, existing, settings)
        ):
            made += await enqueue_closed(session, c, settings=settings, due_at=c.closes_at)
    return made
