"""Platform doors' housekeeping: Slack event ids past the retry window and old chart images.

Sends nothing, so it adds no outbox rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from storage.platforms import forget_old_events, forget_old_images


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    await forget_old_events(session, now=now)
    await forget_old_images(session, now=now)
    return 0
