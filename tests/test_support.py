"""Support requests: intake, entitlement, what each person may see, bad input, no leaks."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from bot.render.text import render_text
from bot.reply import Reply
from storage import support as repo
from storage.directory import person_by_email
from storage.outbox import OutboxMessage
from storage.support import SupportRequest
from tests.conftest import Asker, london, outbox_rows, run_tick
from tests.test_adaptivecards import walk

JO = "jo@hillside.sch.uk"  # head, Hillside Primary (subscriber, green)
AMY = "amy@hillside.sch.uk"  # member, Hillside Primary
OMAR = "omar@meadowbank.sch.uk"  # head, Meadowbank Primary (not a subscriber, amber)
PRIYA = "priya@parkwood.sch.uk"  # head, Parkwood Academy (subscriber, yellow)
SAM = "sam@learnsheffield.co.uk"  # staff, chair of the triage group
CRISIS = 'support crisis "Head unexpectedly absent; interim leadership advice needed today"'
SECRET = "Head unexpectedly absent; interim leadership advice needed today"


async def count_requests(ask: Asker) -> int:
    async with ask.ctx.db.session() as session:
        return int(await session.scalar(select(func.count(SupportRequest.id))) or 0)


async def person_id(ask: Asker, email: str) -> int:
    from storage.directory import person_by_email

    async with ask.ctx.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None
        return person.id


# --- entitlement --------------------------------------------------------------------------

ENTITLEMENT = [
    # subscriber, kind -> offer (category never changes what kind of help is offered)
    (True, "crisis", repo.SUBSCRIBER),
    (True, "consultancy", repo.SUBSCRIBER),
    (True, "advocacy", repo.SUBSCRIBER),
    (True, "brokerage", repo.SUBSCRIBER),
    (True, "signposting", repo.UNIVERSAL),
    (False, "crisis", repo.SIGNPOSTING),
    (False, "consultancy", repo.SIGNPOST_QUOTE),
    (False, "advocacy", repo.SIGNPOSTING),
    (False, "brokerage", repo.SIGNPOSTING),
    (False, "signposting", repo.UNIVERSAL),
]
SAFETY_NET = {None: 0, "green": 0, "yellow": 1, "amber": 2, "red": 3}


@pytest.mark.parametrize("category", list(SAFETY_NET))
@pytest.mark.parametrize(("subscriber", "kind", "offer"), ENTITLEMENT)
def test_entitlement_table(subscriber: bool, kind: str, offer: str, category: str | None) -> None:
    assert repo.offer_for(subscriber=subscriber, kind=kind) == offer
    days = repo.safety_net_days(subscriber=subscriber, category=category)
    assert days == (SAFETY_NET[category] if subscriber else 0)


async def test_each_request_records_the_entitlement(ask: Asker) -> None:
    cases = [
        (JO, "crisis", "included in your subscription"),
        (PRIYA, "brokerage", "included in your subscription"),
        (OMAR, "consultancy", "we will point you to help or quote for the work"),
        (OMAR, "crisis", "we will point you to the right help (you do not subscribe)"),
        (OMAR, "signposting", "open to every school"),
    ]
    staff_words = ["subscriber: included", "subscriber: included"]
    staff_words += ["not a subscriber: signpost or quote", "not a subscriber: signposting only"]
    staff_words += ["universal offer (any school)"]
    for number, (email, kind, offer) in enumerate(cases, start=1):
        reply = await ask.ok(email, f'support {kind} "We need some help"')
        assert f"Entitlement: {offer}" in render_text(reply), (email, kind)
        assert f"#{number} received" in reply.text
        # staff read the rule that applied, in their words, the school its own
        staff_view = render_text(await ask.ok(SAM, f"triage {number}"))
        assert f"Entitlement: {staff_words[number - 1]}" in staff_view
        assert "your subscription" not in staff_view


async def test_entitlement_shows_safety_net_and_draws_down(ask: Asker) -> None:
    text = render_text(await ask.ok(PRIYA, "entitlement"))
    assert "Parkwood Academy" in text and "1 day left of 1 day" in text
    await ask.ok(PRIYA, 'support consultancy "Curriculum review"')
    logged = await ask.ok(SAM, 'triage log-days 1 1 "Review visit"')
    assert "0 days left of 1 day" in logged.text
    for bad in ("triage log-days 1 lots", "triage log-days 1 0.3"):
        reply = await ask(SAM, bad)
        assert reply.error and "such as 1 or 0.5" in reply.text, bad
    asked = await ask(SAM, "triage log-days 1")  # no days: the form asks for them
    assert asked.form is not None and "Still needed: Days used" in asked.text
    assert "Logged 0.5 days" in (await ask.ok(SAM, "triage log-days 1 0.5d")).text
    text = render_text(await ask.ok(SAM, 'entitlement org:"Parkwood Academy"'))
    assert "0.5 days over" in text
    assert "consultancy  subscriber: included" in text  # staff words for staff
    assert "your subscription" not in text
    mine = render_text(await ask.ok(PRIYA, "entitlement"))
    assert "What Parkwood Academy can ask Learn Sheffield for" in mine
    assert "included in your subscription" in mine and "Subscriber: yes" not in mine
    red = render_text(await ask.ok(SAM, 'entitlement org:"Steel City Secondary"'))
    assert "none (safety-net days" in red and "not a subscriber: signpost or quote" in red


# --- intake ----------------------------------------------------------------------------


async def test_crisis_example_gives_reference_target_and_tells_triage(ask: Asker) -> None:
    reply = await ask.ok(JO, CRISIS)
    text = render_text(reply)
    assert reply.text == "Support request #1 received: crisis for Hillside Primary."
    assert "Fri 1 Dec 2023, 11:00" in text  # 09:00 + 2 working hours
    assert SECRET not in text  # the confirmation may be seen over a shoulder: no details
    [row] = await outbox_rows(ask.ctx, prefix="support:1:new")
    assert row.target == "group:triage"
    assert SECRET in row.text and "Jo Bloggs" in row.text
    assert row.text.splitlines()[0] == "New support request #1 crisis, Hillside Primary"


async def test_support_alone_is_a_form_whose_command_works(ask: Asker) -> None:
    reply = await ask.ok(JO, "support")
    form = reply.form
    assert form is not None
    assert [f.name for f in form.fields] == ["kind", "details", "urgency", "contact", "consent"]
    command = form.to_command(
        {
            "kind": "advocacy",
            "details": "Dispute with the local authority over a place",
            "urgency": "this week",
            "contact": "0114 000 0000",
            "consent": "on",
        }
    )
    made = await ask.ok(JO, command)
    assert "#1" in made.text
    shown = render_text(await ask.ok(JO, "support 1"))
    assert "Dispute with the local authority" in shown
    assert "Best contact: 0114 000 0000" in shown and "named partners: yes" in shown


async def test_support_mine_lists_own_and_own_organisations_requests(ask: Asker) -> None:
    await ask.ok(JO, CRISIS)
    await ask.ok(AMY, 'support brokerage "Find a partner school for maths"')
    await ask.ok(OMAR, 'support consultancy "Restructure advice"')
    jo = render_text(await ask.ok(JO, "support mine"))
    assert "#1" in jo and "#2" in jo and "#3" not in jo
    assert "Head unexpectedly absent" in jo
    assert "Find a partner school" not in jo and "(confidential)" in jo
    assert "Restructure" not in jo
    empty = await ask.ok(PRIYA, "support mine")
    assert "no support requests" in empty.text


# --- permissions -------------------------------------------------------------------------


async def test_permission_matrix(ask: Asker) -> None:
    await ask.ok(JO, CRISIS)
    other_head = await ask(OMAR, "support 1")
    assert other_head.error and "No support request #1" in other_head.text
    assert SECRET not in other_head.text
    colleague = render_text(await ask.ok(AMY, "support 1"))
    assert "crisis" in colleague and SECRET not in colleague and "History" not in colleague
    assert SECRET in render_text(await ask.ok(JO, "support 1"))
    assert SECRET in render_text(await ask.ok(SAM, "triage 1"))
    for email in (AMY, JO):
        for command in ("triage", "triage ack 1", 'triage resolve 1 "x"', "triage stats"):
            denied = await ask(email, command)
            assert denied.error and "Learn Sheffield staff" in denied.text, command
    assert (await ask(OMAR, 'entitlement org:"Hillside Primary"')).error
    assert not (await ask(JO, 'entitlement org:"Hillside Primary"')).error
    raise_for_other = await ask(JO, 'support crisis "x" org:"Meadowbank Primary"')
    assert raise_for_other.error and await count_requests(ask) == 1
    assert not (await ask(SAM, 'support crisis "Help" org:"Meadowbank Primary"')).error
    staff_without_org = await ask(SAM, 'support crisis "Help"')
    assert staff_without_org.error and 'org:"Hillside Primary"' in staff_without_org.text


# --- bad input ---------------------------------------------------------------------------


async def test_unknown_kind_lists_the_four_and_bad_options_are_explained(ask: Asker) -> None:
    reply = await ask(JO, 'support urgent "Help please"')
    assert reply.error and reply.error_field == "kind"
    for kind in ("crisis", "consultancy", "advocacy", "brokerage"):
        assert kind in reply.text
    assert "Example: support crisis" in reply.text
    # no kind, but the request in quotes: the form, with the request kept and the kind asked
    no_kind = await ask(JO, 'support "Help please"')
    assert not no_kind.error and no_kind.form is not None
    kept = {f.name: f.value for f in no_kind.form.fields}
    assert kept["details"] == "Help please" and kept["kind"] is None
    unquoted = await ask(JO, "support Governors resigned overnight")
    assert unquoted.error and "brokerage" in unquoted.text and "Governors" not in unquoted.text
    reply = await ask(JO, 'support crisis "Help" urgency:yesterday')
    assert reply.error and "today, this week, this half term" in reply.text
    reply = await ask(JO, 'support crisis "Help" consent:maybe')
    assert reply.error and "yes or no" in reply.text
    assert await count_requests(ask) == 0


async def test_empty_text_is_refused_and_nothing_saved(ask: Asker) -> None:
    for command in ('support crisis ""', "support crisis", 'support crisis "  "'):
        reply = await ask(JO, command)  # the form asks what is needed, the kind kept
        assert not reply.error and reply.form is not None, command
        assert "Still needed: What is needed" in reply.text, command
        assert {f.name: f.value for f in reply.form.fields}["kind"] == "crisis", command
    async with ask.ctx.db.session() as session:
        jo = await person_by_email(session, JO)
        assert jo is not None
    submitted = await ask.ctx.router.handle(  # a form sent with the text left blank
        'support crisis "  "', actor_id=jo.id, door="web", submitted=True
    )
    assert submitted.error and "what is needed" in submitted.text
    assert submitted.error_field == "details"
    assert await count_requests(ask) == 0
    assert await outbox_rows(ask.ctx, prefix="support:") == []


async def test_closed_request_cannot_be_resolved_twice(ask: Asker) -> None:
    await ask.ok(JO, CRISIS)
    await ask.ok(SAM, 'triage resolve 1 "Adviser visited"')
    again = await ask(SAM, 'triage resolve 1 "Adviser visited"')
    assert again.error and "already resolved" in again.text and "triage reopen 1" in again.text
    async with ask.ctx.db.session() as session:
        events = await repo.events_of(session, 1)
    assert [e.action for e in events] == ["raised", "resolved"]


async def test_unknown_request_and_bad_ids(ask: Asker) -> None:
    assert "no support request #99" in (await ask(SAM, "triage ack 99")).text
    bad = await ask(SAM, "triage ack twelve")
    assert bad.error and "not a support request number" in bad.text
    verb = await ask(SAM, "triage frob")
    assert verb.error and "ack, assign" in verb.text


# --- confidentiality ---------------------------------------------------------------------


async def test_request_text_appears_in_no_log_record(
    ask: Asker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # SQL echo, as when debugging
    caplog.set_level(logging.DEBUG)  # last: it also sets the capturing handler's level
    ctx = ask.ctx
    ctx.clock.set(london(2023, 12, 1, 17, 30))  # type: ignore[attr-defined]
    await ask.ok(JO, CRISIS)
    await ask.ok(JO, "support mine")
    await ask.ok(JO, "support 1")
    await ask(OMAR, "support 1")
    await ask(JO, 'support urgent "' + SECRET + '"')  # refused: must not echo or log
    await ask.ok(SAM, "triage")
    await ask.ok(SAM, "triage 1")
    await run_tick(ctx, london(2023, 12, 4, 9, 31))  # sends the triage copy and the breach
    await ask.ok(SAM, "triage ack 1")
    await ask.ok(SAM, "triage escalate 1 " + '"' + SECRET + '"')
    await ask.ok(SAM, 'triage resolve 1 "' + SECRET + '"')
    await ask.ok(SAM, "triage stats")
    await run_tick(ctx, london(2023, 12, 4, 10, 0))
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
    for record in caplog.records:
        assert SECRET not in record.getMessage(), record.name
        assert SECRET not in str(record.args), record.name
        assert not record.exc_text or SECRET not in record.exc_text
    rows = await outbox_rows(ctx, prefix="support:")
    assert all(not r.error or SECRET not in r.error for r in rows)
    # only the triage channel's copy carries the text among broadcasts to people and channels
    carrying = {r.key for r in rows if SECRET in r.text}
    assert "support:1:new" in carrying
    assert not any(":breach:" in k for k in carrying)


async def test_other_school_never_gets_a_message_about_it(ask: Asker) -> None:
    await ask.ok(JO, CRISIS)
    await ask.ok(SAM, "triage ack 1")
    await ask.ok(SAM, 'triage resolve 1 "Adviser visited"')
    omar = await person_id(ask, OMAR)
    async with ask.ctx.db.session() as session:
        to_omar = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.target == f"person:{omar}")
        )
        assert list(to_omar) == []


async def test_the_support_form_starts_with_no_kind_chosen_in_every_door(ask: Asker) -> None:
    from bot.render.adaptivecards import render_card
    from bot.render.blockkit import render_modal
    from bot.render.html import render_html

    form = (await ask.ok(JO, "support")).form
    assert form is not None
    kind = next(f for f in form.fields if f.name == "kind")
    assert kind.value is None and kind.required
    for name in ("crisis", "consultancy", "advocacy", "brokerage", "signposting"):
        assert f"{name}: " in (kind.hint or "")  # one line saying what each kind is for
    # Slack: no initial option, a "Choose..." placeholder, the line per kind under it
    block = next(b for b in render_modal(form)["blocks"] if b.get("block_id") == "kind")
    assert "initial_option" not in block["element"]
    assert block["element"]["placeholder"]["text"] == "Choose..."
    assert "crisis: " in block["hint"]["text"]
    # Teams: the choice set has no value, so nothing is chosen
    card = json.dumps(render_card(Reply(elements=[form])))
    choice = next(
        item
        for item in walk(render_card(Reply(elements=[form])))
        if item.get("type") == "Input.ChoiceSet" and item["id"].endswith("kind")
    )
    assert "value" not in choice and choice["placeholder"] == "Choose..."
    assert "consultancy: expert advice" in card
    # the web chat: the empty "Choose..." option is the selected one
    html = render_html(Reply(elements=[form]))
    select = html[html.index('name="kind"') :]
    assert select.split("<option", 2)[1].startswith(' value="" selected>Choose...')
    # submitted without choosing: the kind is asked for, on its field, and nothing is filed
    async with ask.ctx.db.session() as session:
        jo = await person_by_email(session, JO)
        assert jo is not None
    text = form.to_command({"details": "Where is the exclusions guidance?"})
    reply = await ask.ctx.router.handle(text, actor_id=jo.id, door="web", submitted=True)
    assert reply.error and reply.error_field == "kind"
