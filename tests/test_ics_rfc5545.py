"""Calendar files clients import correctly (issue 19): every file the bot makes is read back by
the icalendar library's parser and checked against RFC 5545's rules: CRLF line ends, lines
folded at 75 octets (never inside a UTF-8 character), TEXT escaping, DTSTAMP and UID on every
event, every TZID= naming a VTIMEZONE in the file, and a VTIMEZONE for Europe/London with the
yearly rules. A cancelled meeting's own file is METHOD:CANCEL; SEQUENCE rises on every change.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import update

from bot.app import build_web_app
from bot.reply import File
from storage.directory import Group, Person, person_by_email
from storage.meeting_calendar import build_calendar, ical_text
from storage.meetings import Meeting
from tests.conftest import Asker, london

TZ = ZoneInfo("Europe/London")
SAM = "sam@learnsheffield.co.uk"
JO = "jo@hillside.sch.uk"
TEXT_PROPERTIES = {"SUMMARY", "LOCATION", "DESCRIPTION", "NAME", "X-WR-CALNAME"}
# RFC 5545 3.3.11: a TEXT value is safe characters and the escapes \\ \; \, \n \N
TEXT_VALUE = re.compile(r"(?:[^\\;,\x00-\x08\x0a-\x1f\x7f]|\\[\\;,nN])*")


def unfold(raw: bytes) -> list[str]:
    """RFC 5545 3.1: every line ends CRLF, is at most 75 octets, and a line that starts with a
    space or tab continues the one before. Returns the logical lines."""
    assert raw.endswith(b"\r\n"), "the file ends with CRLF"
    physical = raw[:-2].split(b"\r\n")
    logical: list[bytes] = []
    for line in physical:
        assert b"\r" not in line and b"\n" not in line, f"bare CR or LF in {line!r}"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        if line[:1] in (b" ", b"\t"):
            assert logical, "a continuation line with nothing before it"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]  # a fold never splits a character


def split_line(line: str) -> tuple[str, dict[str, str], str]:
    """A content line -> (NAME, params, value); quoted parameter values may hold ':' and ';'."""
    match = re.match(
        r'([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*):(.*)$',
        line,
    )
    assert match, f"not a content line: {line!r}"
    params = dict(
        (p.split("=", 1)[0].upper(), p.split("=", 1)[1])
        for p in re.findall(r';([A-Za-z0-9-]+=(?:"[^"]*"|[^";:]*))', match[2])
    )
    return match[1].upper(), params, match[3]


def unescape_text(value: str) -> str:
    """RFC 5545 3.3.11 in one left-to-right pass (icalendar's own parser mis-reads a backslash
    before an 'n', so the exact text is checked here)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def check_rfc5545(raw: bytes) -> dict[str, list[tuple[str, dict[str, str], str]]]:
    """Check a whole file; returns each component's properties by component name (VEVENT...)."""
    lines = [split_line(line) for line in unfold(raw)]
    stack: list[tuple[str, list[tuple[str, dict[str, str], str]]]] = []
    found: dict[str, list[tuple[str, dict[str, str], str]]] = {}
    tzids: set[str] = set()
    references: set[str] = set()
    events: list[dict[str, list[str]]] = []
    for name, params, value in lines:
        if name == "BEGIN":
            stack.append((value, []))
            if value == "VEVENT":
                events.append({})
            continue
        if name == "END":
            assert stack and stack[-1][0] == value, f"END:{value} does not close what began"
            found.setdefault(value, []).extend(stack.pop()[1])
            continue
        assert stack, f"{name} outside any component"
        within = stack[-1][0]
        stack[-1][1].append((name, params, value))
        if "TZID" in params:
            references.add(params["TZID"].strip('"'))
        if name == "TZID" and within == "VTIMEZONE":
            tzids.add(value)
        if within == "VEVENT":
            events[-1].setdefault(name, []).append(value)
        if name in TEXT_PROPERTIES:
            assert TEXT_VALUE.fullmatch(value), f"{name} is not escaped TEXT: {value!r}"
    assert not stack, f"unclosed {stack}"
    assert references <= tzids, f"TZID={references - tzids} has no VTIMEZONE"
    for event in events:
        assert len(event.get("UID", [])) == 1 and len(event.get("DTSTAMP", [])) == 1
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"][0]), "DTSTAMP is UTC"
    calendar = Calendar.from_ical(raw)  # and the library reads it
    assert calendar.name == "VCALENDAR"
    return found


def meeting(
    title: str = "Board", *, place: str | None = None, person: str = "Sam Patel"
) -> Meeting:
    """A meeting as the calendar file sees it, not saved."""
    m = Meeting(
        id=7,
        title=title,
        place=place,
        link=None,
        status="scheduled",
        sequence=0,
        calendar_sequence=0,
        starts_at=datetime(2027, 3, 28, 9, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 28, 10, 0, tzinfo=UTC),
        created_at=datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
        updated_at=datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
    )
    m.group = Group(name="board", title="Partnership board")
    m.organiser = Person(name=person, email="sam@learnsheffield.co.uk")
    return m


NOW = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


def test_europe_london_has_the_yearly_rules_at_one_utc() -> None:
    raw = build_calendar([(meeting(), [])], TZ, name="Board", now=NOW).encode()
    parts = check_rfc5545(raw)
    daylight, standard = (
        dict((n, v) for n, _, v in parts["DAYLIGHT"]),
        dict((n, v) for n, _, v in parts["STANDARD"]),
    )
    # last Sunday of March 01:00 GMT (= 01:00 UTC) -> BST; last Sunday of October 02:00 BST
    # (= 01:00 UTC) -> GMT; DTSTART is the local time before the change (RFC 5545 3.6.5)
    assert set(daylight["RRULE"].split(";")) == {"FREQ=YEARLY", "BYMONTH=3", "BYDAY=-1SU"}
    assert daylight["DTSTART"].endswith("T010000")
    assert (daylight["TZOFFSETFROM"], daylight["TZOFFSETTO"], daylight["TZNAME"]) == (
        "+0000",
        "+0100",
        "BST",
    )
    assert set(standard["RRULE"].split(";")) == {"FREQ=YEARLY", "BYMONTH=10", "BYDAY=-1SU"}
    assert standard["DTSTART"].endswith("T020000")
    assert (standard["TZOFFSETFROM"], standard["TZOFFSETTO"], standard["TZNAME"]) == (
        "+0100",
        "+0000",
        "GMT",
    )
    assert "RDATE" not in daylight and "RDATE" not in standard
    # a client reading the VTIMEZONE (icalendar's own) gets zoneinfo's offsets at each change
    (vtz,) = Calendar.from_ical(raw).walk("VTIMEZONE")
    theirs = vtz.to_tz(lookup_tzid=False)
    for at in (
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
        datetime(2027, 10, 31, 1, 0, tzinfo=UTC),
    ):
        for moment in (at - timedelta(seconds=1), at, at + timedelta(hours=12)):
            assert moment.astimezone(theirs).utcoffset() == moment.astimezone(TZ).utcoffset()


def test_a_zone_without_clock_changes_is_one_standard() -> None:
    raw = build_calendar([(meeting(), [])], ZoneInfo("UTC"), name="Board", now=NOW).encode()
    parts = check_rfc5545(raw)
    assert "DAYLIGHT" not in parts
    assert {n for n, _, _ in parts["STANDARD"]} >= {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"}


def test_a_meeting_in_year_9999_beside_one_now_still_makes_a_valid_file() -> None:
    far = meeting("Far")
    far.starts_at = datetime(9999, 12, 30, 9, 0, tzinfo=UTC)
    far.ends_at = datetime(9999, 12, 30, 10, 0, tzinfo=UTC)
    raw = build_calendar([(meeting(), []), (far, [])], TZ, name="x", now=NOW).encode()
    parts = check_rfc5545(raw)
    assert any(n == "RRULE" for n, _, _ in parts["DAYLIGHT"])
    starts = [e.decoded("dtstart") for e in Calendar.from_ical(raw).walk("VEVENT")]
    assert starts[1] == datetime(9999, 12, 30, 9, 0, tzinfo=TZ)


@settings(max_examples=40)  # each example parses a whole file twice; a few seconds in all
@given(
    title=st.text(min_size=1, max_size=120),
    place=st.text(max_size=120),
    person=st.text(min_size=1, max_size=80),
    item=st.text(max_size=200),
)
def test_any_text_a_person_can_type_makes_a_valid_file(
    title: str, place: str, person: str, item: str
) -> None:
    m = meeting(title, place=place or None, person=person)
    raw = build_calendar([(m, [item])], TZ, name=f"Partnership meetings ({person})", now=NOW)
    parts = check_rfc5545(raw.encode("utf-8"))
    props = {n: v for n, _, v in parts["VEVENT"]}
    assert unescape_text(props["SUMMARY"]) == ical_text(title)
    if place:
        assert unescape_text(props["LOCATION"]) == ical_text(place)
    assert unescape_text(props["DESCRIPTION"]).endswith("Agenda:\n1. " + ical_text(item))
    calendar = {n: v for n, _, v in parts["VCALENDAR"]}
    assert unescape_text(calendar["X-WR-CALNAME"]) == ical_text(f"Partnership meetings ({person})")
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    # RFC 6868 ^n, ^' and ^^; spaces around it dropped, none at all for a name of only spaces
    assert event["ORGANIZER"].params.get("CN", "") == ical_text(person).strip()


def test_a_name_of_only_spaces_gives_an_organizer_without_a_name() -> None:
    m = meeting("Board", person="\t")  # found by the property test above: CN=<tab> read as ""
    (event,) = Calendar.from_ical(build_calendar([(m, [])], TZ, name="x", now=NOW)).walk("VEVENT")
    assert "CN" not in event["ORGANIZER"].params
    m = meeting("Board", person=" Jo\tBloggs ")
    (event,) = Calendar.from_ical(build_calendar([(m, [])], TZ, name="x", now=NOW)).walk("VEVENT")
    assert event["ORGANIZER"].params["CN"] == "Jo\tBloggs"


def test_text_keeps_line_breaks_and_typed_backslashes() -> None:
    assert ical_text("a\r\nb\rc\nd\te\x00f\x7f") == "a\nb\nc\nd\te f "
    m = meeting("Line one\nC:\\New folder; a, b", place="Room 1\nAlbion House")
    raw = build_calendar([(m, [])], TZ, name="x", now=NOW)
    assert "SUMMARY:Line one\\nC:\\\\New folder\\; a\\, b\r\n" in raw
    assert "LOCATION:Room 1\\nAlbion House\r\n" in raw


# --- through the commands and the web door, on SQLite and PostgreSQL ---


async def ics_of(ask: Asker, meeting_id: int, *, who: str = JO) -> bytes:
    reply = await ask.ok(who, f"meeting ics {meeting_id}")
    (file,) = [e for e in reply.elements if isinstance(e, File)]
    content = file.content if isinstance(file.content, bytes) else file.content.encode()
    return content


def event_props(raw: bytes) -> dict[str, str]:
    return {n: v for n, _, v in check_rfc5545(raw)["VEVENT"]}


def calendar_props(raw: bytes) -> dict[str, str]:
    return {n: v for n, _, v in check_rfc5545(raw)["VCALENDAR"]}


async def test_sequence_rises_on_every_change_and_a_cancelled_file_cancels(ask: Asker) -> None:
    await ask.ok(SAM, 'meeting add "Attendance" group:attendance on:"15/12/2023 10:00"')
    sequences = [event_props(await ics_of(ask, 1))["SEQUENCE"]]
    await ask.ok(JO, 'agenda 1 add "Persistent absence"')
    sequences.append(event_props(await ics_of(ask, 1))["SEQUENCE"])
    await ask.ok(SAM, 'meeting move 1 on:"14/12/2023 10:00" place:"Albion House"')
    sequences.append(event_props(await ics_of(ask, 1))["SEQUENCE"])
    await ask.ok(SAM, "agenda 1 remove 1")
    sequences.append(event_props(await ics_of(ask, 1))["SEQUENCE"])
    live = await ics_of(ask, 1)
    assert calendar_props(live)["METHOD"] == "PUBLISH"
    assert event_props(live)["STATUS"] == "CONFIRMED"
    await ask.ok(SAM, "meeting cancel 1 confirm:yes")
    told = await ask.ok(JO, "meeting ics 1")
    assert "cancelled: opening this file removes it from your calendar" in told.text
    cancelled = await ics_of(ask, 1)
    sequences.append(event_props(cancelled)["SEQUENCE"])
    assert sequences == ["0", "1", "2", "3", "4"]
    assert calendar_props(cancelled)["METHOD"] == "CANCEL"
    event = event_props(cancelled)
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == "meeting-1@partnership-bot"
    assert event["ORGANIZER"] == "mailto:sam@learnsheffield.co.uk"
    assert event["ATTENDEE"] == f"mailto:{JO}"  # RFC 5546: a CANCEL names whom it is for
    assert event["DTSTAMP"] == "20231201T090000Z"  # when the file was made


async def test_a_line_break_in_a_title_or_a_name_is_kept_not_a_crash(ask: Asker) -> None:
    added = await ask.ok(
        SAM, 'meeting add "Attendance\nworking group" group:attendance on:"15/12/2023 10:00"'
    )
    assert "Attendance\nworking group" in added.text
    raw = await ics_of(ask, 1)
    assert event_props(raw)["SUMMARY"] == "Attendance\\nworking group"
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Attendance\nworking group"
    async with ask.ctx.db.session() as session:
        jo = await person_by_email(session, JO)
        assert jo is not None
        await session.execute(
            update(Person).where(Person.id == jo.id).values(name='Jo "JB"\nBloggs; Head, Y6')
        )
        await session.commit()
        token = jo.calendar_token
    async with TestClient(TestServer(build_web_app(ask.ctx))) as client:
        response = await client.get(f"/calendar/{token}.ics")
        assert response.status == 200
        raw = await response.read()
    props = calendar_props(raw)
    assert (
        unescape_text(props["X-WR-CALNAME"]) == 'Partnership meetings (Jo "JB"\nBloggs; Head, Y6)'
    )
    assert unescape_text(props["NAME"]) == 'Partnership meetings (Jo "JB"\nBloggs; Head, Y6)'
    feed = Calendar.from_ical(raw)
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Attendance\nworking group"]


@pytest.mark.parametrize(
    "day", [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)]
)
async def test_meetings_around_each_clock_change_keep_their_instants(ask: Asker, day: date) -> None:
    """A meeting at 10:00 on the Sunday of each change, and the weekday before and after: the
    file's local times with its own VTIMEZONE give back the stored UTC instants."""
    ask.ctx.clock.set(london(day.year, 1, 4, 9, 0))  # type: ignore[attr-defined]
    for offset in (-3, 0, 3):
        when = day + timedelta(days=offset)
        await ask.ok(
            SAM,
            f'meeting add "Check {offset}" group:attendance on:"{when:%d/%m/%Y} 10:00" confirm:yes',
        )
    async with ask.ctx.db.session() as session:
        jo = await person_by_email(session, JO)
        assert jo is not None
        token = jo.calendar_token
    async with TestClient(TestServer(build_web_app(ask.ctx))) as client:
        raw = await (await client.get(f"/calendar/{token}.ics")).read()
    check_rfc5545(raw)
    feed = Calendar.from_ical(raw)
    (vtz,) = feed.walk("VTIMEZONE")
    theirs = vtz.to_tz(lookup_tzid=False)
    for event in feed.walk("VEVENT"):
        local = event.decoded("dtstart").replace(tzinfo=None)
        assert (local.hour, local.minute) == (10, 0)
        assert local.replace(tzinfo=theirs).astimezone(UTC) == local.replace(tzinfo=TZ).astimezone(
            UTC
        )
