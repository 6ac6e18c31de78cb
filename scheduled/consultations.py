"""Consultation posts: launch, countdown reminders (with optional nudges) and the close.

The plan is worked out from the consultation each tick (`planned_posts` in
storage/consultation_posts.py, pure, shared with the commands), so an extension or a close
changes what comes next without rewriting rows. Posts are enqueued only when due:
a nudge is then addressed to whoever has still not responded, and the closing post counts the
responses actually in. Keys carry the consultation's revision, so an extended deadline gets
fresh reminders while nothing already sent can go again.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_when, to_local
from bot.reply import Actions, Button, Reply, Section
from bot.settings import Settings
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
from storage.outbox import enqueue, keys_with_prefix, person_target
from storage.system import term_calendar


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
    terms = await term_calendar(session, settings.partnership_calendar)
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
