"""Calendar files as text: one meeting's `.ics` and a person's feed of their groups' meetings.

Shared by the `meeting ics` and `calendar` commands and the web door's `/calendar/<token>.ics`.
Built with the icalendar library to RFC 5545 (and RFC 5546 for METHOD, RFC 7986 for NAME):

- Events carry the partnership's zone, and the file its VTIMEZONE with the zone's yearly rules
  (RRULE; for Europe/London the last Sundays of March and October at 01:00 UTC), read from the
  zone data rather than written by hand, so a 10:00 meeting shows at 10:00 in any client.
- The UID is stable; SEQUENCE (`Meeting.calendar_sequence`) rises on every change a calendar
  shows (time, place, agenda, cancelling), so clients update the event in place.
- A cancelled meeting's own file is METHOD:CANCEL with STATUS:CANCELLED, which removes it from a
  calendar it was imported into; the feed keeps it, STATUS:CANCELLED.
- Text (titles, places, agendas, people's names) may hold any character a person can type.
"""

from __future__ import annotations

import calendar as month_calendar
import re
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import ClockChange, clock_changes
from storage import meetings as repo
from storage.directory import Person
from storage.meeting_record import matters_arising, records_of

if TYPE_CHECKING:
    from icalendar import Calendar, Event, Timezone

    from storage.meetings import Meeting

PRODID = "-//Learn Sheffield//partnership-bot//EN"
FEED_PAST = timedelta(days=180)  # how far back the personal feed reaches
FEED_REFRESH = timedelta(hours=1)
RULE_YEARS = 20  # how many years of a zone's changes a VTIMEZONE is worked out from  # how often a subscribed client should fetch the feed again
# RFC 5545 3.3.11: TEXT holds no control character but HTAB (a line break is written "\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def ical_text(value: str) -> str:
    """What a person typed, as iCalendar TEXT can hold it: line breaks kept (CRLF and CR become
    one line break), other control characters become spaces, unpaired surrogates (which no
    UTF-8 file can hold) become U+FFFD."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub(" ", value)
    return _SURROGATE.sub("\ufffd", value)


@cache
def _text_type() -> type:
    from icalendar import vText

    class Text(vText):
        """A TEXT value escaped exactly as RFC 5545 3.3.11 says.

        icalendar 7's vText first reads a typed backslash-N as a line break (so `C:\\New`
        would change); this escapes backslash, semicolon, comma and line breaks, once each.
        """

        def to_ical(self) -> bytes:
            escaped = (
                str(self)
                .replace("\\", "\\\\")
                .replace(";", "\\;")
                .replace(",", "\\,")
                .replace("\n", "\\n")
            )
            return escaped.encode(self.encoding)

    return Text


def _text(value: str) -> object:
    """A TEXT property value for icalendar, from what a person typed."""
    return _text_type()(ical_text(value))


def _byday(local: datetime) -> str:
    """`-1SU` for the last Sunday of its month, `2SU` for the second, ..."""
    last = month_calendar.monthrange(local.year, local.month)[1]
    which = -1 if local.day + 7 > last else (local.day - 1) // 7 + 1
    return f"{which}{_WEEKDAYS[local.weekday()]}"


def _rule_key(change: ClockChange) -> tuple[int, str, str]:
    local = change.local_before
    return local.month, _byday(local), f"{local:%H%M%S}"


def vtimezone(tz: ZoneInfo, *, first: date, last: date) -> Timezone:
    """The VTIMEZONE for `tz` covering local dates `first` to `last`.

    Each kind of change (to summer time, to winter time) whose date and time follow one yearly
    rule across the span becomes one sub-component with DTSTART at its first onset, in local
    time as read before it (RFC 5545 3.6.5), and `RRULE:FREQ=YEARLY;BYMONTH=m;BYDAY=-1SU`; a
    kind that does not follow one rule lists its onsets (RDATE). A zone with no change is one
    STANDARD.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", str(tz))
    # from a year before the first event (its rules are in force by then) over at most
    # RULE_YEARS: a yearly rule seen that long goes on (RRULE has no end); an irregular zone's
    # onsets after that are not listed
    start_year = max(first.year - 1, 1)
    end_year = min(last.year, first.year + RULE_YEARS, 9998) + 1
    changes = clock_changes(tz, first=date(start_year, 1, 1), last=date(end_year, 12, 31))
    if not changes:
        at = datetime.combine(first, datetime.min.time()).replace(tzinfo=tz)
        standard = TimezoneStandard()
        standard.add("tzname", at.tzname() or str(tz))
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", at.utcoffset() or timedelta())
        standard.add("tzoffsetto", at.utcoffset() or timedelta())
        zone.add_component(standard)
        return zone
    kinds: dict[tuple[timedelta, timedelta, str], list[ClockChange]] = {}
    for change in changes:
        kinds.setdefault((change.offset_before, change.offset_after, change.name_after), []).append(
            change
        )
    for (before, after, name), onsets in kinds.items():
        summer = bool(onsets[0].at.astimezone(tz).dst())
        part = TimezoneDaylight() if summer else TimezoneStandard()
        part.add("tzname", name)
        part.add("dtstart", onsets[0].local_before)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        if len({_rule_key(c) for c in onsets}) == 1:
            month, byday, _ = _rule_key(onsets[0])
            part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": byday})
        elif len(onsets) > 1:
            part.add("rdate", [c.local_before for c in onsets[1:]])
        zone.add_component(part)
    return zone


def _address(person: Person, *, role: str | None = None):  # type: ignore[no-untyped-def]
    from icalendar import vCalAddress

    address = vCalAddress(f"mailto:{person.email}")
    # icalendar escapes it (RFC 6868); spaces around a parameter value do not survive a
    # calendar's parser, so they are dropped here, and a name of only spaces gives no CN
    name = ical_text(person.name).strip()
    if name:
        address.params["CN"] = name
    if role:
        address.params["ROLE"] = role
    return address


def meeting_event(
    meeting: Meeting,
    tz: ZoneInfo,
    *,
    now: datetime,
    agenda: list[str] | None = None,
    attendee: Person | None = None,
    arising: list[str] | None = None,
    record: list[str] | None = None,
) -> Event:
    """One VEVENT: times in `tz`, CANCELLED when cancelled; the description holds the agenda
    (headed by the matters arising) and the meeting's record (storage.meeting_record).

    DTSTAMP is `now` (when the file is made, as RFC 5545 asks of a file with a METHOD);
    `attendee` is named on a cancellation (RFC 5546 asks a CANCEL to name who it cancels for).
    """
    # icalendar takes about 0.13 s to import: only calendar files need it, not every command
    from icalendar import Event

    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", now)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("sequence", meeting.calendar_sequence)
    event.add("summary", _text(meeting.title))
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    if meeting.organiser is not None and meeting.organiser.email:
        event.add("organizer", _address(meeting.organiser))
    if attendee is not None and attendee.email:
        event.add("attendee", _address(attendee, role="REQ-PARTICIPANT"))
    if meeting.place:
        event.add("location", _text(meeting.place))
    if meeting.link:
        event.add("url", meeting.link)
    lines = [f"{meeting.group.title} (meeting #{meeting.id})"]
    if meeting.link:
        lines.append(f"Online: {meeting.link}")
    if agenda or arising:
        lines.append("Agenda:")
    if arising:
        lines.append("Matters arising (open actions from earlier meetings):")
        lines.extend(f"- {line}" for line in arising)
    if agenda:
        lines.extend(f"{n}. {title}" for n, title in enumerate(agenda, start=1))
    lines.extend(record or [])
    event.add("description", _text("\n".join(lines)))
    return event


def build_calendar(
    meetings: list[tuple[Meeting, list[str]]],
    tz: ZoneInfo,
    *,
    name: str,
    now: datetime,
    method: str = "PUBLISH",
    attendee: Person | None = None,
    notes: dict[int, tuple[list[str], list[str]]] | None = None,
) -> str:
    """A VCALENDAR with one VEVENT per meeting and the VTIMEZONE they need, as text with CRLF
    line ends and lines folded at 75 octets (icalendar does both); `notes` gives a meeting's
    matters arising and record lines by id (`describe`)."""
    from icalendar import Calendar, vDuration  # see meeting_event

    cal: Calendar = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    # RFC 7986's NAME, and the X-WR-CALNAME most clients read (icalendar's calendar_name
    # leaves a semicolon unescaped there)
    cal.add("name", _text(name))
    cal.add("x-wr-calname", _text(name))
    cal.add("x-wr-timezone", str(tz))
    if method == "PUBLISH":
        cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(FEED_REFRESH))
    days = [m.starts_at.astimezone(tz).date() for m, _ in meetings] or [now.astimezone(tz).date()]
    cal.add_component(vtimezone(tz, first=min(days), last=max(days)))
    for meeting, agenda in meetings:
        arising, record = (notes or {}).get(meeting.id, ([], []))
        cal.add_component(
            meeting_event(
                meeting,
                tz,
                now=now,
                agenda=agenda,
                attendee=attendee,
                arising=arising,
                record=record,
            )
        )
    return cal.to_ical().decode("utf-8")


async def describe(
    session: AsyncSession, meetings: list[Meeting], *, tz: ZoneInfo, now: datetime
) -> dict[int, tuple[list[str], list[str]]]:
    """Each meeting's matters arising and record as description lines, batched."""
    today = now.astimezone(tz).date()
    arising = await matters_arising(session, meetings, today=today, now=now)
    records = await records_of(session, meetings, tz=tz, now=now)
    return {m.id: ([a.line() for a in arising[m.id]], records[m.id].lines()) for m in meetings}


async def meeting_ics(
    session: AsyncSession, meeting: Meeting, tz: ZoneInfo, *, now: datetime, person: Person
) -> str:
    """One meeting's calendar file, with its agenda and record, for `person`. A cancelled
    meeting's file cancels it (METHOD:CANCEL) in the calendar it was imported into."""
    agenda = [i.title for i in await repo.agenda_of(session, meeting.id)]
    notes = await describe(session, [meeting], tz=tz, now=now)
    if meeting.cancelled:
        return build_calendar(
            [(meeting, agenda)],
            tz,
            name=meeting.title,
            now=now,
            method="CANCEL",
            attendee=person,
            notes=notes,
        )
    return build_calendar([(meeting, agenda)], tz, name=meeting.title, now=now, notes=notes)


async def personal_feed(
    session: AsyncSession, person: Person, *, now: datetime, tz: ZoneInfo
) -> str:
    """All the person's groups' meetings from six months ago on, cancelled ones included."""
    rows = await repo.feed_for_person(session, person_id=person.id, since=now - FEED_PAST)
    agendas = await repo.agenda_titles(session, [m.id for m in rows])
    items = [(m, agendas[m.id]) for m in rows]
    notes = await describe(session, rows, tz=tz, now=now)
    return build_calendar(
        items, tz, name=f"Partnership meetings ({person.name})", now=now, notes=notes
    )


def feed_url(base: str, token: str) -> str:
    """The feed's address under the bot's public URL `base`."""
    return f"{base.rstrip('/')}/calendar/{token}.ics"
