"""Meetings in chat: add, list and show a meeting.

Moving and cancelling are in `handlers/meetings_changes.py`; RSVPs, agendas, papers, minutes
and the calendar file in `handlers/meeting_items.py`; reminders are planned in
`scheduled/meetings.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import policy
from bot.dates import format_date, local_to_utc, parse_duration, parse_local, parse_time
from bot.errors import NotAllowed, UserError
from bot.parsing import yes_no
from bot.registry import CommandSet, Registry
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from handlers.terms import closed_reason, repeat_starts
from scheduled.meetings import when_text, where_text
from storage import directory
from storage import meetings as repo
from storage.meetings import Meeting

commands = CommandSet("meetings", "Meetings, RSVPs, agendas, minutes and reminders")


def register(registry: Registry) -> None:
    """Adding and reading here; move and cancel, and the items, in their own modules."""
    from handlers import meeting_items, meetings_changes

    commands.register(registry)
    meetings_changes.commands.register(registry)
    meeting_items.commands.register(registry)


ADD_EXAMPLE = (
    'meeting add "Attendance working group" group:attendance on:"15/12/2023 10:00" '
    'until:12:00 place:"Albion House"'
)


async def meeting_for(req: Request, svc: Services, index: int = 0, *, example: str) -> Meeting:
    """The meeting whose number is the `index`-th word."""
    meeting_id = req.args.int_at(index, what="meeting", example=example)
    return await repo.get_meeting(svc.session, meeting_id)


async def membership_role(svc: Services, *, group_id: int, person_id: int) -> str | None:
    found = await directory.membership(svc.session, group_id=group_id, person_id=person_id)
    return found.role if found else None


async def require_organiser(req: Request, svc: Services, meeting: Meeting) -> None:
    role = await membership_role(svc, group_id=meeting.group_id, person_id=req.actor.id)
    policy.require_organise_meeting(
        req.actor, membership_role=role, group=meeting.group.name, organiser_id=meeting.organiser_id
    )


async def is_organiser(req: Request, svc: Services, meeting: Meeting) -> bool:
    role = await membership_role(svc, group_id=meeting.group_id, person_id=req.actor.id)
    return policy.may_organise_meeting(
        req.actor, membership_role=role, organiser_id=meeting.organiser_id
    )


async def may_organise_for_some_group(req: Request, svc: Services) -> bool:
    """Whether the policy lets the asker organise a meeting of any group at all (staff: yes)."""
    roles: list[str | None] = [None]
    for group in await directory.groups_of(svc.session, req.actor.id):
        roles.append(await membership_role(svc, group_id=group.id, person_id=req.actor.id))
    return any(policy.may_organise_meeting(req.actor, membership_role=r) for r in roles)


async def parse_times(
    req: Request, svc: Services, *, example: str, default_length: timedelta | None = None
) -> tuple[datetime, datetime]:
    """`on:` (with a time) and `until:` or `for:` -> naive local start and end."""
    on = req.args.opt("on")
    if not on:
        raise UserError("When is it? Give on: with a date and time.", example=example, field="on")
    terms = await svc.terms()
    start, has_time = parse_local(on, now=req.now, tz=svc.tz, terms=terms)
    if not has_time:
        raise UserError(
            f"on:{on!r} has no time of day; meetings need a start time.",
            example=example,
            field="on",
        )
    until, length = req.args.opt("until"), req.args.opt("for")
    if until:
        try:
            end = datetime.combine(start.date(), parse_time(until))
        except UserError:
            end, _ = parse_local(until, now=req.now, tz=svc.tz, terms=terms)
        if end <= start:
            raise UserError(
                f"until:{until} is not after on:{on}: a meeting must end after it starts.",
                example=example,
                field="until",
            )
    elif length:
        end = start + parse_duration(length)
    else:
        end = start + (default_length or timedelta(hours=1))
    if end - start > timedelta(days=2):
        raise UserError("A meeting can last at most two days.", example=example, field="until")
    return start, end


def check_school_day(cal, day, *, confirmed: bool, example: str) -> None:  # type: ignore[no-untyped-def]
    """Holidays and weekends need `confirm:yes`: most members are in school on term days."""
    reason = closed_reason(cal, day)
    if reason and not confirmed:
        raise UserError(
            f"{reason}. Are you sure?",
            hint="Add confirm:yes to book it anyway.",
            example=f"{example} confirm:yes",
            field="on",
        )


def confirmed(req: Request) -> bool:
    return yes_no(req.args.opt("confirm"), field="confirm", default=False)


@commands.command(
    "meeting add",
    summary="Schedule a meeting of a group (staff, or the group's chair or officer)",
    usage='meeting add "Title" group:<name> on:"<date time>" [until:<time>|for:<duration>] '
    '[place:"..."] [link:<url>] [every:week|fortnight|month|term count:<n>] [confirm:yes]',
    examples=[
        ADD_EXAMPLE,
        'meeting add "Partnership board" group:board on:"12/01/2024 14:00" for:2h every:term',
    ],
    options={"group", "on", "until", "for", "place", "link", "every", "count", "confirm"},
    writes=True,
)
async def meeting_add(req: Request, svc: Services) -> Reply:
    if not await may_organise_for_some_group(req, svc):  # refuse before asking for details
        raise NotAllowed(
            "Only a group's chair or officer or Learn Sheffield staff can schedule meetings.",
            hint="You can still reply: rsvp <id> yes, or propose an item: agenda <id> add",
        )
    title = req.args.text()
    if not title:
        raise UserError("Give the meeting a title in quotes.", example=ADD_EXAMPLE, field="title")
    if len(title) > 200:
        raise UserError("Keep the title under 200 characters.", example=ADD_EXAMPLE)
    if not req.args.opt("group"):
        raise UserError("Which group is meeting? Give group:.", example=ADD_EXAMPLE, field="group")
    group = await directory.group_by_name(svc.session, req.args.opt("group") or "")
    role = await membership_role(svc, group_id=group.id, person_id=req.actor.id)
    policy.require_organise_meeting(req.actor, membership_role=role, group=group.name)
    start, end = await parse_times(req, svc, example=ADD_EXAMPLE)
    cal = await svc.terms()
    check_school_day(cal, start.date(), confirmed=confirmed(req), example=ADD_EXAMPLE)
    starts, label = repeat_starts(
        cal,
        start,
        every=req.args.opt("every"),
        count=req.args.opt("count"),
        example=ADD_EXAMPLE,
    )
    kept, skipped = [starts[0]], []
    for s in starts[1:]:
        (skipped if closed_reason(cal, s.date()) and not confirmed(req) else kept).append(s)
    link = req.args.opt("link")
    if link and not link.startswith(("http://", "https://")):
        raise UserError("link: must be a web address.", example="link:https://meet.example.org/x")
    made: list[Meeting] = []
    for s in kept:
        meeting = await repo.add_meeting(
            svc.session,
            group_id=group.id,
            title=title,
            starts_at=local_to_utc(s, svc.tz),
            ends_at=local_to_utc(s + (end - start), svc.tz),
            place=req.args.opt("place"),
            link=link,
            organiser_id=req.actor.id,
            series_id=made[0].id if made else None,
            recurrence=label or None,
            scheduled_at=req.now,
            created_at=req.now,
            updated_at=req.now,
        )
        if label and not made:
            meeting.series_id = meeting.id  # a series is named by its first meeting
        made.append(meeting)
    first = made[0]
    reply = await meeting_card(req, svc, first)
    reply.text = (
        f"Added meeting #{first.id}: {first.title}, {when_text(first, svc.tz)}, "
        f"{where_text(first)} ({group.name})."
    )
    if len(made) > 1:
        rows = [[f"#{m.id}", when_text(m, svc.tz)] for m in made]
        reply.elements.insert(0, Table(columns=["meeting", "when"], rows=rows, title=label))
    if skipped:
        reply.text += (
            " Not booked (school holidays or weekends): "
            + ", ".join(format_date(s.date()) for s in skipped)
            + "."
        )
    if first.starts_at <= req.now:
        reply.text += " Note: that is in the past, so no reminders will be sent."
    return reply


@commands.command(
    "meetings",
    summary="Your next five meetings, across all your groups",
    usage="meetings [group:<name>]",
    examples=["meetings", "meetings group:attendance"],
    options={"group"},
)
async def meetings(req: Request, svc: Services) -> Reply:
    if req.args.opt("group"):
        group = await directory.group_by_name(svc.session, req.args.opt("group") or "")
        found = await repo.upcoming_for_group(svc.session, group_id=group.id, now=req.now)
        heading = f"Next meetings of {group.title}"
    else:
        found = await repo.upcoming_for_person(svc.session, person_id=req.actor.id, now=req.now)
        heading = "Your next meetings"
    if not found:
        return Reply(
            text=f"{heading}: none scheduled.",
            elements=[Actions([Button("Groups", "groups"), Button("Calendar feed", "calendar")])],
        )
    mine = await repo.rsvps_for_person(
        svc.session, person_id=req.actor.id, meeting_ids=[m.id for m in found]
    )
    rows = [
        [
            f"#{m.id}",
            when_text(m, svc.tz),
            m.title,
            m.group.name,
            where_text(m),
            mine[m.id].answer if m.id in mine else "",
        ]
        for m in found
    ]
    buttons = [Button(f"#{m.id}", f"meeting {m.id}") for m in found]
    return Reply(text=f"{heading}:").add(
        Table(columns=["id", "when", "meeting", "group", "where", "you"], rows=rows),
        Actions(buttons),
    )


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
    agenda = await repo.agenda_of(svc.session, meeting.id)
    if agenda:
        lines = [
            f"{i.position}. {i.title}" + (f" ({i.owner.name})" if i.owner else "") for i in agenda
        ]
        reply.add(Section(title="Agenda", text="\n".join(lines)))
    papers = await repo.papers_of(svc.session, meeting.id)
    if papers:
        reply.add(Section(title="Papers", text="\n".join(f"{p.title}: {p.url}" for p in papers)))
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
    if not meeting.cancelled:
        reply.add(
            Actions(
                [
                    Button("Attend", f"rsvp {meeting.id} yes", style="primary"),
                    Button("Apologies", f"apologies {meeting.id}"),
                    Button("Maybe", f"rsvp {meeting.id} maybe"),
                    Button("Agenda", f"agenda {meeting.id} list"),
                    Button("Calendar file", f"meeting ics {meeting.id}"),
                ]
            )
        )
    return reply


@commands.command(
    "meeting",
    summary="One meeting: time, place, agenda, papers, replies",
    usage="meeting <id>",
    examples=["meeting 3"],
)
async def meeting_show(req: Request, svc: Services) -> Reply:
    meeting = await meeting_for(req, svc, example="meeting 3")
    return await meeting_card(req, svc, meeting)


def demo_commands(now: datetime) -> list[tuple[str, str]]:
    """Two meetings ahead of today (so the DESIGN example `meeting add` becomes #3)."""
    from bot.terms import default_calendar

    cal = default_calendar()

    def school_day(days: int, weekday: int) -> str:
        day = now.date() + timedelta(days=days)
        for _ in range(120):
            if day.weekday() == weekday and closed_reason(cal, day) is None:
                break
            day += timedelta(days=1)
        return f"{day:%d/%m/%Y}"

    sam, stella = "sam@learnsheffield.co.uk", "stella@learnsheffield.co.uk"
    board = school_day(10, 3)
    design = school_day(3, 1)
    return [
        (
            stella,
            f'meeting add "Partnership board" group:board on:"{board} 14:00" until:16:00 '
            'place:"Albion House" link:https://meet.example.org/board',
        ),
        (stella, 'agenda 1 add "Priorities for the spring term" @mark'),
        (stella, 'agenda 1 add "Attendance sub-group update" @dan'),
        (
            sam,
            f'meeting add "Partnership design working group" group:design on:"{design} 10:00" '
            "for:90m link:https://meet.example.org/design",
        ),
        ("jo@hillside.sch.uk", "rsvp 1 yes"),
        ("priya@parkwood.sch.uk", 'apologies 1 "Governors meeting"'),
    ]
