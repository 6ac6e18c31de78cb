"""Changing a meeting: move it to a new time or place, or cancel it; members are told at once.

Both bump the meeting's sequence (reminder keys) and its calendar SEQUENCE (`Meeting.revise`); `notify_change`
(storage/meeting_notices.py) queues the message to members.
"""

from __future__ import annotations

from bot.errors import UserError
from bot.registry import Field, FormSpec
from bot.reply import Reply
from bot.services import Request, Services
from handlers.meetings.kernel import (
    MEETING,
    TIMES,
    check_school_day,
    command_set,
    confirmed,
    meeting_card,
    organised_meeting,
    parse_times,
    with_notes,
)
from storage.meeting_notices import notify_change, when_text
from storage.meetings import Meeting

commands = command_set()

MOVE_EXAMPLE = 'meeting move 3 on:"12/01/2024 10:00"'


@commands.command(
    "meeting move",
    summary="Move a meeting to a new time; members are told at once",
    usage='meeting move <id> on:"<date time>" [until:<time>|for:<duration>] [place:"..."] '
    "[confirm:yes|later]",
    examples=[MOVE_EXAMPLE],
    writes=True,
    loads=organised_meeting(MOVE_EXAMPLE),
    form=FormSpec(title="Move meeting {id}", submit="Move it", fields=(MEETING, *TIMES)),
)
async def meeting_move(req: Request, svc: Services) -> Reply:
    meeting: Meeting = req.item
    if meeting.cancelled:
        raise UserError(f"Meeting #{meeting.id} is cancelled.", example="meetings")
    was = when_text(meeting, svc.tz)
    length = meeting.ends_at - meeting.starts_at
    times = await parse_times(req, svc, example=MOVE_EXAMPLE, default_length=length)
    check_school_day(
        await svc.terms(),
        times.local_start.date(),
        confirmed=confirmed(req),
        example=MOVE_EXAMPLE,
        typed=req.text,
    )
    new_start, new_end = times.start, times.end
    place_changed = "place" in req.args.options or "link" in req.args.options
    if new_start == meeting.starts_at and new_end == meeting.ends_at and not place_changed:
        raise UserError(f"Meeting #{meeting.id} is already at {was}.", example=MOVE_EXAMPLE)
    meeting.starts_at, meeting.ends_at = new_start, new_end
    meeting.place = req.args.opt("place", meeting.place)
    meeting.link = req.args.opt("link", meeting.link)
    meeting.status, meeting.sequence = "moved", meeting.sequence + 1
    meeting.scheduled_at = req.now
    meeting.revise(req.now)
    await svc.session.flush()
    told = await notify_change(svc.session, meeting, now=req.now, tz=svc.tz, was=was)
    reply = await meeting_card(req, svc, meeting)
    reply.text = with_notes(
        f"Moved meeting #{meeting.id}: {meeting.title} is now {when_text(meeting, svc.tz)} "
        f"(was {was}). {told} people told; reminders will follow the new time.",
        times.notes,
    )
    reply.subject = ("meeting", meeting.id)
    return reply


@commands.command(
    "meeting cancel",
    summary="Cancel a meeting; members are told at once",
    usage='meeting cancel <id> ["reason"]',
    examples=['meeting cancel 3 "Clashes with the Ofsted briefing"'],
    writes=True,
    loads=organised_meeting("meeting cancel 3"),
    form=FormSpec(
        title="Cancel meeting {id}",
        submit="Cancel the meeting",
        intro="Members are told at once, with the reason you give.",
        asks=True,
        fields=(MEETING, Field("reason", "Reason (members see it)", positional=True)),
    ),
)
async def meeting_cancel(req: Request, svc: Services) -> Reply:
    meeting: Meeting = req.item
    if meeting.cancelled:
        raise UserError(f"Meeting #{meeting.id} is already cancelled.", example="meetings")
    meeting.status, meeting.sequence = "cancelled", meeting.sequence + 1
    meeting.revise(req.now)
    await svc.session.flush()
    told = await notify_change(svc.session, meeting, now=req.now, tz=svc.tz, was=None)
    reason = " ".join(req.args.words[1:]).strip()
    return Reply(
        text=f"Cancelled meeting #{meeting.id}: {meeting.title}, {when_text(meeting, svc.tz)}"
        + (f" ({reason})" if reason else "")
        + f". {told} people told; calendar feeds will show it as cancelled.",
        subject=("meeting", meeting.id),
    )
