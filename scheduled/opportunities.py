"""The Opportunities Bulletin on the clock, and "closing soon" nudges.

Weekly (Monday 08:00 by default), term time only; an edition is made and queued by
storage/bulletin.py, which `bulletin preview` and `bulletin send` share, so they show what
the clock sends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_date, local_to_utc, parse_time
from bot.reply import Actions, Button, Reply
from bot.settings import Settings
from storage.bulletin import edition_label, iso_week, scheduled_day, send_edition
from storage.directory import Person
from storage.opportunities import (
    audience_of,
    bulletin_settings,
    dm_readers,
    edition_for_week,
    expire_closed,
    last_edition,
    open_opportunities,
)
from storage.outbox import enqueue, keys_with_prefix, person_target
from storage.system import calendars, term_calendar

NUDGE_BEFORE = timedelta(days=3)


async def plan_bulletin(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """This week's edition once its day and time have come, in term weeks only."""
    tz = settings.tz
    today = now.astimezone(tz).date()
    bs = await bulletin_settings(session)
    day = scheduled_day(today, bs)
    if now < local_to_utc(datetime.combine(day, parse_time(bs.time)), tz):
        return 0
    if not (await term_calendar(session, settings.partnership_calendar)).in_term_week(day):
        return 0
    week = iso_week(day)
    if await edition_for_week(session, week) is not None:
        return 0
    if await keys_with_prefix(session, f"bulletin:{week}:empty:"):
        return 0
    edition, readers = await send_edition(session, now=now, settings=settings, week_of=day)
    if edition is not None:
        return len(readers)
    return await tell_staff_empty(session, week=week, now=now)


async def tell_staff_empty(session: AsyncSession, *, week: str, now: datetime) -> int:
    """An empty week sends nothing to readers; staff hear why, once."""
    previous = await last_edition(session)
    since = f" since edition #{previous.id}" if previous else ""
    reply = Reply(
        text=f"No Opportunities Bulletin this week ({edition_label(week)}): nothing new{since} "
        "and nothing "
        "closing within 7 days, so nothing was sent.",
    ).add(Actions([Button("Add an opportunity", "opp add"), Button("Open ones", "opps")]))
    staff = await session.scalars(
        select(Person).where(Person.active, Person.role.in_(("staff", "admin")))
    )
    made = 0
    for person in staff:
        key = f"bulletin:{week}:empty:{person_target(person.id)}"
        made += await enqueue(
            session, key=key, target=person_target(person.id), reply=reply, due_at=now
        )
    return made


async def plan_nudges(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """ "Closing in 3 days" to DM readers who can see it, on school days from bulletin time:
    each reader's own school's days (an INSET day holds it to their next school day)."""
    tz = settings.tz
    local = now.astimezone(tz)
    today = local.date()
    bs = await bulletin_settings(session)
    if local.time() < parse_time(bs.time):
        return 0
    schools = await calendars(session, settings.partnership_calendar)
    if not schools.anyone_in_school(today):
        return 0
    closing = [
        o
        for o in await open_opportunities(session, today=today)
        if o.closes_on is not None and o.closes_on <= today + NUDGE_BEFORE
    ]
    if not closing:
        return 0
    readers = [
        (p, audience_of(p))
        for p in await dm_readers(session)
        if schools.of(p.organisation_id).is_school_day(today)
    ]
    made = 0
    for opp in closing:
        assert opp.closes_on is not None
        left = (opp.closes_on - today).days
        when = "today" if left == 0 else "tomorrow" if left == 1 else f"in {left} days"
        reply = Reply(
            text=f"Closing {when}: #{opp.id} {opp.title} closes {format_date(opp.closes_on)}."
            + (f"\n{opp.link}" if opp.link else "")
        ).add(Actions([Button("Details", f"opp {opp.id}")]))
        for person, audience in readers:
            if audience.sees(opp):
                made += await enqueue(
                    session,
                    key=f"opp:{opp.id}:closing:{person_target(person.id)}",
                    target=person_target(person.id),
                    reply=reply,
                    due_at=now,
                )
    return made


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Expire closed opportunities, nudge about closing ones, and send the weekly edition."""
    await expire_closed(session, today=now.astimezone(settings.tz).date())
    made = await plan_nudges(session, now=now, settings=settings)
    return made + await plan_bulletin(session, now=now, settings=settings)
