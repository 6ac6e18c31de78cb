"""General scheduled posts on the clock: each live post's latest due occurrence goes to its
group's channel, once (the occurrence maths is in storage/schedule_times.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply import Reply
from bot.settings import Settings
from storage.consultations import live_scheduled_posts
from storage.outbox import enqueue, group_target
from storage.schedule_times import latest_due, occurrence_key


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Enqueue each live scheduled post's latest due occurrence (a no-op once queued)."""
    made = 0
    for post in await live_scheduled_posts(session, now=now):
        occurrence = latest_due(post, now=now, tz=settings.tz)
        if occurrence is None:
            continue
        made += await enqueue(
            session,
            key=occurrence_key(post, occurrence),
            target=group_target(post.channel),
            reply=Reply(text=post.text, private=False),
            due_at=occurrence,
        )
    return made
