"""The meetings domain's shared rules: finding a meeting, who may organise or attend it,
reading its times, and the card a member sees. Imports none of its siblings.

Reminders are planned in scheduled/meetings.py; what both tell members (a meeting's time and
place in words, the notice of a move) is in storage/meeting_notices.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot import forms
from bot.dates import (
    parse_duration,
    parse_instant,
    parse_time,
    resolve_local,
    to_local,
    wants_later,
)
from bot.errors import UserError
from bot.parsing import yes_no
from bot.policy import Facts, Loaded
from bot.registry import CommandSet, Field, Loader
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from bot.terms import TermCalendar
from handlers.terms import closed_note
from storage import directory
from storage import meetings as repo
from storage.meeting_notices import rsvp_buttons, when_text
from storage.meeting_record import matters_arising, record_of
from storage.meetings import Meeting


def command_set() -> CommandSet:
    """A command module's share of the `meetings` help topic."""
    return CommandSet("meetings", "Meetings, RSVPs, agendas, minutes and reminders")


async def meeting_for(req: Request, svc: Services, index: int = 0, *, example: str) -> Meeting:
    """The meeting whose number is the `index`-th word."""
    meeting_id = req.args.int_at(index, what="meeting", example=example)
    return await repo.get_meeting(svc.session, meeting_id)


async def membership_role(svc: Services, *, group_id: int, person_id: int) -> str | None:
    """The person's role in the group ('chair', 'member', ...), or None."""
    found = await directory.membership(svc.session, group_id=group_id, person_id=person_id)
    return found.role if found else None


async def meeting_facts(req: Request, svc: Services, meeting: Meeting) -> Facts:
    """How the asker stands to a meeting: their role in its group, and who organises it."""
    role = await membership_role(svc, group_id=meeting.group_id, person_id=req.actor.id)
    return Facts(group_role=role, organiser_id=meeting.organiser_id)


async def is_organiser(
    req: Request, svc: Services, meeting: Meeting, *, command: str = "meeting move"
) -> bool:
    """Whether the table lets the asker run `command` on this meeting (organisers see the
    replies on its card and are told how to add minutes)."""
    return svc.policy.allows(req.actor, command, await meeting_facts(req, svc, meeting))


def as_organiser(meeting: Meeting, facts: Facts | None, *, use: str | None = None) -> Loaded:
    """The meeting, to be checked against a rule for its organisers (chair, officer, the
    organiser, staff), refused in those words."""
    return Loaded(
        meeting,
        facts,
        refusal=f"Only {meeting.group.name}'s chair or officer, the organiser or Learn "
        "Sheffield staff can do that.",
        hint="You can still reply: rsvp <id> yes, or propose an item: agenda <id> add",
        use=use,
    )


def as_attendee(meeting: Meeting, facts: Facts | None) -> Loaded:
    """The meeting, to be checked against a rule for its group's members, refused in those
    words."""
    return Loaded(
        meeting,
        facts,
        refusal=f"Meeting #{meeting.id} is for members of {meeting.group.name}, and you are "
        "not one.",
        hint=f"Ask the chair to add you: group {meeting.group.name}",
    )


# the meeting a command acts on, as a form field: carried when typed, else picked
MEETING = Field(
    "meeting", "Meeting", required=True, positional=True, id=True, picker=forms.meetings
)
# when it starts, how long, where: meeting add and meeting move ask the same
TIMES = (
    Field("on", "Starts (date and time)", kind="when", required=True),
    Field("until", "Ends at", placeholder="12:00"),
    Field("for", "Or lasts", placeholder="1h30m"),
    Field("place", "Place", placeholder="Albion House"),
    Field("link", "Online link", placeholder="https://meet.example.org/x"),
    Field("confirm", "Book it even on a holiday or weekend", kind="checkbox"),
)


def organised_meeting(example: str) -> Loader:
    """The loader of a command that changes the meeting its first word names."""

    async def load(req: Request, svc: Services) -> Loaded:
        meeting = await meeting_for(req, svc, example=example)
        return as_organiser(meeting, await meeting_facts(req, svc, meeting))

    return load


def attended_meeting(example: str) -> Loader:
    """The loader of a command a member uses on the meeting its first word names."""

    async def load(req: Request, svc: Services) -> Loaded:
        meeting = await meeting_for(req, svc, example=example)
        return as_attendee(meeting, await meeting_facts(req, svc, meeting))

    return load


def refuse_cancelled(meeting: Meeting) -> None:
    """A cancelled meeting takes no replies, items or papers (UserError)."""
    if meeting.cancelled:
        raise UserError(f"Meeting #{meeting.id} has been cancelled.", example="meetings")


@dataclass
class MeetingTimes:
    """A meeting's times as typed: UTC start and end, the wall-clock start (for repeats and the
    school-day check) and what the reply must say about a repeated hour."""

    start: datetime
    end: datetime
    local_start: datetime
    later: bool
    notes: list[str] = field(default_factory=list)

    @property
    def length(self) -> timedelta:
        """Absolute: a meeting across a clock change lasts the hours that really pass."""
        return self.end - self.start


async def parse_times(
    req: Request, svc: Services, *, example: str, default_length: timedelta | None = None
) -> MeetingTimes:
    """`on:` (with a time) and `until:` or `for:` -> UTC start and end.

    Each typed time is resolved once (bot.dates.resolve_local): a time the clocks skip is
    refused, one that happens twice is the first unless `confirm:later`. `for:` and the
    default length are added in absolute time.
    """
    on = req.args.opt("on")
    if not on:
        raise UserError("When is it? Give on: with a date and time.", example=example, field="on")
    terms = await svc.terms()
    later = wants_later(req.args.opt("confirm"))
    start, has_time = parse_instant(
        on, now=req.now, tz=svc.tz, terms=terms, later=later, option="on"
    )
    if not has_time:
        raise UserError(
            f"on:{on!r} has no time of day; meetings need a start time.",
            example=example,
            field="on",
        )
    local_start = to_local(start.at, svc.tz).replace(tzinfo=None)
    notes = [start.note] if start.note else []
    until, length = req.args.opt("until"), req.args.opt("for")
    if until:
        try:
            until_time: time | None = parse_time(until)
        except UserError:
            until_time = None
        if until_time is not None:
            end = resolve_local(
                datetime.combine(local_start.date(), until_time),
                svc.tz,
                later=later,
                option="until",
            )
        else:
            end, _ = parse_instant(
                until, now=req.now, tz=svc.tz, terms=terms, later=later, option="until"
            )
        if end.note and end.note not in notes:
            notes.append(end.note)
        if end.at <= start.at:
            raise UserError(
                f"until:{until} is not after on:{on}: a meeting must end after it starts.",
                example=example,
                field="until",
            )
        end_at = end.at
    elif length:
        end_at = start.at + parse_duration(length)
    else:
        end_at = start.at + (default_length or timedelta(hours=1))
    if end_at - start.at > timedelta(days=2):
        raise UserError("A meeting can last at most two days.", example=example, field="until")
    return MeetingTimes(start.at, end_at, local_start, later, notes)


def with_notes(text: str, notes: list[str]) -> str:
    """A reply's text with what it must say about the times it read (a repeated hour)."""
    return " ".join([text, *notes])


def check_school_day(
    cal: TermCalendar, day: date, *, confirmed: bool, example: str, typed: str = ""
) -> None:
    """Holidays and weekends need `confirm:yes`: most members are in school on term days.

    The example is what the asker `typed` plus confirm:yes (the stock `example` when nothing
    was typed): the stock one names another date, and copied it booked a day nobody asked for.
    """
    reason = closed_note(cal, day)  # marked when the dates are estimated
    if reason and not confirmed:
        own = " ".join(typed.split())
        raise UserError(
            f"{reason}. Are you sure?",
            hint="Add confirm:yes to book it anyway.",
            example=f"{own or example} confirm:yes",
            field="on",
            example_is_dated=bool(own),
        )


async def agenda_lines(req: Request, svc: Services, meeting: Meeting) -> list[str]:
    """The agenda as people read it: first the previous meeting's minutes to approve and the
    matters arising (open actions from the group's earlier meetings, with owner and status),
    then the numbered items (with owners)."""
    today = req.now.astimezone(svc.tz).date()
    arising = (await matters_arising(svc.session, [meeting], today=today, now=req.now))[meeting.id]
    lines = []
    previous = await repo.previous_of_group(svc.session, meeting=meeting)
    if previous and previous.minutes and previous.minutes_approved_at is None:
        lines.append(f"Minutes of meeting #{previous.id} ({previous.title}): to approve")
    if arising:
        lines.append("Matters arising (open actions from earlier meetings):")
        lines.extend(f"- {a.line()}" for a in arising)
    items = await repo.agenda_of(svc.session, meeting.id)
    lines.extend(
        f"{i.position}. {i.title}" + (f" ({i.owner.name})" if i.owner else "") for i in items
    )
    return lines


def confirmed(req: Request) -> bool:
    """Whether the asker said `confirm:yes` (booking on a holiday or weekend); `confirm:later`
    (the second of a repeated hour, always on a Sunday night) confirms too."""
    return yes_no(req.args.opt("confirm"), field="confirm", default=False, yes=("later",))


async def meeting_card(req: Request, svc: Services, meeting: Meeting) -> Reply:
    """Everything a member needs in one card; organisers also see who has replied."""
    tz = svc.tz
    fields = [
        ("When", when_text(meeting, tz)),
        ("Where", meeting.place or "to be confirmed"),
    ]
    if meeting.link:
        fields.append(("Online", meeting.link))
    fields.append(("Group", f"{meeting.group.title} ({meeting.group.name})"))
    if meeting.status != "scheduled":
        fields.append(("Status", meeting.status))
    if meeting.organiser:
        fields.append(("Organiser", meeting.organiser.name))
    if meeting.recurrence:
        fields.append(("Repeats", f"{meeting.recurrence} (series #{meeting.series_id})"))
    answers = await repo.rsvps_of(svc.session, meeting.id)
    own = answers.get(req.actor.id)
    if own:
        mine = {"yes": "attending", "no": "apologies", "maybe": "maybe"}[own.answer]
        fields.append(("Your reply", mine + (f" ({own.reason})" if own.reason else "")))
    reply = Reply(text=f"Meeting #{meeting.id}: {meeting.title}")
    reply.add(Section(fields=fields))
    agenda = await agenda_lines(req, svc, meeting)
    if agenda:
        reply.add(Section(title="Agenda", text="\n".join(agenda)))
    papers = await repo.papers_of(svc.session, meeting.id)
    if papers:
        reply.add(Section(title="Papers", text="\n".join(f"{p.title}: {p.url}" for p in papers)))
    record = await record_of(svc.session, meeting, tz=tz, now=req.now)
    if record.fields():
        title = "Record" if record.recorded else "Record (from the replies)"
        reply.add(Section(title=title, fields=record.fields()))
    if meeting.minutes:
        reply.add(Section(title="Minutes", text=meeting.minutes))
    members = await directory.members_of(svc.session, meeting.group_id)
    counts = {a: sum(1 for r in answers.values() if r.answer == a) for a in ("yes", "no", "maybe")}
    waiting = sum(1 for m in members if m.person_id not in answers)
    summary = (
        f"{counts['yes']} attending, {counts['no']} apologies, {counts['maybe']} maybe, "
        f"{waiting} not replied"
    )
    if await is_organiser(req, svc, meeting):
        rows = []
        for m in sorted(members, key=lambda m: m.person.name):
            r = answers.get(m.person_id)
            label = {"yes": "attending", "no": "apologies", "maybe": "maybe"}
            rows.append(
                [m.person.name, label[r.answer] if r else "no reply", (r and r.reason) or ""]
            )
        reply.add(
            Table(columns=["member", "reply", "note"], rows=rows, title=f"Replies: {summary}")
        )
    else:
        reply.add(Section(fields=[("Replies", summary)]))
    if not meeting.cancelled:  # the buttons follow what this reader has said so far
        buttons = rsvp_buttons(meeting, own.answer if own else None).buttons
        if not own or own.answer != "maybe":
            buttons.insert(-1, Button("Maybe", f"rsvp {meeting.id} maybe"))
        buttons.append(Button("Calendar file", f"meeting ics {meeting.id}"))
        reply.add(Actions(buttons))
    return reply
