"""The record of a meeting over a whole termly cycle of one sub-group, through the router:
the meeting, attendance from the replies corrected by the organiser, minutes previewed and
confirmed, the next meeting's agenda headed by the matters arising, the minutes approved there;
all of it on the meeting card and in the calendar file's description."""

from __future__ import annotations

from icalendar import Calendar

from bot.render.text import render_text
from tests.conftest import Asker, london, outbox_rows, run_tick

SAM = "sam@learnsheffield.co.uk"  # the attendance sub-group's officer, who organises
DAN = "dan@sheffield.gov.uk"  # its chair
JO, PRIYA, HELEN = "jo@hillside.sch.uk", "priya@parkwood.sch.uk", "helen@steelcity.sch.uk"


def description(ics: str) -> str:
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    return str(event.get("description"))


async def test_a_termly_cycle_of_the_attendance_sub_group(ask: Asker) -> None:
    clock = ask.ctx.clock
    clock.set(london(2023, 11, 20, 9, 0))  # type: ignore[attr-defined]
    await ask.ok(
        SAM,
        'meeting add "Attendance sub-group (autumn)" group:attendance on:"30/11/2023 10:00" '
        'until:12:00 place:"Albion House"',
    )
    await ask.ok(
        SAM,
        'meeting add "Attendance sub-group (spring)" group:attendance on:"18/01/2024 10:00" '
        'until:12:00 place:"Albion House"',
    )
    await ask.ok(JO, "rsvp 1 yes")
    await ask.ok(HELEN, "rsvp 1 yes")
    await ask.ok(PRIYA, 'apologies 1 "Ofsted are in"')
    early = await ask("sam@learnsheffield.co.uk", "meeting record 1 present:@jo")
    assert early.error and "has not happened yet" in early.text

    # after the meeting: the replies stand in until the organiser records who really came
    clock.set(london(2023, 11, 30, 12, 30))  # type: ignore[attr-defined]
    from_replies = render_text(await ask.ok(SAM, "meeting record 1"))
    assert "attendance (from the replies, not yet recorded)" in from_replies
    assert "Present: Helen Wright, Jo Bloggs" in from_replies
    assert "Apologies: Priya Shah" in from_replies
    refused = await ask(JO, "meeting record 1 absent:@helen")
    assert refused.error and "chair or officer" in refused.text
    recorded = await ask.ok(
        SAM,
        'meeting record 1 present:@dan,@sam absent:@helen guests:"Ben Bryant (ISOS)" notes:@sam',
    )
    text = render_text(recorded)
    assert "Present: Dan Cooper, Jo Bloggs, Sam Patel, Ben Bryant (ISOS) (guest)" in text
    assert (
        "Apologies: Priya Shah" in text and "Absent: Chris Lee, Grace Okafor, Helen Wright" in text
    )
    assert "Notes: Sam Patel" in text
    guest = render_text(await ask.ok(SAM, 'minutes 1 "BB to share the ISOS slides by Friday"'))
    assert "BB is Ben Bryant (ISOS), a guest at the meeting and not in the directory" in guest
    clash = await ask(SAM, "meeting record 1 present:@omar absent:@omar")
    assert clash.error and "both present and absent" in clash.text

    # minutes: previewed, nothing saved, then confirmed
    minutes = (
        "Attendance: core cities comparison discussed.\n"
        "Actions agreed:\n"
        "- DC/JB: draft the letter to heads (end of Dec)\n"
        "- Priya to share the Parkwood case study ahead of the next meeting\n"
        "Helen will check the DfE return dates."
    )
    preview = await ask.ok(SAM, f'minutes 1 "{minutes}"')
    shown = render_text(preview)
    assert "nothing is saved until you confirm" in preview.text
    assert "Will create 4 actions" in shown
    # a due date when the owner's school is closed is said before anything is saved
    assert (
        "Line 3: Dan Cooper: Draft the letter to heads, due Sun 31 Dec 2023 (end of Dec) "
        "Note: Sun 31 Dec 2023 is a Sunday, when schools are closed." in shown
    )
    assert "Line 4: Priya Shah: Share the Parkwood case study, due Wed 17 Jan 2024" in shown
    assert "Line 5: Helen Wright: Check the DfE return dates, due Thu 14 Dec 2023 (no date" in shown
    assert "no minutes yet" in (await ask(JO, "minutes 1")).text
    saved = render_text(await ask.ok(SAM, preview.buttons[0].command))
    assert "Actions created (4)" in saved
    assert "action #1: Dan Cooper: Draft the letter to heads (due Sun 31 Dec 2023)" in saved
    assert "action #2: Jo Bloggs: Draft the letter to heads (due Sun 31 Dec 2023)" in saved

    card = render_text(await ask.ok(JO, "meeting 1"))
    assert "Record\nPresent: Dan Cooper, Jo Bloggs, Sam Patel, Ben Bryant (ISOS) (guest)" in card
    assert "Minutes: recorded, to be approved at the group's next meeting" in card
    ics = description((await ask.ok(JO, "meeting ics 1")).elements[0].content)  # type: ignore[union-attr]
    assert "Present: Dan Cooper, Jo Bloggs, Sam Patel, Ben Bryant (ISOS) (guest)" in ics
    assert "Apologies: Priya Shah" in ics and "Notes: Sam Patel" in ics

    # in January Jo does her part; the spring meeting's agenda starts with what is still open
    clock.set(london(2024, 1, 10, 9, 0))  # type: ignore[attr-defined]
    await ask.ok(JO, "action done 2")
    await ask.ok(DAN, 'agenda 2 add "Persistent absence: core cities comparison"')
    agenda = render_text(await ask.ok(PRIYA, "agenda 2"))
    assert agenda.index("Minutes of meeting #1") < agenda.index("Matters arising")
    assert agenda.index("Matters arising") < agenda.index("1. Persistent absence")
    assert (
        "- Action #1 (Dan Cooper, from meeting #1): Draft the letter to heads: overdue 10 days"
        in agenda
    )
    assert (
        "- Action #3 (Priya Shah, from meeting #1): Share the Parkwood case study: open" in agenda
    )
    assert (
        "- Action #4 (Helen Wright, from meeting #1): Check the DfE return dates: overdue 27 days"
        in agenda
    )
    assert "Action #2 " not in agenda  # done: not a matter arising
    spring_ics = description((await ask.ok(JO, "meeting ics 2")).elements[0].content)  # type: ignore[union-attr]
    assert "Matters arising (open actions from earlier meetings):\n- Action #4" in spring_ics
    assert "Persistent absence: core cities comparison" in spring_ics

    # a week ahead, each member's reminder carries the matters arising too
    await run_tick(ask.ctx, london(2024, 1, 11, 10, 0))
    reminders = await outbox_rows(ask.ctx, prefix="meeting:2:remind:P7D")
    assert reminders and all(
        "Matters arising: Action #4 (Helen Wright" in r.text for r in reminders
    )

    # the minutes are approved at the spring meeting, not before
    early_approval = await ask(DAN, "minutes 1 approve")
    assert early_approval.error and "Approve them then" in early_approval.text
    clock.set(london(2024, 1, 18, 10, 20))  # type: ignore[attr-defined]
    assert (await ask(JO, "minutes 1 approve")).error  # a member does not approve
    approved = await ask.ok(DAN, "minutes 1 approve")
    assert "approved at meeting #2 (Thu 18 Jan 2024)" in approved.text
    assert "Minutes: approved at meeting #2 (Thu 18 Jan 2024)" in render_text(
        await ask.ok(JO, "meeting 1")
    )
    assert "approved at meeting #2" in description(
        (await ask.ok(JO, "meeting ics 1")).elements[0].content  # type: ignore[union-attr]
    )
    assert "Minutes of meeting #1" not in render_text(await ask.ok(JO, "agenda 2"))
    assert (await ask(DAN, "minutes 1 approve")).error  # once
    audit = render_text(await ask.ok("alex@learnsheffield.co.uk", "audit meeting 1"))
    assert "meeting record" in audit and "minutes" in audit
