"""Calendar files: one meeting's .ics and the personal feed parse back to the same instants."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from bot.app import build_web_app
from bot.reply import File
from storage.directory import person_by_email
from tests.conftest import Asker, london

SAM = "sam@learnsheffield.co.uk"
JO = "jo@hillside.sch.uk"
LONDON = ZoneInfo("Europe/London")


async def ics_of(ask: Asker, meeting_id: int) -> Calendar:
    reply = await ask.ok(JO, f"meeting ics {meeting_id}")
    (file,) = [e for e in reply.elements if isinstance(e, File)]
    assert file.name == f"meeting-{meeting_id}.ics" and file.mime == "text/calendar"
    return Calendar.from_ical(file.content)


async def test_meeting_ics_round_trips_across_the_clock_change(ask: Asker) -> None:
    ask.ctx.clock.set(london(2023, 9, 20, 9, 0))  # type: ignore[attr-defined]
    await ask.ok(
        SAM,
        'meeting add "Attendance" group:attendance on:"03/11/2023 10:00" until:12:00 '
        'place:"Albion House" confirm:yes',
    )
    cal = await ics_of(ask, 1)
    (event,) = cal.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == london(2023, 11, 3, 10, 0)
    assert (start.hour, start.minute) == (10, 0)  # shows 10:00 local
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event.decoded("dtend") == london(2023, 11, 3, 12, 0)
    assert str(event["uid"]) == "meeting-1@partnership-bot"
    assert event.decoded("sequence") == 0 and str(event["status"]) == "CONFIRMED"
    assert str(event["location"]) == "Albion House"
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["tzid"]) == "Europe/London"
    assert {c.name for c in tz.subcomponents} >= {"STANDARD", "DAYLIGHT"}

    await ask.ok(SAM, 'meeting move 1 on:"10/11/2023 10:00"')
    (moved,) = (await ics_of(ask, 1)).walk("VEVENT")
    assert str(moved["uid"]) == "meeting-1@partnership-bot"
    assert moved.decoded("sequence") == 1
    assert moved.decoded("dtstart") == london(2023, 11, 10, 10, 0)

    await ask.ok(SAM, "meeting cancel 1 confirm:yes")
    (cancelled,) = (await ics_of(ask, 1)).walk("VEVENT")
    assert str(cancelled["status"]) == "CANCELLED" and cancelled.decoded("sequence") == 2


async def test_personal_feed_lists_my_groups_meetings(ask: Asker) -> None:
    await ask.ok(SAM, 'meeting add "Attendance" group:attendance on:"15/12/2023 10:00"')
    await ask.ok(SAM, 'meeting add "Inclusion" group:inclusion on:"14/12/2023 10:00"')
    await ask.ok(
        "stella@learnsheffield.co.uk", 'meeting add "Design" group:design on:"13/12/2023 14:00"'
    )
    await ask.ok(SAM, "meeting cancel 3 confirm:yes")
    async with ask.ctx.db.session() as session:
        jo = await person_by_email(session, JO)
        assert jo is not None
        token = jo.calendar_token
    app = build_web_app(ask.ctx)
    async with TestClient(TestServer(app)) as client:
        response = await client.get(f"/calendar/{token}.ics")
        assert response.status == 200
        assert response.content_type == "text/calendar"
        cal = Calendar.from_ical(await response.text())
        missing = await client.get("/calendar/not-a-token.ics")
        assert missing.status == 404
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Attendance", "Design"}  # Jo is not in inclusion
    assert str(events["Design"]["status"]) == "CANCELLED"
    assert events["Attendance"].decoded("dtstart") == datetime(2023, 12, 15, 10, tzinfo=LONDON)
    assert len(cal.walk("VTIMEZONE")) == 1
