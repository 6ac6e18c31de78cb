"""Saying whether you will come: `rsvp <id> yes|no|maybe` and `apologies <id> ["reason"]`."""

from __future__ import annotations

from bot.errors import UserError
from bot.parsing import NO_WORDS, YES_WORDS
from bot.registry import Field, FormSpec
from bot.reply import Actions, Button, Reply
from bot.services import Request, Services
from handlers.meetings.kernel import MEETING, attended_meeting, command_set, refuse_cancelled
from storage import meetings as repo
from storage.meeting_notices import when_text
from storage.meetings import Meeting

commands = command_set()

# Every yes/no word (bot.parsing) plus the RSVP's own.
ANSWER_WORDS = {
    **{w: "yes" for w in YES_WORDS},
    **{w: "no" for w in NO_WORDS},
    "attend": "yes",
    "attending": "yes",
    "maybe": "maybe",
    "tentative": "maybe",
}

MAX_REASON = 500  # storage.meetings.Rsvp.reason is String(500)


async def record(
    req: Request, svc: Services, meeting: Meeting, answer: str, reason: str | None
) -> Reply:
    """Save the asker's answer ('yes', 'no' or 'maybe', with an optional reason) and thank them.

    A reason over MAX_REASON characters (the column's size) is a UserError on `reason`, for
    `rsvp` and `apologies` alike."""
    refuse_cancelled(meeting)
    if reason and len(reason) > MAX_REASON:
        raise UserError(
            f"Keep the reason under {MAX_REASON} characters.",
            example=f'apologies {meeting.id} "Ofsted visit"',
            field="reason",
        )
    await repo.set_rsvp(
        svc.session,
        meeting_id=meeting.id,
        person_id=req.actor.id,
        answer=answer,
        reason=reason,
        at=req.now,
    )
    said = {
        "yes": "you are attending",
        "no": "your apologies are sent",
        "maybe": "you might attend",
    }[answer]
    return Reply(
        text=f"Thanks: {said} for meeting #{meeting.id}, {meeting.title}, "
        f"{when_text(meeting, svc.tz)}" + (f" ({reason})" if reason else "") + ".",
        subject=("meeting", meeting.id),
        elements=[
            Actions(
                [
                    Button("Meeting", f"meeting {meeting.id}"),
                    Button("Agenda", f"agenda {meeting.id} list"),
                    Button("Calendar file", f"meeting ics {meeting.id}"),
                ]
            )
        ],
    )


@commands.command(
    "rsvp",
    summary="Say whether you will attend a meeting",
    usage="rsvp <id> yes|no|maybe",
    examples=["rsvp 3 yes"],
    writes=True,
    loads=attended_meeting("rsvp 3 yes"),
    form=FormSpec(
        title="Reply to meeting {id}",
        submit="Send reply",
        fields=(
            MEETING,
            Field(
                "answer",
                "Will you attend?",
                required=True,
                positional=True,
                options=("yes", "no", "maybe"),
            ),
        ),
    ),
)
async def rsvp(req: Request, svc: Services) -> Reply:
    meeting: Meeting = req.item
    word = req.args.words[1].lower() if len(req.args.words) > 1 else ""
    if word not in ANSWER_WORDS:
        raise UserError(
            "Answer yes, no or maybe." + (f" ({word!r} is not one of them.)" if word else ""),
            hint='To send apologies with a reason: apologies 3 "Ofsted visit"',
            example=f"rsvp {meeting.id} yes",
        )
    reason = " ".join(req.args.words[2:]).strip() or None
    return await record(req, svc, meeting, ANSWER_WORDS[word], reason)


@commands.command(
    "apologies",
    summary="Send apologies for a meeting, with a reason if you like",
    usage='apologies <id> ["reason"]',
    examples=['apologies 3 "Ofsted visit"'],
    writes=True,
    loads=attended_meeting('apologies 3 "Ofsted visit"'),
    form=FormSpec(
        title="Apologies for meeting {id}",
        submit="Send apologies",
        fields=(
            MEETING,
            Field(
                "reason",
                "Reason (the organisers see it)",
                positional=True,
                placeholder="Ofsted visit",
            ),
        ),
    ),
)
async def apologies(req: Request, svc: Services) -> Reply:
    meeting: Meeting = req.item
    reason = " ".join(req.args.words[1:]).strip() or None
    return await record(req, svc, meeting, "no", reason)
