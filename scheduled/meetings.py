"""Meeting reminders: each member by DM at the group's offsets, the organiser a summary.

Reminder moments are worked out on the wall clock in the partnership's zone, so a 10:00
meeting is reminded at 10:00 the day before whatever the clocks did in between. Rows are
only inserted once due, keyed `meeting:<id>:remind:<ISO offset>:<person>` (plus `:s<n>` after
the n-th move), so two clocks or a restart cannot send twice and a moved meeting gets fresh
reminders. A moment the clock was down for follows the one rule in scheduled/late.py: sent
late while the meeting is still ahead and no later reminder of it is also due, saying how far
off the meeting is when it is sent; otherwise recorded as skipped, with why.
A meeting after its task-and-finish group's end date is not reminded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import local_to_utc, parse_duration, parse_time, to_local
from bot.reply import Actions, Button, Reply, Section, Table
from bot.settings import Settings
from scheduled.late import Moment, enqueue_if_useful
from storage import directory, outbox
from storage import meetings as repo
from storage.meeting_notices import rsvp_buttons, when_text, where_text
from storage.meeting_record import matters_arising
from storage.meetings import Meeting


@dataclass(frozen=True)
class Offset:
    """One reminder offset from a group's setting: `1w` before, or `day@08:00` on the day."""

    code: str  # ISO 8601 duration (P7D, PT2H) or DAY0800: part of the outbox key
    before: timedelta | None = None
    on_the_day: time | None = None

    def moment(self, starts_at: datetime, tz: ZoneInfo) -> datetime:
        """The UTC instant to remind: whole days on the wall clock, hours in real time."""
        local = to_local(starts_at, tz).replace(tzinfo=None)
        if self.on_the_day is not None:
            return local_to_utc(datetime.combine(local.date(), self.on_the_day), tz)
        assert self.before is not None
        wall = local - timedelta(days=self.before.days)
        return local_to_utc(wall, tz) - timedelta(seconds=self.before.seconds)


def iso_code(delta: timedelta) -> str:
    """timedelta -> ISO 8601 duration as used in keys: 7 days -> P7D, 90 minutes -> PT1H30M."""
    code = f"P{delta.days}D" if delta.days else "P"
    hours, rest = divmod(delta.seconds, 3600)
    minutes = rest // 60
    if hours or minutes:
        code += "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return code if code != "P" else "PT0M"


def parse_offsets(setting: str) -> list[Offset]:
    """`1w,1d,day@08:00` -> offsets (the group setting is validated when it is set)."""
    offsets = []
    for item in setting.split(","):
        item = item.strip()
        if not item:
            continue
        if item.startswith("day@"):
            t = parse_time(item[4:])
            offsets.append(Offset(code=f"DAY{t:%H%M}", on_the_day=t))
        else:
            delta = parse_duration(item)
            offsets.append(Offset(code=iso_code(delta), before=delta))
    return offsets


def key_suffix(meeting: Meeting) -> str:
    """Keys of a moved meeting change with its sequence, so the new time is reminded afresh."""
    return f":s{meeting.sequence}" if meeting.sequence else ""


def reminder_key(meeting: Meeting, code: str, person_id: int) -> str:
    return f"meeting:{meeting.id}:remind:{code}:{person_id}{key_suffix(meeting)}"


def summary_key(meeting: Meeting, person_id: int) -> str:
    return f"meeting:{meeting.id}:summary:P1D:{person_id}{key_suffix(meeting)}"


def _day_word(due: datetime, meeting: Meeting, tz: ZoneInfo) -> str:
    days = (to_local(meeting.starts_at, tz).date() - to_local(due, tz).date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days % 7 == 0:
        weeks = days // 7
        return f"in {weeks} week{'s' if weeks > 1 else ''}"
    return f"in {days} days"


async def reminder_reply(
    session: AsyncSession,
    meeting: Meeting,
    *,
    due: datetime,
    tz: ZoneInfo,
    answer: str | None = None,
) -> Reply:
    """The reminder for a member whose reply so far is `answer` (yes / maybe / None)."""
    agenda = await repo.agenda_of(session, meeting.id)
    papers = await repo.papers_of(session, meeting.id)
    fields = [
        ("When", when_text(meeting, tz)),
        ("Where", where_text(meeting)),
        ("Group", meeting.group.title),
    ]
    today = to_local(due, tz).date()
    arising = (await matters_arising(session, [meeting], today=today, now=due))[meeting.id]
    if arising:
        # the open actions from the group's earlier meetings head the agenda
        fields.append(("Matters arising", "; ".join(a.line() for a in arising)))
    if agenda:
        fields.append(("Agenda", "; ".join(f"{i.position}. {i.title}" for i in agenda)))
    if papers:
        fields.append(("Papers", ", ".join(p.url for p in papers)))
    return Reply(
        text=f"Reminder: {meeting.title} (meeting #{meeting.id}) is "
        f"{_day_word(due, meeting, tz)}, {when_text(meeting, tz)}.",
        elements=[Section(fields=fields), rsvp_buttons(meeting, answer)],
    )


async def summary_reply(
    session: AsyncSession, meeting: Meeting, *, tz: ZoneInfo, now: datetime
) -> Reply:
    """The organiser's view the day before: who is coming, who sent apologies, who has not said
    (written at `now`: sent late, on the day, it says "Today")."""
    answers = await repo.rsvps_of(session, meeting.id)
    rows, counts = [], {"yes": 0, "no": 0, "maybe": 0, "none": 0}
    for m in await directory.members_of(session, meeting.group_id):
        r = answers.get(m.person_id)
        counts[r.answer if r else "none"] += 1
        label = {"yes": "attending", "no": "apologies", "maybe": "maybe"}.get(
            r.answer if r else "", "no reply"
        )
        rows.append([m.person.name, label, (r.reason or "") if r else ""])
    rows.sort(key=lambda row: (row[1], row[0]))
    return Reply(
        text=f"{_day_word(now, meeting, tz).capitalize()}: {meeting.title} (meeting #{meeting.id}), {when_text(meeting, tz)}. "
        f"{counts['yes']} attending, {counts['no']} apologies, {counts['maybe']} maybe, "
        f"{counts['none']} not replied.",
        elements=[
            Table(columns=["member", "reply", "note"], rows=rows),
            Actions([Button("Meeting", f"meeting {meeting.id}")]),
        ],
    )


def _moment(due: datetime, meeting: Meeting) -> Moment:
    return Moment(due, useful_until=meeting.starts_at, why_not="the meeting has begun")


async def plan(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Insert the reminders and organiser summaries that are due by `now`."""
    tz = settings.tz
    groups = await directory.all_groups(session)
    offsets_by_group = {g.id: parse_offsets(g.reminders) for g in groups}
    ends_on = {g.id: g for g in groups if g.ends_on is not None}
    longest = max(
        [o.before for offs in offsets_by_group.values() for o in offs if o.before] or [timedelta()]
    )
    created = 0
    for meeting in await repo.starting_between(
        session, after=now, until=now + longest + timedelta(days=2)
    ):
        ending = ends_on.get(meeting.group_id)
        if ending and not ending.running_on(to_local(meeting.starts_at, tz).date()):
            continue  # after a task-and-finish group's end date: no reminders
        due_offsets = [
            (offset, due)
            for offset in offsets_by_group.get(meeting.group_id, [])
            # due by now; set after the meeting was (re)scheduled; before it began
            if meeting.scheduled_at <= (due := offset.moment(meeting.starts_at, tz)) <= now
            and due < meeting.starts_at
        ]
        summary_due = Offset(code="P1D", before=timedelta(days=1)).moment(meeting.starts_at, tz)
        if not due_offsets and not meeting.scheduled_at <= summary_due <= now:
            continue  # nothing due for this meeting yet: no queries
        existing = await outbox.keys_with_prefix(session, f"meeting:{meeting.id}:")
        members = [
            m.person
            for m in await directory.members_of(session, meeting.group_id)
            if m.person.active
        ]
        answers = await repo.rsvps_of(session, meeting.id)
        latest = max((due for _, due in due_offsets), default=None)
        for offset, due in due_offsets:
            replies: dict[str | None, Reply] = {}  # one per kind of reply so far
            for person in members:
                answer = answers.get(person.id)
                if answer is not None and answer.answer == "no":
                    continue  # apologies sent: no need to nag
                key = reminder_key(meeting, offset.code, person.id)
                if key in existing:
                    continue
                said = answer.answer if answer is not None else None
                if said not in replies:
                    # written now, which for a late reminder is when it is sent: "in 4 days"
                    replies[said] = await reminder_reply(
                        session, meeting, due=now, tz=tz, answer=said
                    )
                created += await enqueue_if_useful(
                    session,
                    key=key,
                    target=outbox.person_target(person.id),
                    reply=replies[said],
                    moment=_moment(due, meeting),
                    now=now,
                    superseded=due != latest,
                )
        created += await _plan_summary(session, meeting, now=now, tz=tz, existing=existing)
    return created


async def _plan_summary(
    session: AsyncSession, meeting: Meeting, *, now: datetime, tz: ZoneInfo, existing: set[str]
) -> int:
    due = Offset(code="P1D", before=timedelta(days=1)).moment(meeting.starts_at, tz)
    if due > now or due < meeting.scheduled_at:
        return 0
    organisers = [meeting.organiser] if meeting.organiser and meeting.organiser.active else []
    if not organisers:
        organisers = await directory.chairs_of(session, meeting.group_id)
    created = 0
    reply = None
    for person in organisers:
        key = summary_key(meeting, person.id)
        if key in existing:
            continue
        reply = reply or await summary_reply(session, meeting, tz=tz, now=now)
        created += await enqueue_if_useful(
            session,
            key=key,
            target=outbox.person_target(person.id),
            reply=reply,
            moment=_moment(due, meeting),
            now=now,
        )
    return created
