"""Support messages: the triage channel's copy of a new request, the requester's status updates,
and the escalation to the triage lead (by `triage escalate`, or by the clock in
scheduled/support.py when an acknowledgement target is missed).

Only the triage channel's copy carries the request text; updates and escalations name the
request by number, kind and organisation so a misdirected message reveals nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_when
from bot.errors import NotFound
from bot.reply import Actions, Button, Reply, Section
from bot.settings import Settings
from storage import directory
from storage.directory import Organisation, Person
from storage.outbox import enqueue, group_target, person_target
from storage.support import SupportRequest, next_opening, offer_words

STATUS_WORDS = {
    "acknowledged": "has been acknowledged",
    "assigned": "has been assigned",
    "escalated": "has been escalated to the triage lead",
    "signposted": "has been signposted",
    "resolved": "has been resolved",
    "new": "has been reopened",
    "reopened": "has been reopened",
}


def summary_line(request: SupportRequest, organisation: Organisation | None) -> str:
    """`#12 crisis, Hillside Primary`: what a request is, without what it says."""
    return (
        f"#{request.id} {request.kind}, {organisation.name if organisation else 'no organisation'}"
    )


def raised_out_of_hours(
    request: SupportRequest, *, settings: Settings, now: datetime
) -> list[tuple[str, str]]:
    """The triage post's line for a request raised while the office is closed (none in office
    hours): when its target starts counting, and, for a crisis, what the requester was told."""
    opens = next_opening(now, office=settings.office, tz=settings.tz)
    if opens <= now:
        return []
    text = (
        f"raised out of hours ({format_when(now, settings.tz)}); the target counts from "
        f"{format_when(opens, settings.tz)}, when the office opens"
    )
    if request.kind == "crisis":
        text += (
            ". The requester was told to call 999 if anyone is in danger and, for a child at "
            "risk, to follow their safeguarding procedures and contact the Safeguarding Hub now"
        )
    return [("Out of hours", text + ".")]


async def notify_triage_channel(
    session: AsyncSession,
    *,
    request: SupportRequest,
    requester: Person,
    organisation: Organisation,
    settings: Settings,
    now: datetime,
) -> None:
    """The private triage channel gets the full request (the only broadcast that does)."""
    reply = Reply(
        text=f"New support request {summary_line(request, organisation)}",
        elements=[
            Section(
                text=request.details,
                fields=[
                    ("From", f"{requester.name} <{requester.email}>"),
                    ("Urgency", request.urgency),
                    ("Best contact", request.contact or requester.email),
                    ("Consent to share with named partners", "yes" if request.consent else "no"),
                    ("Entitlement", offer_words(request.offer, staff=True)),
                    ("Acknowledge by", format_when(request.ack_due_at, settings.tz)),
                    *raised_out_of_hours(request, settings=settings, now=now),
                ],
            ),
            Actions(
                [
                    Button("Acknowledge", f"triage ack {request.id}", style="primary"),
                    Button("Open", f"triage {request.id}"),
                ]
            ),
        ],
    )
    await enqueue(
        session,
        key=f"support:{request.id}:new",
        target=group_target(settings.triage_channel),
        reply=reply,
        due_at=now,
    )


async def notify_requester(
    session: AsyncSession,
    *,
    request: SupportRequest,
    event_id: int,
    by: Person,
    now: datetime,
    note: str | None = None,
    words: str | None = None,
) -> bool:
    """Tell the requester their request changed status (a direct message, never a channel).

    `words` replaces the usual "has been <status> by <who>" wording.
    """
    if request.requester_id is None:
        return False
    if words is None:
        words = f"{STATUS_WORDS.get(request.status, f'is now {request.status}')} by {by.name}"
    text = f"Your support request #{request.id} ({request.kind}) {words}."
    fields = [("Status", request.status)]
    if note:
        fields.append(("Note", note))
    reply = Reply(text=text, elements=[Section(fields=fields)])
    reply.add(Actions([Button("Show", f"support {request.id}")]))
    return await enqueue(
        session,
        key=f"support:{request.id}:status:{event_id}",
        target=person_target(request.requester_id),
        reply=reply,
        due_at=now,
    )


async def notify_assignee(
    session: AsyncSession, *, request: SupportRequest, event_id: int, by: Person, now: datetime
) -> bool:
    if request.assignee_id is None or request.assignee_id == by.id:
        return False
    reply = Reply(
        text=f"{by.name} assigned support request #{request.id} ({request.kind}) to you.",
        elements=[Actions([Button("Open", f"triage {request.id}")])],
    )
    return await enqueue(
        session,
        key=f"support:{request.id}:assigned:{event_id}",
        target=person_target(request.assignee_id),
        reply=reply,
        due_at=now,
    )


async def triage_lead_target(session: AsyncSession, settings: Settings) -> str:
    """The triage group's chair (the lead); the triage channel itself when it has no chair."""
    try:
        group = await directory.group_by_name(session, settings.triage_channel)
    except NotFound:  # no triage group yet: the channel name may still reach a platform channel
        return group_target(settings.triage_channel)
    chairs = sorted(await directory.chairs_of(session, group.id), key=lambda p: p.id)
    return person_target(chairs[0].id) if chairs else group_target(group.name)


async def escalate(
    session: AsyncSession,
    *,
    request: SupportRequest,
    key: str,
    text: str,
    settings: Settings,
    now: datetime,
) -> bool:
    reply = Reply(
        text=text,
        elements=[
            Section(
                fields=[
                    ("Urgency", request.urgency),
                    ("Status", request.status),
                    ("Acknowledge by", format_when(request.ack_due_at, settings.tz)),
                ]
            ),
            Actions(
                [
                    Button("Acknowledge", f"triage ack {request.id}", style="primary"),
                    Button("Open", f"triage {request.id}"),
                ]
            ),
        ],
    )
    target = await triage_lead_target(session, settings)
    return await enqueue(session, key=key, target=target, reply=reply, due_at=now)
