"""After each half term, the attendance sub-group gets the latest figures and chart, once per release.

Learn Sheffield refreshes attendance reports every half term; the bot follows the same rhythm. A
release is posted at most once (the first half term after it is imported), on the first school
day after the break at 09:00, never during the holiday itself.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.attendance_view import area_answer, home_area
from bot.dates import local_to_utc, to_local
from bot.errors import UserError
from bot.settings import Settings
from storage import attendance as repo
from storage.outbox import enqueue, group_target, keys_with_prefix
from storage.system import term_calendar

log = logging.getLogger(__name__)

GROUP = "attendance"
LOOKBACK = timedelta(days=21)  # a clock that was down over half term still posts afterwards
POST_AT = time(9, 0)


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Enqueue the half-term post when a release has not been posted yet."""
    release = await repo.latest_release(session)
    if release is None or release.imported_at > now:
        return 0
    if await keys_with_prefix(session, f"attendance:{release.id}:post:"):
        return 0
    calendar = await term_calendar(session, settings.partnership_calendar)
    today = to_local(now, settings.tz).date()
    ended = calendar.half_terms_ended(today - LOOKBACK, today)
    if not ended:
        return 0
    half = ended[-1]
    try:
        back = calendar.next_school_day(half.end + timedelta(days=1))
    except UserError:
        back = half.end + timedelta(days=1)
    due = max(now, local_to_utc(datetime.combine(back, POST_AT), settings.tz))

    example = f"attendance {home_area(settings)}"
    reply = None
    for name in (home_area(settings), "England"):
        try:
            reply = await area_answer(
                session,
                settings,
                name=name,
                phase=None,
                period=None,
                example=example,
                today=today,
            )
            break
        except UserError:
            log.warning("attendance post: home area not in the data; posting England instead")
    if reply is None:
        return 0
    reply.text = (
        f"Half-term attendance update ({half.name}): the latest DfE figures, "
        f"release {release.release}. " + reply.text
    )
    reply.private = False
    created = await enqueue(
        session,
        key=f"attendance:{release.id}:post:{half.start.isoformat()}",
        target=group_target(GROUP),
        reply=reply,
        due_at=due,
    )
    return int(created)
