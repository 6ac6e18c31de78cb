"""Meetings in a calendar app: one meeting's `.ics` file, and your personal feed address."""

from __future__ import annotations

import secrets

from bot.errors import UserError
from bot.registry import Field, FormSpec
from bot.reply import File, Reply, Section
from bot.services import Request, Services
from handlers.meetings.kernel import command_set, meeting_for
from storage.meeting_calendar import feed_url
from storage.meeting_calendar import meeting_ics as calendar_file
from storage.meeting_notices import when_text

commands = command_set()


@commands.command(
    "meeting ics",
    summary="A calendar file (.ics) for one meeting",
    usage="meeting ics <id>",
    examples=["meeting ics 3"],
)
async def meeting_ics(req: Request, svc: Services) -> Reply:
    meeting = await meeting_for(req, svc, example="meeting ics 3")
    content = await calendar_file(svc.session, meeting, svc.tz, now=req.now, person=req.actor)
    where = f", {meeting.place}" if meeting.place else ""
    summary = f"{meeting.title}, {when_text(meeting, svc.tz)}{where}"
    note = ""
    if meeting.cancelled:
        summary += " (cancelled)"
        note = " It is cancelled: opening this file removes it from your calendar."
    return Reply(
        text=f"Calendar file for meeting #{meeting.id}: {meeting.title}.{note}",
        elements=[
            File(
                name=f"meeting-{meeting.id}.ics",
                content=content,
                mime="text/calendar",
                summary=summary,
            )
        ],
    )


@commands.command(
    "calendar",
    summary="Your personal calendar feed: every meeting of your groups, in your calendar app",
    usage="calendar [reset]",
    examples=["calendar"],
    writes=True,
    form=FormSpec(
        title="Reset your calendar feed address",
        submit="Reset it",
        intro="Your old feed address stops working; subscribe again with the new one.",
        fields=(Field("reset", positional=True, literal="reset"),),
    ),
)
async def calendar(req: Request, svc: Services) -> Reply:
    if req.args.words and req.args.words[0].lower() == "reset":
        req.actor.calendar_token = secrets.token_urlsafe(24)
        await svc.session.flush()
        note = "Your old feed address no longer works. "
    elif req.args.words:
        raise UserError("`calendar` takes nothing, or `reset`.", example="calendar")
    else:
        note = ""
    settings = svc.settings
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    url = feed_url(base, req.actor.calendar_token)
    return Reply(
        text=f"{note}Subscribe to this address in Outlook, Google or Apple Calendar "
        '("add calendar from URL"). Keep it to yourself: anyone with it can see your meetings.',
        elements=[Section(fields=[("Feed", url)])],
        subject=("calendar", None) if note else None,
    )
