"""Meetings in chat: the DESIGN.md examples, the card, permissions and bad input."""

from __future__ import annotations

import html
import re

from bot.render.text import render_text
from storage.directory import person_by_email
from tests.conftest import Asker, outbox_rows, web_client

SAM = "sam@learnsheffield.co.uk"  # staff, officer of attendance
JO = "jo@hillside.sch.uk"  # head, member of attendance
PRIYA = "priya@parkwood.sch.uk"
DAN = "dan@sheffield.gov.uk"  # chair of attendance
TOM = "tom@riverside.sch.uk"  # head, not in attendance
ADD = (
    'meeting add "Attendance working group" group:attendance on:"15/12/2023 10:00" '
    'until:12:00 place:"Albion House"'
)


async def test_design_examples_run_as_written(ask: Asker) -> None:
    added = await ask.ok(SAM, ADD)
    assert added.text.startswith("Added meeting #1: Attendance working group")
    assert "Fri 15 Dec 2023, 10:00-12:00" in added.text

    listing = render_text(await ask.ok(JO, "meetings"))
    assert "#1" in listing and "Albion House" in listing

    card = render_text(await ask.ok(JO, "meeting 1"))
    assert "Where: Albion House" in card and "rsvp 1 yes" in card

    assert "attending" in (await ask.ok(JO, "rsvp 1 yes")).text
    assert "Ofsted visit" in (await ask.ok(PRIYA, 'apologies 1 "Ofsted visit"')).text

    moved = await ask.ok(SAM, 'meeting move 1 on:"12/01/2024 10:00"')
    assert "now Fri 12 Jan 2024, 10:00-12:00" in moved.text
    assert "was Fri 15 Dec 2023, 10:00-12:00" in moved.text

    agenda = render_text(
        await ask.ok(JO, 'agenda 1 add "Persistent absence: core cities comparison"')
    )
    assert "1. Persistent absence: core cities comparison" in agenda

    preview = await ask.ok(SAM, 'minutes 1 "ACTION: @jo circulate PA figures by 12/01/2024"')
    assert "nothing is saved until you confirm" in preview.text
    assert "Jo Bloggs: Circulate PA figures, due Fri 12 Jan 2024" in render_text(preview)
    minutes = await ask.ok(SAM, preview.buttons[0].command)  # Save minutes
    assert "Saved minutes for meeting #1" in minutes.text

    organiser_view = render_text(await ask.ok(SAM, "meeting 1"))
    assert "Priya Shah" in organiser_view and "Ofsted visit" in organiser_view
    assert "1 attending, 1 apologies" in organiser_view
    assert "ACTION: @jo circulate" in organiser_view
    member_view = render_text(await ask.ok(JO, "meeting 1"))
    assert "Ofsted visit" not in member_view  # members see counts, not others' reasons
    assert "Your reply: attending" in member_view


async def test_web_chat_card_has_rsvp_buttons_that_work(ask: Asker) -> None:
    """The web chat shows the card; each button posts its command back as the clicker."""
    await ask.ok(SAM, ADD)
    async with ask.ctx.db.session() as session:
        jo = await person_by_email(session, JO)
        assert jo is not None
    async with web_client(ask.ctx) as client:

        async def say(text: str) -> dict:  # type: ignore[type-arg]
            response = await client.post(
                "/api/web/command", json={"person_id": jo.id, "text": text}
            )
            assert response.status == 200
            return await response.json()

        card = await say("meeting 1")
        commands = re.findall(r'data-command="([^"]+)"', card["html"])
        # Apologies asks for a reason first: the button opens the form
        assert commands[:3] == ["rsvp 1 yes", "form apologies 1", "rsvp 1 maybe"]
        assert "Albion House" in card["html"]
        for command in commands:
            assert not (await say(html.unescape(command)))["error"], command
        assert "Your reply: maybe" in (await say("meeting 1"))["text"]


async def test_only_organisers_add_move_and_minute(ask: Asker) -> None:
    denied = await ask(JO, ADD)
    assert denied.error and "chair" in denied.text
    assert "Added meeting #1" in (await ask.ok(DAN, ADD)).text  # the chair may
    assert (await ask(JO, 'meeting move 1 on:"12/01/2024 10:00"')).error
    assert (await ask(JO, 'minutes 1 "Notes"')).error
    assert (await ask(TOM, "rsvp 1 yes")).error  # not in the group
    assert not (await ask(SAM, 'meeting move 1 on:"12/01/2024 10:00"')).error


async def test_someone_who_may_organise_no_meeting_is_refused_before_giving_details(
    ask: Asker,
) -> None:
    """A head who chairs no group is told at once, not asked for a title, group and time first."""
    for text in ("meeting add", 'meeting add "Catch-up"', 'meeting add "X" group:attendance'):
        refused = await ask(JO, text)
        assert refused.error and "chair or officer" in refused.text, text
        assert "title" not in refused.text and "group:" not in refused.text, text
    for may in (DAN, SAM):  # attendance's chair, staff: go on, in the form
        form = (await ask(may, "meeting add")).form
        assert form is not None and [f.name for f in form.fields][:3] == ["title", "group", "on"]
    assert "none scheduled" in (await ask.ok(SAM, "meetings")).text


async def test_bad_dates_are_explained_and_nothing_is_saved(ask: Asker) -> None:
    bad = await ask(SAM, 'meeting add "X" group:attendance on:"31/02/2024 10:00"')
    assert bad.error and "does not exist" in bad.text and "29 days" in bad.text
    backwards = await ask(SAM, 'meeting add "X" group:attendance on:"15/12/2023 10:00" until:09:00')
    assert backwards.error and "until:" in backwards.text
    no_time = await ask(SAM, 'meeting add "X" group:attendance on:15/12/2023')
    assert no_time.error and "time" in no_time.text
    unknown = await ask(SAM, 'meeting add "X" group:atendance on:"15/12/2023 10:00"')
    assert unknown.error and "Did you mean attendance" in unknown.text
    assert "none scheduled" in (await ask.ok(SAM, "meetings")).text


async def test_holidays_and_weekends_need_confirmation_term_words_work(ask: Asker) -> None:
    weekend = await ask(SAM, 'meeting add "X" group:attendance on:"16/12/2023 10:00"')
    assert weekend.error and "Saturday" in weekend.text and "confirm:yes" in weekend.text
    holiday = await ask(SAM, 'meeting add "X" group:attendance on:"27/12/2023 10:00"')
    assert holiday.error and "holidays" in holiday.text
    half_term = await ask(SAM, 'meeting add "X" group:attendance on:"14/02/2024 10:00"')
    assert half_term.error and "half term" in half_term.text
    ok = await ask.ok(SAM, 'meeting add "X" group:attendance on:"27/12/2023 10:00" confirm:yes')
    assert "Added meeting #1" in ok.text
    reply = await ask.ok(SAM, 'meeting add "Wrap-up" group:attendance on:"end of term 14:00"')
    assert "Fri 22 Dec 2023, 14:00" in reply.text  # Sheffield's autumn term ends on a Friday


async def test_cancel_tells_members_at_once(ask: Asker) -> None:
    await ask.ok(SAM, ADD)
    reply = await ask.ok(SAM, 'meeting cancel 1 "Clash with Ofsted briefing"')
    assert "Cancelled meeting #1" in reply.text
    rows = await outbox_rows(ask.ctx, prefix="meeting:1:cancelled:")
    assert len(rows) == 8 and all(r.state == "pending" for r in rows)
    assert (await ask(JO, "rsvp 1 yes")).error
    assert "none scheduled" in (await ask.ok(JO, "meetings")).text


async def test_agenda_papers_and_minutes(ask: Asker) -> None:
    await ask.ok(SAM, ADD)
    await ask.ok(JO, 'agenda 1 add "PA figures" @jo')
    await ask.ok(SAM, 'agenda 1 add "Core cities" owner:@sam')
    listed = render_text(await ask.ok(PRIYA, "agenda 1 list"))
    assert "1. PA figures (Jo Bloggs)" in listed and "2. Core cities (Sam Patel)" in listed
    assert (await ask(PRIYA, "agenda 1 remove 1")).error  # not hers, not an organiser
    await ask.ok(JO, "agenda 1 remove 1")  # her own item
    assert "1. Core cities" in render_text(await ask.ok(PRIYA, "agenda 1"))
    added = await ask.ok(SAM, 'papers 1 add https://example.org/pa.pdf "PA paper"')
    assert "Added paper #1" in added.text
    assert "PA paper: https://example.org/pa.pdf" in render_text(await ask.ok(JO, "meeting 1"))
    none_yet = await ask(JO, "minutes 1")  # an answer, not an error, since 34cb1d0
    assert not none_yet.error and "has no minutes yet" in none_yet.text
    await ask.ok(SAM, 'minutes 1 "Agreed the PA plan." confirm:yes')
    assert "Agreed the PA plan." in render_text(await ask.ok(JO, "minutes 1"))


async def test_repeating_monthly_books_the_same_weekday_slot(ask: Asker) -> None:
    reply = await ask.ok(
        SAM,
        'meeting add "Attendance" group:attendance on:"15/12/2023 10:00" every:month count:4',
    )
    text = render_text(reply)
    # the third Friday of each month; February's falls in half term, so it is not booked
    assert "Fri 19 Jan 2024, 10:00" in text and "Fri 15 Mar 2024, 10:00" in text
    assert "Not booked (school holidays or weekends): Fri 16 Feb 2024" in text
    assert "#3" in text and "#4" not in text


async def test_calendar_gives_the_feed_address(ask: Asker) -> None:
    reply = render_text(await ask.ok(JO, "calendar"))
    assert "/calendar/" in reply and reply.rstrip().endswith(".ics")
    reset = render_text(await ask.ok(JO, "calendar reset"))
    assert reset.split("Feed: ")[1] != reply.split("Feed: ")[1]


def test_move_and_cancel_live_in_their_own_module_in_the_same_order() -> None:
    """Each module of handlers/meetings/ stays under 400 lines; help lists the verbs in order."""
    from pathlib import Path

    from bot.router import build_registry

    registry = build_registry()
    names = [c.name for c in registry.for_topic("meetings")]
    assert names[:5] == ["meeting add", "meetings", "meeting", "meeting move", "meeting cancel"]
    for name in ("meeting move", "meeting cancel"):
        assert registry.commands[name].handler.__module__ == "handlers.meetings.changes"
    package = Path(__file__).parent.parent / "handlers" / "meetings"
    for source in package.glob("*.py"):
        assert len(source.read_text().splitlines()) < 400, source.name


async def test_the_card_offers_what_the_reader_has_not_said(ask: Asker) -> None:
    await ask.ok(SAM, ADD)

    def labels(reply) -> list[str]:  # type: ignore[no-untyped-def]
        return [b.label for b in reply.buttons]

    assert labels(await ask.ok(JO, "meeting 1"))[:3] == ["Attend", "Apologies", "Maybe"]
    await ask.ok(JO, "rsvp 1 yes")
    attending = labels(await ask.ok(JO, "meeting 1"))
    assert "Can't come" in attending and "Attend" not in attending
    await ask.ok(JO, 'apologies 1 "Ofsted are in"')
    away = labels(await ask.ok(JO, "meeting 1"))
    assert "Attend" in away and "Apologies" not in away and "Can't come" not in away
    # a move tells each member with the buttons for what they said
    await ask.ok(SAM, 'meeting move 1 on:"12/01/2024 10:00"')
    moved = {r.target: r.reply for r in await outbox_rows(ask.ctx, prefix="meeting:1:moved:")}
    async with ask.ctx.db.session() as session:
        person = await person_by_email(session, JO)
        assert person is not None
    assert [b.label for b in moved[f"person:{person.id}"].buttons][0] == "Attend"


async def test_a_reason_too_long_for_its_column_is_refused_by_rsvp_and_apologies(
    ask: Asker,
) -> None:
    await ask.ok(SAM, ADD)
    long = "Ofsted " * 100  # 700 characters: the column holds 500
    for text in (f"rsvp 1 no {long}", f'apologies 1 "{long}"'):
        reply = await ask(JO, text)
        assert reply.error and "under 500 characters" in reply.text, text
        assert reply.error_field == "reason"
    assert "Your reply" not in render_text(await ask.ok(JO, "meeting 1"))


async def test_the_holiday_question_offers_the_asker_own_command_to_confirm(ask: Asker) -> None:
    """The example under "Are you sure?" was the command's stock example (another date, moved
    to a school day) with confirm:yes: copied, it booked a meeting on a day nobody asked for."""
    typed = 'meeting add "Wrap-up" group:attendance on:"27/12/2023 10:00"'
    holiday = await ask(SAM, typed)
    assert holiday.error and f"Example: {typed} confirm:yes" in render_text(holiday)
    await ask.ok(SAM, ADD)
    moved = await ask(SAM, 'meeting move 1 on:"16/12/2023 10:00"')
    assert 'Example: meeting move 1 on:"16/12/2023 10:00" confirm:yes' in render_text(moved)
