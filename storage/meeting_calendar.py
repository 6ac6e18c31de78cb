"""Calendar files as text: one meeting's `.ics` and a person's feed of their groups' meetings.

Shared by the `meeting ics` and `calendar` commands and the web door's `/calendar/<token>.ics`.
Events carry the partnership's zone (with its VTIMEZONE) so a 10:00 meeting shows at 10:00
in any client; the UID is stable and SEQUENCE follows moves, so clients update in place.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage import meetings as repo
from storage.directory import Person

if TYPE_CHECKING:
    from icalendar import Event

    from storage.meetings import Meeting

PRODID = "-//Learn Sheffield//partnership-bot//EN"
FEED_PAST = timedelta(days=180)  # how far back the personal feed reaches


def meeting_event(meeting: Meeting, tz: ZoneInfo, *, agenda: list[str] | None = None) -> Event:
    """One VEVENT: times in `tz`, CANCELLED when cancelled, the agenda in the description."""
    # icalendar takes about 0.13 s to import: only calendar files need it, not every command
    from icalendar import Event

    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    if meeting.place:
        event.add("location", meeting.place)
    if meeting.link:
        event.add("url", meeting.link)
    lines = [f"{meeting.group.title} (meeting #{meeting.id})"]
    if meeting.link:
        lines.append(f"Online: {meeting.link}")
    if agenda:
        lines.append("Agenda:")
        lines.extend(f"{n}. {title}" for n, title in enumerate(agenda, start=1))
    event.add("description", "\n".join(lines))
    return event


def build_calendar(meetings: list[tuple[Meeting, list[str]]], tz: ZoneInfo, *, name: str) -> str:
    """A VCALENDAR with one VEVENT per meeting and the VTIMEZONE it needs."""
    from icalendar import Calendar  # see meeting_event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(tz))
    for meeting, agenda in meetings:
        cal.add_component(meeting_event(meeting, tz, agenda=agenda))
    cal.add_missing_timezones()
    return cal.to_ical().decode("utf-8")


async def meeting_ics(session: AsyncSession, meeting: Meeting, tz: ZoneInfo) -> str:
    """One meeting's calendar file, with its agenda."""
    agenda = [i.title for i in await repo.agenda_of(session, meeting.id)]
    return build_calendar([(meeting, agenda)], tz, name=meeting.title)


async def personal_feed(
    session: AsyncSession, person: Person, *, now: datetime, tz: ZoneInfo
) -> str:
    """All the person's groups' meetings from six months ago on, cancelled ones included."""
    rows = await repo.feed_for_person(session, person_id=person.id, since=now - FEED_PAST)
    agendas = await repo.agenda_titles(session, [m.id for m in rows])
    items = [(m, agendas[m.id]) for m in rows]
    return build_calendar(items, tz, name=f"Partnership meetings ({person.name})")


def feed_url(base: str, token: str) -> str:
    """The feed's address under the bot's public URL `base`."""
    return f"{base.rstrip('/')}/calendar/{token}.ics"
