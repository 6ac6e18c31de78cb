"""What members are told about a meeting, shared by the commands and the reminder planner:
its time and place in words, the RSVP buttons, and the notice of a move or cancellation
queued in the outbox (keys `meeting:<id>:moved:s<n>:<person>` and `meeting:<id>:cancelled:<person>`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_clock, format_when, to_local
from bot.reply import Actions, Button, Element, Reply, Section
from storage import directory, outbox
from storage.meetings import Meeting, rsvps_of


def when_text(meeting: Meeting, tz: ZoneInfo) -> str:
    """`Fri 15 Dec 2023, 10:00-12:00` in the partnership's zone."""
    start, end = to_local(meeting.starts_at, tz), to_local(meeting.ends_at, tz)
    if start.date() == end.date():
        return f"{format_when(meeting.starts_at, tz)}-{format_clock(meeting.ends_at, tz)}"
    return f"{format_when(meeting.starts_at, tz)} to {format_when(meeting.ends_at, tz)}"


def where_text(meeting: Meeting) -> str:
    """The place and the online link, or "place to be confirmed"."""
    parts = [p for p in (meeting.place, meeting.link) if p]
    return " / ".join(parts) or "place to be confirmed"


def rsvp_buttons(meeting: Meeting, answer: str | None = None) -> Actions:
    """The buttons for one reader's reply so far (`answer`: yes / no / maybe / None): someone
    attending is offered "Can't come", someone who sent apologies "Attend", anyone else both.
    Each button runs the command a member could type; apologies open their form first, to
    give a reason."""
    attend = Button("Attend", f"rsvp {meeting.id} yes", style="primary")
    apologies = Button("Apologies", f"form apologies {meeting.id}")
    if answer == "yes":
        buttons = [Button("Can't come", f"form apologies {meeting.id}")]
    elif answer == "no":
        buttons = [attend]
    else:
        buttons = [attend, apologies]
    return Actions([*buttons, Button("Agenda", f"agenda {meeting.id} list")])


async def notify_change(
    session: AsyncSession, meeting: Meeting, *, now: datetime, tz: ZoneInfo, was: str | None
) -> int:
    """A move or cancellation: tell every member and the organiser at once, and drop unsent
    reminders of the old time. `was` is the old `when_text` of a move. Returns rows queued."""
    for kind in ("remind", "summary"):
        await outbox.cancel_pending(
            session, prefix=f"meeting:{meeting.id}:{kind}:", reason=f"meeting {meeting.status}"
        )
    people = {
        m.person.id: m.person
        for m in await directory.members_of(session, meeting.group_id)
        if m.person.active
    }
    if meeting.organiser is not None:
        people.setdefault(meeting.organiser.id, meeting.organiser)
    answers = await rsvps_of(session, meeting.id)

    def notice(answer: str | None) -> Reply:
        if meeting.cancelled:
            text = f"Cancelled: {meeting.title} (meeting #{meeting.id}), {when_text(meeting, tz)}."
            return Reply(text=text, elements=[Section(fields=[("Group", meeting.group.title)])])
        text = (
            f"Moved: {meeting.title} (meeting #{meeting.id}) is now {when_text(meeting, tz)}"
            + (f" (was {was})" if was else "")
            + "."
        )
        elements: list[Element] = [
            Section(fields=[("Where", where_text(meeting)), ("Group", meeting.group.title)]),
            rsvp_buttons(meeting, answer),
        ]
        return Reply(text=text, elements=elements)

    event = "cancelled" if meeting.cancelled else f"moved:s{meeting.sequence}"
    created = 0
    for person_id in sorted(people):
        answer = answers.get(person_id)
        created += await outbox.enqueue(
            session,
            key=f"meeting:{meeting.id}:{event}:{person_id}",
            target=outbox.person_target(person_id),
            reply=notice(answer.answer if answer else None),
            due_at=now,
        )
    return created
