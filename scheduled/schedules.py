"""General scheduled posts on the clock: each live post's latest due occurrence goes to its
group's channel, once (the occurrence maths, with term repeats and the holiday pause, is in
storage/schedule_times.py). An occurrence the clock was down for follows the one rule in
scheduled/late.py: it goes late until the next occurrence is due, never in a burst.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply import Reply
from bot.settings import Settings
from scheduled.late import Moment, enqueue_if_useful
from storage.consultations import live_scheduled_posts
from storage.outbox import group_target
from storage.schedule_times import latest_due, next_run, occurrence_key
from storage.system import term_calendar


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Enqueue each live scheduled post's latest due occurrence (a no-op once queued)."""
    made = 0
    terms = None
    for post in await live_scheduled_posts(session, now=now):
        terms = terms or await term_calendar(session, settings.partnership_calendar)
        occurrence = latest_due(post, now=now, tz=settings.tz, terms=terms)
        if occurrence is None:
            continue
        after = next_run(post, now=occurrence, tz=settings.tz, terms=terms)
        made += await enqueue_if_useful(
            session,
            key=occurrence_key(post, occurrence),
            target=group_target(post.channel),
            reply=Reply(text=post.text, private=False),
            moment=Moment(occurrence, after, "the next occurrence was due"),
            now=now,
        )
    return made
