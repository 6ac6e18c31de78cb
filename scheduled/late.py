"""One rule, for every domain, for a message whose moment passed while the clock was down.

Planners queue a message only once its moment has come, so normally it goes at once. When the
clock was down past that moment, the message is sent late only while it is still useful: before
the moment it stops mattering (a meeting's start, a consultation's close, the next occurrence of
a repeat, the end of a nudge's day) and only the latest of a series that is due, since a later
reminder says the same thing with truer words. Its text is written when it is queued, which for
a late message is when it is sent, so a countdown says what is true then ("closes in 7 days",
not the 14 it would have said on time). What is not sent is recorded in the outbox as skipped,
with why, so nothing is silently lost and nothing goes twice.

Used by scheduled/meetings.py, actions.py, consultations.py, support.py and schedules.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply import Reply
from storage import outbox

STOPPED = "skipped: the clock was down past its moment ({due:%Y-%m-%d %H:%M} UTC) and {why}"


@dataclass(frozen=True)
class Moment:
    """When a message was planned for, and until when sending it still helps anyone.

    `useful_until` None: useful for as long as its planner keeps planning it (an escalation is
    useful until someone acknowledges the request)."""

    due: datetime
    useful_until: datetime | None = None
    why_not: str = "it no longer helps anyone"


def verdict(moment: Moment, *, now: datetime, superseded: bool = False) -> str | None:
    """None to send now; otherwise why not (the outbox row's reason).

    Not due yet is the planner's business, not a lateness question: callers ask only about
    moments at or before `now`.
    """
    if superseded:
        return STOPPED.format(due=moment.due, why="a later reminder of the same series was due")
    if moment.useful_until is not None and now >= moment.useful_until:
        return STOPPED.format(due=moment.due, why=moment.why_not)
    return None


def latest_due(moments: Sequence[Moment], *, now: datetime) -> tuple[Moment | None, list[Moment]]:
    """The latest moment at or before `now`, and the earlier due ones it supersedes."""
    due = sorted((m for m in moments if m.due <= now), key=lambda m: m.due)
    if not due:
        return None, []
    return due[-1], due[:-1]


async def enqueue_if_useful(
    session: AsyncSession,
    *,
    key: str,
    target: str,
    reply: Reply,
    moment: Moment,
    now: datetime,
    superseded: bool = False,
) -> bool:
    """Queue the message to go now, or record it as skipped with why (once, by key)."""
    why = verdict(moment, now=now, superseded=superseded)
    if why is None:
        return await outbox.enqueue(session, key=key, target=target, reply=reply, due_at=moment.due)
    return await outbox.enqueue(
        session,
        key=key,
        target=target,
        reply=reply,
        due_at=moment.due,
        state="skipped",
        error=why,
    )
