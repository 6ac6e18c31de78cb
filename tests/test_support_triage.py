"""Triage: the queue, status changes told to the requester, the audit trail, ack targets."""

from __future__ import annotations

from datetime import UTC

import holidays
import pytest

from bot.render.text import render_text
from bot.reply import Actions, Reply
from bot.settings import SettingsError, load_settings
from bot.terms import parse_office_hours
from storage import support as repo
from tests.conftest import LONDON, Asker, london, outbox_rows, run_tick
from tests.test_support import CRISIS, JO, OMAR, PRIYA, SAM, person_id

STELLA = "stella@learnsheffield.co.uk"


def _bank_holidays_between(first, last) -> set:  # type: ignore[no-untyped-def]
    found = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 1))
    return {d for d in found if first <= d <= last}


@pytest.mark.parametrize(
    ("raised", "hours", "closure", "due"),
    [
        (london(2023, 12, 1, 17, 30), 2, "", london(2023, 12, 4, 9, 30)),  # Friday evening
        (london(2023, 12, 1, 9, 0), 2, "", london(2023, 12, 1, 11, 0)),
        (london(2023, 12, 2, 11, 0), 2, "", london(2023, 12, 4, 10, 0)),  # Saturday
        (london(2023, 12, 1, 6, 0), 2, "", london(2023, 12, 1, 10, 0)),  # before opening
        (london(2023, 12, 1, 17, 30), 20, "", london(2023, 12, 5, 17, 30)),  # two working days
        # Learn Sheffield works in the school holidays: Mon 21 Dec 2026 is a working day
        (london(2026, 12, 21, 10, 0), 2, "", london(2026, 12, 21, 12, 0)),
        # the last school day of 2023: Christmas Day and Boxing Day are bank holidays
        (london(2023, 12, 22, 17, 0), 2, "", london(2023, 12, 27, 9, 0)),
        # with the office closed 24/12-01/01 the same request waits for Tue 2 Jan
        (london(2023, 12, 22, 17, 0), 2, "24/12-01/01", london(2024, 1, 2, 9, 0)),
        (london(2026, 12, 23, 17, 30), 2, "24/12-01/01", london(2027, 1, 4, 9, 30)),
    ],
)
def test_working_hours(raised, hours, closure, due) -> None:  # type: ignore[no-untyped-def]
    office = parse_office_hours("08:00-18:00", closure)
    got = repo.add_working_hours(raised, hours, office=office, tz=LONDON)
    assert got == due.astimezone(UTC)
    # the library's bank holidays between the two are skipped, never counted as open
    skipped = _bank_holidays_between(raised.date(), due.date())
    assert not any(office.is_open_day(d) for d in skipped)


def test_office_hours_and_closure_are_settings() -> None:
    settings = load_settings(None, support_office_hours="09:00-17:00")
    assert settings.office.hours_per_day == 8
    assert repo.ack_hours("other", crisis_hours=2, other_days=2, office=settings.office) == 16
    with pytest.raises(SettingsError, match="SUPPORT_OFFICE_HOURS.*08:00-18:00"):
        load_settings(None, support_office_hours="9 to 5")
    with pytest.raises(SettingsError, match="SUPPORT_OFFICE_CLOSURE.*24/12-01/01"):
        load_settings(None, support_office_closure="christmas")


async def test_crisis_at_1730_friday_breaches_at_0930_monday_once(ask: Asker) -> None:
    ctx = ask.ctx
    ctx.clock.set(london(2023, 12, 1, 17, 30))  # type: ignore[attr-defined]
    await ask.ok(JO, CRISIS)
    await run_tick(ctx, london(2023, 12, 1, 19, 30))  # two wall-clock hours later
    await run_tick(ctx, london(2023, 12, 4, 9, 29))
    assert await outbox_rows(ctx, prefix="support:1:breach") == []
    result = await run_tick(ctx, london(2023, 12, 4, 9, 30))
    assert result.planned["support"] == 1
    [breach] = await outbox_rows(ctx, prefix="support:1:breach")
    assert breach.key == "support:1:breach:ack"
    assert breach.target == f"person:{await person_id(ask, SAM)}"  # the triage group's chair
    assert breach.state == "sent"
    assert "missed its acknowledgement target" in breach.text
    for hour in (10, 12, 16):
        again = await run_tick(ctx, london(2023, 12, 4, hour, 0))
        assert again.planned["support"] == 0
    assert len(await outbox_rows(ctx, prefix="support:1:breach")) == 1


async def test_acknowledged_in_time_never_escalates(ask: Asker) -> None:
    ctx = ask.ctx
    ctx.clock.set(london(2023, 12, 1, 17, 30))  # type: ignore[attr-defined]
    await ask.ok(JO, CRISIS)
    ctx.clock.set(london(2023, 12, 4, 8, 15))  # type: ignore[attr-defined]
    await ask.ok(SAM, "triage ack 1")
    await run_tick(ctx, london(2023, 12, 6, 9, 0))
    assert await outbox_rows(ctx, prefix="support:1:breach") == []


async def test_consultancy_gets_two_working_days(ask: Asker) -> None:
    ctx = ask.ctx
    ctx.clock.set(london(2023, 12, 1, 17, 30))  # type: ignore[attr-defined]
    reply = await ask.ok(PRIYA, 'support consultancy "Curriculum review"')
    assert "Tue 5 Dec 2023, 17:30" in render_text(reply)
    await run_tick(ctx, london(2023, 12, 5, 17, 29))
    assert await outbox_rows(ctx, prefix="support:1:breach") == []
    await run_tick(ctx, london(2023, 12, 5, 17, 31))
    assert len(await outbox_rows(ctx, prefix="support:1:breach")) == 1


async def test_queue_is_most_urgent_first_kind_then_target_then_age(ask: Asker) -> None:
    ctx = ask.ctx
    await ask.ok(PRIYA, 'support consultancy "Curriculum review" urgency:"this half term"')
    ctx.clock.set(london(2023, 12, 1, 10, 0))  # type: ignore[attr-defined]
    await ask.ok(OMAR, 'support advocacy "Complaint" urgency:"today"')
    await ask.ok(JO, CRISIS)  # #3, due 12:00
    ctx.clock.set(london(2023, 12, 1, 10, 30))  # type: ignore[attr-defined]
    await ask.ok(PRIYA, 'support crisis "Flood in the hall"')  # #4, due 12:30
    await ask.ok(SAM, "triage ack 3")  # acknowledged: its target is met
    text = render_text(await ask.ok(SAM, "triage"))
    assert "4 open support requests, most urgent first" in text
    order = [line.split()[0] for line in text.splitlines() if line.startswith("#")]
    # crises first (the one still to acknowledge before the acknowledged one), then the
    # others by target: the consultancy raised first is due first, whatever the urgency says
    assert order == ["#", "#4", "#3", "#1", "#2"]
    assert "due in 2h" in text
    # each row's next steps as buttons, in the queue's order; no Acknowledge once acknowledged
    rows = [
        [b.command for b in a.buttons]
        for a in (await ask.ok(SAM, "triage")).elements
        if isinstance(a, Actions)
        and a.buttons[0].command.startswith("triage ")
        and a.buttons[0].label.startswith("Open")
    ]
    assert rows[0] == ["triage 4", "triage ack 4", "triage assign 4"]
    assert rows[1] == ["triage 3", "triage assign 3"]
    assert len(rows) == 4
    await ask.ok(SAM, 'triage resolve 3 "Adviser visited"')
    assert "#3" not in render_text(await ask.ok(SAM, "triage"))


async def test_a_request_card_offers_only_what_its_state_allows(ask: Asker) -> None:
    await ask.ok(JO, CRISIS)

    def commands(reply: Reply) -> list[str]:
        return [b.command for b in reply.buttons]

    new = commands(await ask.ok(SAM, "triage 1"))
    assert "triage ack 1" in new and "triage reopen 1" not in new
    assert all('"' not in c for c in new)  # no button carries a made-up note ("Done")
    await ask.ok(SAM, "triage ack 1")
    acked = commands(await ask.ok(SAM, "triage 1"))
    assert "triage ack 1" not in acked and "triage resolve 1" in acked
    # resolving asks for what was done; the school is never told a placeholder
    bare = await ask(SAM, "triage resolve 1")  # the form, asking for the note
    assert not bare.error and bare.form is not None
    assert [f.name for f in bare.form.shown_fields] == ["note"]
    assert "Status: acknowledged" in render_text(await ask.ok(JO, "support 1"))
    await ask.ok(SAM, 'triage resolve 1 "Adviser visited"')
    assert commands(await ask.ok(SAM, "triage 1")) == ["triage reopen 1"]
    school_view = commands(await ask.ok(JO, "support 1"))
    assert not any(c.startswith("triage") for c in school_view)


async def test_staff_reclassify_a_request_and_its_target_follows(ask: Asker) -> None:
    ctx = ask.ctx
    ctx.clock.set(london(2023, 12, 1, 9, 0))  # type: ignore[attr-defined]
    await ask.ok(JO, 'support crisis "Where is the guidance on exclusions?"')
    assert "Fri 1 Dec 2023, 11:00" in render_text(await ask.ok(SAM, "triage 1"))
    refused = await ask(JO, "triage kind 1 signposting")
    assert refused.error  # staff only
    bad = await ask(SAM, "triage kind 1 urgent")
    assert bad.error and "crisis, consultancy, advocacy, brokerage, signposting" in bad.text
    done = await ask.ok(SAM, "triage kind 1 signposting")
    assert "reclassified from crisis to signposting" in done.text
    # two working days from when it was raised, not two hours
    assert "Acknowledge by Tue 5 Dec 2023, 09:00" in done.text
    card = render_text(await ask.ok(SAM, "triage 1"))
    assert "Support request #1: signposting" in card
    assert "Entitlement: universal offer (any school)" in card
    assert "reclassified" in card and "from crisis to signposting" in card  # audited
    jo = await person_id(ask, JO)
    told = [
        r.text
        for r in await outbox_rows(ctx, prefix="support:1:status")
        if r.target == f"person:{jo}"
    ]
    assert any("is now treated as signposting" in t for t in told)
    async with ctx.db.session() as session:
        request = await repo.get_request(session, 1)
        assert request is not None and request.kind == "signposting"


async def test_status_changes_are_told_to_the_requester_and_audited(ask: Asker) -> None:
    ctx = ask.ctx
    await ask.ok(JO, CRISIS)
    not_staff = await ask(SAM, "triage assign 1 @omar")
    assert not_staff.error and "Learn Sheffield staff" in not_staff.text
    to_whom = await ask(SAM, "triage assign 1")  # asks, listing Learn Sheffield staff
    assert to_whom.form is not None and "Still needed: To" in to_whom.text
    staff = {f.name: f for f in to_whom.form.fields}["to"].options
    assert "stella@learnsheffield.co.uk" in staff and JO not in staff
    ctx.clock.set(london(2023, 12, 1, 9, 20))  # type: ignore[attr-defined]
    assert "acknowledged" in (await ask.ok(SAM, "triage ack 1")).text
    assigned = await ask.ok(SAM, "triage assign 1 @stella")
    assert "assigned to Stella Barnes" in assigned.text
    ctx.clock.set(london(2023, 12, 1, 14, 0))  # type: ignore[attr-defined]
    await ask.ok(STELLA, 'triage resolve 1 "Adviser visited"')
    jo = await person_id(ask, JO)
    told = [
        r for r in await outbox_rows(ctx, prefix="support:1:status") if r.target == f"person:{jo}"
    ]
    assert [r.text.splitlines()[0] for r in told] == [
        "Your support request #1 (crisis) has been acknowledged by Sam Patel.",
        "Your support request #1 (crisis) is now with Stella Barnes.",
        "Your support request #1 (crisis) has been resolved by Stella Barnes.",
    ]
    assert "Note: Adviser visited" in told[-1].text
    stella = await person_id(ask, STELLA)
    [to_stella] = await outbox_rows(ctx, prefix="support:1:assigned")
    assert to_stella.target == f"person:{stella}"
    trail = render_text(await ask.ok(SAM, "triage 1"))
    assert "Fri 1 Dec 2023, 09:20  Sam Patel" in trail
    assert "assigned" in trail and "to Stella Barnes" in trail
    history = [" ".join(line.split()) for line in trail.split("History", 1)[1].splitlines()]
    assert "Fri 1 Dec 2023, 14:00 Stella Barnes resolved Adviser visited" in history
    requester_view = render_text(await ask.ok(JO, "support 1"))
    assert "Status: resolved" in requester_view and "Adviser visited" in requester_view


async def test_reopen_escalate_and_signpost(ask: Asker) -> None:
    await ask.ok(OMAR, 'support consultancy "Restructure advice"')
    await ask.ok(SAM, 'triage signpost 1 "LA HR advisory service"')
    assert (await ask(SAM, "triage escalate 1")).error  # closed
    assert (await ask(SAM, "triage reopen 1")).text.startswith("Support request #1 reopened")
    assert (await ask(SAM, "triage reopen 1")).error  # already open
    await ask.ok(SAM, 'triage escalate 1 "Needs a senior adviser"')
    [lead] = await outbox_rows(ask.ctx, prefix="support:1:escalate:")
    assert lead.target == f"person:{await person_id(ask, SAM)}"
    assert "Needs a senior adviser" in lead.text
    await ask.ok(SAM, 'triage resolve 1 "Quote sent"')
    async with ask.ctx.db.session() as session:
        events = await repo.events_of(session, 1)
    assert [e.action for e in events] == [
        "raised",
        "signposted",
        "reopened",
        "escalated",
        "resolved",
    ]


async def test_stats_by_kind_status_and_times(ask: Asker) -> None:
    ctx = ask.ctx
    await ask.ok(JO, CRISIS)  # Fri 09:00, due 11:00
    await ask.ok(PRIYA, 'support consultancy "Curriculum review"')
    ctx.clock.set(london(2023, 12, 1, 10, 0))  # type: ignore[attr-defined]
    await ask.ok(SAM, "triage ack 1")
    ctx.clock.set(london(2023, 12, 1, 13, 0))  # type: ignore[attr-defined]
    await ask.ok(SAM, 'triage resolve 1 "Adviser visited"')
    ctx.clock.set(london(2023, 12, 6, 9, 0))  # type: ignore[attr-defined]
    text = render_text(await ask.ok(SAM, "triage stats"))
    assert "Autumn" in text and "2023/24" in text
    rows = {" ".join(p[:-2]): p[-2:] for p in (ln.split() for ln in text.splitlines()) if p}
    assert rows["requests"] == ["2", "2"]  # this term, this year
    assert rows["crisis"] == ["1", "1"] and rows["consultancy"] == ["1", "1"]
    assert rows["resolved"] == ["1", "1"] and rows["new"] == ["1", "1"]
    assert rows["median time to acknowledge"] == ["1h", "1h"]
    assert rows["median time to close"] == ["4h", "4h"]
    assert rows["acknowledgement targets missed"] == ["1", "1"]  # the consultancy


async def test_demo_history_makes_the_design_example_number_12(ask: Asker) -> None:
    from bot.demo.support import support_history

    ctx = ask.ctx
    async with ctx.db.session() as session:
        assert "11 support requests" in await support_history(session, ctx.clock.now())
    assert (await ask.ok(JO, CRISIS)).text.startswith("Support request #12 received")
    for command in (
        "triage ack 12",
        "triage assign 12 @sam",
        'triage resolve 12 "Adviser visited"',
    ):
        await ask.ok(SAM, command)
    assert "Hillside Primary" in (await ask.ok(SAM, 'entitlement org:"Hillside Primary"')).text
    assert "#12" in render_text(await ask.ok(JO, "support mine"))
    stats = render_text(await ask.ok(SAM, "triage stats"))
    assert "median time to close" in stats
    result = await run_tick(ctx, london(2023, 12, 1, 9, 5))
    assert result.planned["support"] == 0  # the history is all acknowledged: nothing to escalate


async def test_a_crisis_out_of_hours_says_what_happens_until_the_office_opens(
    ask: Asker,
) -> None:
    """Raised at 19:00 on Christmas Eve 2026: Christmas Day, the weekend and the Boxing Day
    bank holiday (Mon 28 Dec, from the library) pass before the office opens on Tue 29 Dec."""
    ctx = ask.ctx
    ctx.clock.set(london(2026, 12, 24, 19, 0))  # type: ignore[attr-defined]
    reply = render_text(await ask.ok(JO, CRISIS))
    assert "Acknowledged by: Tue 29 Dec 2026, 10:00 (target: 2 working hours" in reply
    assert "working time is 08:00-18:00 on weekdays that are not bank holidays" in reply
    assert "Out of hours: Learn Sheffield's office is closed now" in reply
    assert "when the office opens, Tue 29 Dec 2026, 08:00" in reply
    assert "the 2-hour target counts from then" in reply
    assert "If anyone is in danger now, call 999" in reply
    [post] = await outbox_rows(ctx, prefix="support:1:new")
    assert "Out of hours: raised out of hours (Thu 24 Dec 2026, 19:00)" in post.text
    assert "the target counts from Tue 29 Dec 2026, 08:00, when the office opens" in post.text
    assert "told to call 999" in post.text


async def test_out_of_hours_is_said_only_out_of_hours_and_999_only_for_a_crisis(
    ask: Asker,
) -> None:
    ctx = ask.ctx
    ctx.clock.set(london(2026, 12, 21, 10, 0))  # a school holiday, but a working day
    in_hours = render_text(await ask.ok(JO, CRISIS))
    assert "Out of hours" not in in_hours and "Mon 21 Dec 2026, 12:00" in in_hours
    [post] = await outbox_rows(ctx, prefix="support:1:new")
    assert "Out of hours" not in post.text
    ctx.clock.set(london(2026, 12, 19, 11, 0))  # Saturday
    weekend = render_text(await ask.ok(PRIYA, 'support consultancy "Curriculum review"'))
    assert "when the office opens, Mon 21 Dec 2026, 08:00" in weekend
    assert "999" not in weekend
