"""Action nudges and the chairs' weekly digest, as outbox rows.

Nudges go to the owner on school days only: the school day before the due date, on the due
date, then while overdue at most every 3 school days (counted from the last nudge, so a
weekend or a half term never brings one forward). School days are the owner's school's own
where it has set them (an academy's terms, its INSET days), else the city's; a chair's digest
likewise follows the chair's school. A snooze holds them until its date. The outbox itself is
the record of what was nudged, so the planner keeps no state of its own. A nudge or digest
the clock was down for follows the one rule in scheduled/late.py: it goes late the same day,
written then, and never on a later day (that day's own nudge is worked out afresh).
Nobody deactivated is nudged, and a task-and-finish group's actions get no nudges or digests
after the group's end date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_date, local_to_utc
from bot.reply import Actions, Button, Reply, Section, Table
from bot.settings import Settings
from bot.terms import Calendars, TermCalendar
from scheduled.late import Moment, enqueue_if_useful
from storage import actions as repo
from storage.actions import Action
from storage.directory import all_groups, chairs_of
from storage.outbox import OutboxMessage, exists, person_target
from storage.system import calendars

NUDGE_AT = time(9, 0)
DIGEST_AT = time(8, 30)
OVERDUE_EVERY = 3  # school days between overdue nudges, at least
LOOKBACK = timedelta(days=120)
NUDGE_KEY = re.compile(r"^action:(\d+):nudge:(\d{4}-\d{2}-\d{2})$")


def school_days_after(terms: TermCalendar, since: date, until: date) -> int:
    """School days in (since, until]."""
    days, day = 0, since + timedelta(days=1)
    while day <= until:
        days += terms.is_school_day(day)
        day += timedelta(days=1)
    return days


def nudge_due(
    action: Action, *, today: date, terms: TermCalendar, last_nudge: date | None
) -> str | None:
    """Why `action`'s owner should be nudged today ('before', 'due', 'overdue'), or None."""
    if action.status != "open" or not terms.is_school_day(today):
        return None
    if last_nudge is not None and last_nudge >= today:
        return None
    snoozed = action.snoozed_until
    if snoozed is not None and today < snoozed:
        return None
    before = terms.previous_school_day(action.due_on - timedelta(days=1))
    if today < before:
        return None
    stage = "before" if today < action.due_on else "due" if today == action.due_on else "overdue"
    if last_nudge is None:
        return stage
    if snoozed is not None and last_nudge < snoozed:
        return stage  # the first school day the snooze allows
    if stage == "before":
        return None if last_nudge >= before else stage
    if stage == "due":
        return stage
    if school_days_after(terms, last_nudge, today) >= OVERDUE_EVERY:
        return stage
    return None


def _end_of(day: date, settings: Settings) -> datetime:
    """Midnight after `day`, local: a day's nudge or digest is no use on a later day."""
    return local_to_utc(datetime.combine(day + timedelta(days=1), time(0, 0)), settings.tz)


def nudge_reply(action: Action, *, stage: str, today: date) -> Reply:
    due = format_date(action.due_on)
    if stage == "before":
        when = "tomorrow" if action.due_on == today + timedelta(days=1) else f"on {due}"
        text = f"Reminder: action #{action.id} is due {when}."
    elif stage == "due":
        text = f"Reminder: action #{action.id} is due today."
    else:
        days = (today - action.due_on).days
        ago = "1 day" if days == 1 else f"{days} days"
        text = f"Action #{action.id} is overdue: it was due {due} ({ago} ago)."
    fields = [("Due", due)]
    if action.group:
        fields.append(("Group", action.group.title))
    if action.meeting_id:
        fields.append(("Meeting", f"#{action.meeting_id}"))
    return Reply(text=text).add(
        Section(text=action.text, fields=fields),
        Actions(
            [
                Button("Done", f"action done {action.id}", style="primary"),
                Button("Snooze 1w", f"action snooze {action.id} 1w"),
                Button("Add note", f"action note {action.id}"),
            ]
        ),
    )


async def last_nudges(session: AsyncSession, *, now: datetime) -> dict[int, date]:
    """The latest nudge date per action, read from the outbox keys (cancelled ones excluded).

    Only recent rows are read: a nudge older than LOOKBACK counts as none, which gives the
    same answer (the cadence allows a nudge, and the holidays are shorter than that)."""
    rows = await session.scalars(
        select(OutboxMessage.key).where(
            OutboxMessage.kind == "action",
            OutboxMessage.key.like("action:%:nudge:%"),
            OutboxMessage.state != "cancelled",
            OutboxMessage.due_at >= now - LOOKBACK,
        )
    )
    latest: dict[int, date] = {}
    for key in rows:
        match = NUDGE_KEY.match(key)
        if match:
            action_id, day = int(match[1]), date.fromisoformat(match[2])
            latest[action_id] = max(day, latest.get(action_id, day))
    return latest


async def plan_nudges(
    session: AsyncSession, *, now: datetime, settings: Settings, terms: Calendars
) -> int:
    local = now.astimezone(settings.tz)
    today = local.date()
    if local.time() < NUDGE_AT:
        return 0
    due_at = local_to_utc(datetime.combine(today, NUDGE_AT), settings.tz)
    moment = Moment(due_at, _end_of(today, settings), "its day had passed")
    latest: dict[int, date] | None = None
    made = 0
    for action in await repo.open_actions(session):
        if not action.owner.active or (action.group and not action.group.running_on(today)):
            continue  # a deactivated owner, or a task-and-finish group that has ended
        owners = terms.of(action.owner.organisation_id)  # the owner's school's days
        if not owners.is_school_day(today):
            continue
        if latest is None:
            latest = await last_nudges(session, now=now)
        stage = nudge_due(action, today=today, terms=owners, last_nudge=latest.get(action.id))
        if stage is None:
            continue
        made += await enqueue_if_useful(
            session,
            key=f"action:{action.id}:nudge:{today.isoformat()}",
            target=person_target(action.owner_id),
            reply=nudge_reply(action, stage=stage, today=today),
            moment=moment,
            now=now,
        )
    return made


def digest_reply(
    group_title: str,
    group_name: str,
    *,
    open_: list[Action],
    done: list[Action],
    today: date,
    tz: ZoneInfo,
) -> Reply:
    overdue = [a for a in open_ if a.due_on < today]
    upcoming = [a for a in open_ if a.due_on >= today]

    def rows(actions: list[Action], *, closed: bool = False) -> list[list[str]]:
        return [
            [
                f"#{a.id}",
                a.text,
                a.owner.name,
                format_date(a.closed_at.astimezone(tz).date())
                if closed and a.closed_at
                else format_date(a.due_on),
            ]
            for a in actions
        ]

    reply = Reply(
        text=f"Weekly actions for {group_title}: {len(overdue)} overdue, {len(upcoming)} open, "
        f"{len(done)} done in the last week."
    )
    if overdue:
        reply.add(Table(["#", "action", "owner", "due"], rows(overdue), title="Overdue"))
    if upcoming:
        reply.add(Table(["#", "action", "owner", "due"], rows(upcoming), title="Open"))
    if done:
        reply.add(Table(["#", "action", "owner", "done"], rows(done, closed=True), title="Done"))
    reply.add(
        Actions(
            [
                Button("All actions", f"actions group:{group_name}"),
                Button("Export CSV", f"actions group:{group_name} export"),
            ]
        )
    )
    return reply


async def plan_digests(
    session: AsyncSession, *, now: datetime, settings: Settings, terms: Calendars
) -> int:
    """Monday 08:30 local, in term weeks (the chair's school's): each group's chairs get open,
    overdue, done."""
    local = now.astimezone(settings.tz)
    today = local.date()
    if today.weekday() != 0 or local.time() < DIGEST_AT:
        return 0
    due_at = local_to_utc(datetime.combine(today, DIGEST_AT), settings.tz)
    week_ago = local_to_utc(datetime.combine(today - timedelta(days=7), DIGEST_AT), settings.tz)
    year, week, _ = today.isocalendar()
    made = 0
    for group in await all_groups(session):
        if not group.running_on(today):
            continue  # a task-and-finish group past its end date
        chairs = [
            c
            for c in await chairs_of(session, group.id)
            if terms.of(c.organisation_id).in_term_week(today)
        ]
        keys = {c.id: f"action-digest:{group.id}:{year}-W{week:02d}:{c.id}" for c in chairs}
        if not chairs or all([await exists(session, k) for k in keys.values()]):
            continue  # no chair, or this week's digests are already in the outbox
        open_ = await repo.find_actions(session, group_id=group.id)
        done = await repo.closed_since(session, group_id=group.id, since=week_ago)
        if not open_ and not done:
            continue
        reply = digest_reply(
            group.title, group.name, open_=open_, done=done, today=today, tz=settings.tz
        )
        for chair in chairs:
            made += await enqueue_if_useful(
                session,
                key=keys[chair.id],
                target=person_target(chair.id),
                reply=reply,
                moment=Moment(due_at, _end_of(today, settings), "its day had passed"),
                now=now,
            )
    return made


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Insert the nudges and digests due by `now`; idempotent by key."""
    terms = await calendars(session, settings.partnership_calendar)
    made = await plan_nudges(session, now=now, settings=settings, terms=terms)
    return made + await plan_digests(session, now=now, settings=settings, terms=terms)
