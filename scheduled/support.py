"""The clock's escalation to the triage lead when a support request's acknowledgement target is
missed. The messages themselves are written in storage/support_notices.py, which the triage
commands share. Lateness follows the one rule in scheduled/late.py: an escalation stays useful
until someone acknowledges the request (then it is no longer planned at all), so after downtime
it still goes, written when it is sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_when
from bot.settings import Settings
from scheduled.late import Moment, verdict
from storage.directory import Organisation
from storage.support import unacknowledged_past_target
from storage.support_notices import escalate, summary_line


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Escalate each request whose acknowledgement target has passed, once (key per level)."""
    created = 0
    for request in await unacknowledged_past_target(session, now=now):
        if verdict(Moment(request.ack_due_at), now=now) is not None:
            continue  # never, today: useful until acknowledged, and acknowledged ones are gone
        organisation = (
            await session.get(Organisation, request.organisation_id)
            if request.organisation_id
            else None
        )
        text = (
            f"Support request {summary_line(request, organisation)} missed its acknowledgement "
            f"target ({format_when(request.ack_due_at, settings.tz)}) and nobody has picked it up."
        )
        if await escalate(
            session,
            request=request,
            key=f"support:{request.id}:breach:ack",
            text=text,
            settings=settings,
            now=now,
        ):
            created += 1
    return created
