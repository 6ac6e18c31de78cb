"""Retention: closed support requests lose their details after `support_retention_months`.

What stays is what the partnership counts (kind, organisation, dates, status, offer, days
used); what goes is what was said (details, contact, notes, and the triage channel's copy in
the outbox). Runs on every tick; a request already purged is not touched again.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from storage.support import OPEN, SupportRequest, forget_request_text

PURGED = "(purged after the retention period)"


def months_before(when: datetime, months: int) -> datetime:
    """The same instant `months` calendar months earlier (31 March - 1 month = 28/29 February)."""
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


async def purge_closed_support(session: AsyncSession, *, now: datetime, months: int) -> int:
    """Blank the text of requests closed before the cut-off; returns how many were purged."""
    cutoff = months_before(now, months)
    due = list(
        await session.scalars(
            select(SupportRequest).where(
                SupportRequest.status.not_in(OPEN),
                SupportRequest.closed_at.is_not(None),
                SupportRequest.closed_at < cutoff,
                SupportRequest.details != PURGED,
            )
        )
    )
    for request in due:
        await forget_request_text(session, request, replacement=PURGED)
    return len(due)


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Purges only: it sends nothing, so it adds no outbox rows."""
    await purge_closed_support(session, now=now, months=settings.support_retention_months)
    return 0
