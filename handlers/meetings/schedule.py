"""Booking and reading meetings: add one (or a series), your next meetings, one meeting."""

from __future__ import annotations

from bot import forms
from bot.dates import format_date, parse_period, period_bounds, resolve_local
from bot.errors import UserError
from bot.policy import Facts, Loaded
from bot.registry import Field, FormSpec
from bot.reply import Actions, Button, Reply, Table
from bot.services import Request, Services
from handlers.meetings.kernel import (
    TIMES,
    check_school_day,
    command_set,
    confirmed,
    meeting_card,
    meeting_for,
    membership_role,
    parse_times,
    with_notes,
)
from handlers.terms import closed_reason, repeat_starts
from storage import directory
from storage import meetings as repo
from storage.directory import Group
from storage.meeting_notices import when_text, where_text
from storage.meetings import Meeting

commands = command_set()

ADD_EXAMPLE = (
    'meeting add "Attendance working group" group:attendance on:"15/12/2023 10:00" '
    'until:12:00 place:"Albion House"'
)


async def load_meeting_group(req: Request, svc: Services) -> Loaded:
    """`meeting add`: first whether the table lets the asker add a meeting for any group at all
    (refused before asking for details), then, once a title and group: are given, for that one."""
    roles: list[str | None] = [None]
    for group in await directory.groups_of(svc.session, req.actor.id):
        roles.append(await membership_role(svc, group_id=group.id, person_id=req.actor.id))
    if not any(svc.policy.allows(req.actor, "meeting add", Facts(group_role=r)) for r in roles):
        return Loaded(
            None,
            Facts(),
            refusal="Only a group's chair or officer or Learn Sheffield staff can schedule "
            "meetings.",
            hint="You can still reply: rsvp <id> yes, or propose an item: agenda <id> add",
        )
    title = req.args.text()
    if not title or len(title) > 200 or not req.args.opt("group"):
        return Loaded(None, None)  # the handler says what is missing
    group = await directory.group_by_name(svc.session, req.args.opt("group") or "")
    role = await membership_role(svc, group_id=group.id, person_id=req.actor.id)
    return Loaded(
        group,
        Facts(group_role=role),
        refusal=f"Only {group.name}'s chair or officer, the organiser or Learn Sheffield staff "
        "can do that.",
        hint="You can still reply: rsvp <id> yes, or propose an item: agenda <id> add",
    )


@commands.command(
    "meeting add",
    summary="Schedule a meeting of a group (staff, or the group's chair or officer)",
    usage='meeting add "Title" group:<name> on:"<date time>" [until:<time>|for:<duration>] '
    '[place:"..."] [link:<url>] [every:week|fortnight|month|term count:<n>] [confirm:yes|later]',
    examples=[
        ADD_EXAMPLE,
        'meeting add "Partnership board" group:board on:"12/01/2024 14:00" for:2h every:term',
    ],
    writes=True,
    loads=load_meeting_group,
    form=FormSpec(
        title="Schedule a meeting",
        submit="Schedule",
        fields=(
            Field("title", "Title", required=True, positional=True),
            Field("group", "Group", required=True, picker=forms.my_groups),
            *TIMES,
            Field("every", "Repeats", options=("week", "fortnight", "month", "term")),
            Field("count", "How many times", placeholder="6"),
        ),
    ),
)
async def meeting_add(req: Request, svc: Services) -> Reply:
    title = req.args.text()
    if not title:
        raise UserError("Give the meeting a title in quotes.", example=ADD_EXAMPLE, field="title")
    if len(title) > 200:
        raise UserError("Keep the title under 200 characters.", example=ADD_EXAMPLE)
    if not req.args.opt("group"):
        raise UserError("Which group is meeting? Give group:.", example=ADD_EXAMPLE, field="group")
    group: Group = req.item
    times = await parse_times(req, svc, example=ADD_EXAMPLE)
    cal = await svc.terms()
    check_school_day(
        cal,
        times.local_start.date(),
        confirmed=confirmed(req),
        example=ADD_EXAMPLE,
        typed=req.text,
    )
    starts, label, repeat_note = repeat_starts(
        cal,
        times.local_start,
        every=req.args.opt("every"),
        count=req.args.opt("count"),
        example=ADD_EXAMPLE,
    )
    kept, skipped = [times.start], []
    notes = list(times.notes)
    for s in starts[1:]:
        if closed_reason(cal, s.date()) and not confirmed(req):
            skipped.append(s)
            continue
        # each repeat keeps the wall-clock start, so it is read like a typed time
        at = resolve_local(s, svc.tz, later=times.later, option="on")
        if at.note and at.note not in notes:
            notes.append(at.note)
        kept.append(at.at)
    link = req.args.opt("link")
    if link and not link.startswith(("http://", "https://")):
        raise UserError("link: must be a web address.", example="link:https://meet.example.org/x")
    made: list[Meeting] = []
    for s in kept:
        meeting = await repo.add_meeting(
            svc.session,
            group_id=group.id,
            title=title,
            starts_at=s,
            ends_at=s + times.length,
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
    reply.text += repeat_note
    reply.text = with_notes(reply.text, notes)
    if first.starts_at <= req.now:
        reply.text += " Note: that is in the past, so no reminders will be sent."
    reply.subject = ("meeting", first.id)
    return reply


@commands.command(
    "meetings",
    summary="Your next five meetings, across all your groups; within:<period> those in a span "
    "of days",
    usage="meetings [group:<name>] [within:<period>]",
    examples=["meetings", "meetings group:attendance", 'meetings within:"next week"'],
    options={"group", "within"},
)
async def meetings(req: Request, svc: Services) -> Reply:
    after, before, span = req.now, None, None
    if req.args.opt("within") is not None:
        first, last, _ = parse_period(
            req.args.opt("within") or "",
            now=req.now,
            tz=svc.tz,
            terms=await svc.terms(),
            example='meetings within:"next week"',
        )
        start, before = period_bounds(first, last, tz=svc.tz)
        after = max(req.now, start)
        span = f" from {format_date(first)} to {format_date(last)}"
    limit = 5 if before is None else 50
    if req.args.opt("group"):
        group = await directory.group_by_name(svc.session, req.args.opt("group") or "")
        found = await repo.upcoming_for_group(
            svc.session, group_id=group.id, now=after, before=before, limit=limit
        )
        heading = f"Meetings of {group.title}{span}" if span else f"Next meetings of {group.title}"
    else:
        found = await repo.upcoming_for_person(
            svc.session, person_id=req.actor.id, now=after, before=before, limit=limit
        )
        heading = f"Your meetings{span}" if span else "Your next meetings"
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


@commands.command(
    "meeting",
    summary="One meeting: time, place, agenda, papers, replies",
    usage="meeting <id>",
    examples=["meeting 3"],
)
async def meeting_show(req: Request, svc: Services) -> Reply:
    meeting = await meeting_for(req, svc, example="meeting 3")
    return await meeting_card(req, svc, meeting)
