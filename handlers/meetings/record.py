"""The record of a meeting: `meeting record <id>`, who attended and who took the notes.

Until the organiser records it, the replies stand in (storage.meeting_record); the organiser
corrects them person by person (present / apologies / absent), names guests who are not in the
directory, and the note-taker. The card, `minutes <id>` and the calendar file show the record.
"""

from __future__ import annotations

import re

from bot import forms
from bot.errors import UserError
from bot.policy import Loaded
from bot.registry import Field, FormSpec
from bot.reply import Form, FormField, Reply, Section
from bot.services import Request, Services
from handlers.meetings.kernel import (
    MEETING,
    as_organiser,
    command_set,
    is_organiser,
    meeting_facts,
)
from handlers.meetings.kernel import meeting_for as find_meeting
from storage import directory
from storage import meeting_record as record_repo
from storage.meeting_notices import when_text
from storage.meeting_record import record_of
from storage.meetings import Meeting

commands = command_set()

RECORD_EXAMPLE = 'meeting record 3 present:@jo,@sam apologies:@priya guests:"Ben Bryant (ISOS)"'

STATUS_OPTIONS = ("present", "apologies", "absent")


async def load_record(req: Request, svc: Services) -> Loaded:
    """`meeting record <id>` shows the record; changing it is for the group's organisers."""
    meeting = await find_meeting(req, svc, example=RECORD_EXAMPLE)
    if not req.args.options and not req.args.people:
        return Loaded(meeting, None)
    return as_organiser(meeting, await meeting_facts(req, svc, meeting))


@commands.command(
    "meeting record",
    summary="Who attended a meeting (present, apologies, absent, guests) and who took notes",
    usage="meeting record <id> [present:@a,@b] [apologies:@c] [absent:@d] "
    '[guests:"Name (organisation), ..."] [notes:@person]',
    examples=[RECORD_EXAMPLE, "meeting record 3"],
    options={*STATUS_OPTIONS, "guests", "notes"},
    writes=True,
    loads=load_record,
    form=FormSpec(
        title="Who attended meeting {id}",
        submit="Save the record",
        fields=(
            MEETING,
            *(
                Field(status, status.title(), placeholder="@jo,@sam", hint="@handles, with commas")
                for status in STATUS_OPTIONS
            ),
            Field("guests", "Guests", placeholder="Name (organisation), ..."),
            Field("notes", "Who took notes", person=True, picker=forms.people),
        ),
    ),
)
async def meeting_record(req: Request, svc: Services) -> Reply:
    meeting: Meeting = req.item
    changed = []
    if req.args.options:
        today = req.now.astimezone(svc.tz).date()
        if meeting.starts_at.astimezone(svc.tz).date() > today:
            raise UserError(
                f"Meeting #{meeting.id} has not happened yet ({when_text(meeting, svc.tz)}): "
                "until it does, the replies say who is coming.",
                example=f"meeting {meeting.id}",
            )
        seen: dict[int, str] = {}
        for status in STATUS_OPTIONS:
            for token in _list(req.args.opt(status)):
                person = await directory.resolve_person(svc.session, token)
                if seen.get(person.id, status) != status:
                    raise UserError(
                        f"{person.name} is both {seen[person.id]} and {status}: which is it?",
                        example=RECORD_EXAMPLE,
                        field=status,
                    )
                seen[person.id] = status
                await record_repo.set_attendance(
                    svc.session,
                    meeting_id=meeting.id,
                    person_id=person.id,
                    status=status,
                    by_id=req.actor.id,
                    at=req.now,
                )
                changed.append(f"{person.name}: {status}")
        if req.args.opt("guests") is not None:
            guests = _list(req.args.opt("guests"))
            if any(len(g) > 200 for g in guests):
                raise UserError("Keep each guest under 200 characters.", example=RECORD_EXAMPLE)
            await record_repo.set_guests(
                svc.session, meeting_id=meeting.id, names=guests, by_id=req.actor.id, at=req.now
            )
            changed.append(f"guests: {', '.join(guests) or 'none'}")
        if req.args.opt("notes"):
            taker = await directory.resolve_person(svc.session, req.args.opt("notes") or "")
            meeting.notes_by_id = taker.id
            changed.append(f"notes: {taker.name}")
        meeting.revise(req.now)  # the calendar file shows the record: clients refresh it
        await svc.session.flush()
        await svc.session.refresh(meeting, ["notes_by"])
    record = await record_of(svc.session, meeting, tz=svc.tz, now=max(req.now, meeting.starts_at))
    source = "recorded" if record.recorded else "from the replies, not yet recorded"
    reply = Reply(
        text=f"Meeting #{meeting.id}, {meeting.title}: "
        + ("recorded " + "; ".join(changed) + "." if changed else f"attendance ({source})."),
        subject=("meeting", meeting.id) if changed else None,
    )
    reply.add(Section(fields=record.fields() or [("Attendance", "no one yet")]))
    if await is_organiser(req, svc, meeting, command="meeting record"):
        handles: dict[str, list[str]] = {s: [] for s in STATUS_OPTIONS}
        people = {p.id: p for p in await directory.all_people(svc.session)}
        for a in record.attendees:
            if a.person_id in people:
                handles[a.status].append("@" + people[a.person_id].handle)
        guests = [a.name for a in record.attendees if a.guest]
        reply.add(
            Form(
                title=f"Attendance at meeting #{meeting.id}",
                command=f"meeting record {meeting.id}",
                fields=[
                    *(
                        FormField(s, s.capitalize(), value=", ".join(handles[s]) or None)
                        for s in STATUS_OPTIONS
                    ),
                    FormField(
                        "guests",
                        "Guests (not in the directory)",
                        value=", ".join(guests) or None,
                        placeholder="Ben Bryant (ISOS)",
                    ),
                    FormField(
                        "notes",
                        "Notes taken by",
                        value=f"@{people[meeting.notes_by_id].handle}"
                        if meeting.notes_by_id in people
                        else None,
                    ),
                ],
                submit_label="Record",
            )
        )
    return reply


def _list(value: str | None) -> list[str]:
    """`@jo, @sam` or `Jo Bloggs; Sam Patel` -> the names, in order."""
    return [p.strip() for p in re.split(r"[,;]", value or "") if p.strip()]
