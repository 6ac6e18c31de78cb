"""Every write command as a form (bot/forms.py): an incomplete command is answered with its
form, prefilled from what was typed; a bad value comes back on its field; nothing closes on
one click."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowed
from bot.forms import form_for
from bot.render.text import render_text
from bot.reply import Form, Reply
from storage import meetings as meeting_store
from storage.directory import person_by_email
from tests.conftest import Asker, outbox_rows

SAM = "sam@learnsheffield.co.uk"  # staff
DAN = "dan@sheffield.gov.uk"  # chair of attendance
JO = "jo@hillside.sch.uk"  # head
CRISIS = 'support crisis "Head unexpectedly absent; interim leadership advice needed today"'


def fields(form: Form | None) -> dict[str, str | None]:
    assert form is not None
    return {f.name: f.value for f in form.fields}


async def count_meetings(ask: Asker) -> int:
    async with ask.ctx.db.session() as session:
        return len(
            await meeting_store.starting_between(
                session,
                after=ask.ctx.clock.now().replace(year=2000),
                until=ask.ctx.clock.now().replace(year=2100),
            )
        )


async def test_meeting_add_with_a_title_opens_the_form_with_the_title_filled(ask: Asker) -> None:
    """The issue's example: today it answered "Give the meeting a title in quotes."."""
    reply = await ask(SAM, 'meeting add "Budget"')
    assert not reply.error and reply.form is not None
    assert "Still needed: Group, Starts (date and time)" in reply.text
    form = reply.form
    assert fields(form)["title"] == "Budget" and fields(form)["group"] is None
    group = next(f for f in form.fields if f.name == "group")
    assert "attendance" in group.options and group.kind == "select"  # the real groups
    on = next(f for f in form.fields if f.name == "on")
    assert on.hint and "15/12/2023 10:00" in on.hint and "next Friday" in on.hint
    assert await count_meetings(ask) == 0  # nothing saved while it is asked
    values = {"title": "Budget", "group": "attendance", "on": "15/12/2023 10:00"}
    done = await ask.ok(SAM, form.to_command(values))
    assert "Added meeting #1: Budget" in done.text


async def test_the_name_alone_opens_the_form_and_a_complete_command_just_runs(ask: Asker) -> None:
    for text in ("meeting add", "action add", "rsvp", "triage resolve", "action reassign"):
        reply = await ask(SAM, text)
        assert reply.form is not None and not reply.error, text
    done = await ask.ok(
        SAM, 'meeting add "Budget" group:attendance on:"15/12/2023 10:00" place:"Albion House"'
    )
    assert done.form is None and "Added meeting #1" in done.text


async def test_a_typed_id_is_carried_and_a_person_is_picked_from_the_directory(
    ask: Asker,
) -> None:
    await ask.ok(DAN, 'action add "Circulate PA figures" owner:@jo due:12/01/2024 group:attendance')
    reply = await ask(DAN, "action reassign 1")
    form = reply.form
    assert form is not None and form.title == "Reassign action #1"
    carried = {f.name: f for f in form.fields}["action"]
    assert carried.kind == "hidden" and carried.value == "1"
    owner = {f.name: f for f in form.fields}["owner"]
    assert "sam@learnsheffield.co.uk" in owner.options
    assert any("Sam Patel" in label for label in owner.labels)
    done = await ask.ok(DAN, form.to_command({"owner": "sam@learnsheffield.co.uk"}))
    assert "now Sam Patel's" in done.text


async def test_a_form_is_refused_to_whoever_could_not_submit_it(ask: Asker) -> None:
    refused = await ask(JO, "triage resolve 1")
    assert refused.error and refused.form is None and "staff" in refused.text
    await ask.ok(
        DAN, 'action add "Circulate PA figures" owner:@dan due:12/01/2024 group:attendance'
    )
    other = await ask("omar@meadowbank.sch.uk", "action drop 1")  # not his, not his group
    assert other.error and other.form is None


async def test_form_for_gives_any_caller_the_prefilled_form(ask: Asker) -> None:
    """What plain English reuses to show a write as a prefilled form."""
    router = ask.ctx.router
    async with ask.ctx.db.session() as session:
        sam = await person_by_email(session, SAM)
        jo = await person_by_email(session, JO)
        assert sam is not None and jo is not None
        svc = router.services(session)
        form = await form_for(svc, sam, 'meeting add "Budget" group:attendance')
        assert fields(form)["title"] == "Budget" and fields(form)["group"] == "attendance"
        assert await form_for(svc, sam, "meetings") is None  # a read has no form
        assert await form_for(svc, sam, "frobnicate") is None
        with pytest.raises(NotAllowed):
            await form_for(svc, jo, "triage resolve 1")


async def test_resolve_asks_for_the_note_and_never_sends_a_placeholder(ask: Asker) -> None:
    """Today the Resolve button sent `triage resolve 12 "Done"` and the school was told
    "Note: Done"."""
    await ask.ok(JO, CRISIS)
    card = await ask.ok(SAM, "support 1")
    resolve = next(b for b in card.buttons if b.command.startswith("triage resolve"))
    assert resolve.command == "triage resolve 1"
    asked = await ask(SAM, resolve.command)
    assert not asked.error and asked.form is not None and "What was done" in asked.text
    assert "resolved" not in (await ask.ok(SAM, "support 1")).text  # asking changed nothing
    done = await ask.ok(SAM, asked.form.to_command({"note": "Adviser visited on Tuesday"}))
    assert "resolved" in done.text
    told = [render_text(r.reply) for r in await outbox_rows(ask.ctx, prefix="support:1:status")]
    assert len(told) == 1 and "Note: Adviser visited on Tuesday" in told[0]


@pytest.mark.parametrize(
    "command",
    ["action drop {id}", "meeting cancel {meeting}"],
)
async def test_closing_commands_ask_first_and_the_form_is_the_confirm(
    ask: Asker, command: str
) -> None:
    await ask.ok(DAN, 'action add "Circulate PA figures" owner:@jo due:12/01/2024 group:attendance')
    await ask.ok(DAN, 'meeting add "Budget" group:attendance on:"15/12/2023 10:00"')
    text = command.format(id=1, meeting=1)
    asked = await ask(DAN, text)
    assert not asked.error and asked.form is not None, asked.text
    shown = asked.form.shown_fields
    assert len(shown) == 1 and not shown[0].required  # the reason, which may be left empty
    again = await ask(DAN, text)
    assert again.form is not None  # still nothing done: asking twice asks twice
    done = await ask.ok(DAN, asked.form.to_command({}))  # submitted with no reason
    assert done.form is None and done.subject is not None
    with_reason = await ask(DAN, text + ' "Not needed"')
    assert with_reason.form is None  # typed with its reason: it runs (already closed now)


async def test_a_bad_value_in_a_web_form_comes_back_on_its_field(ask: Asker) -> None:
    from tests.conftest import web_client

    reply = await ask(SAM, 'meeting add "Budget" group:attendance')
    form = reply.form
    assert form is not None
    async with ask.ctx.db.session() as session:
        sam = await person_by_email(session, SAM)
        assert sam is not None
    values = {"title": "Budget", "group": "attendance", "on": "32/13/2023 10:00", "place": "Hub"}
    async with web_client(ask.ctx) as client:
        response = await client.post(
            "/api/web/form",
            json={"person_id": sam.id, "form": form.to_wire(), "values": values},
        )
        assert response.status == 200
        data = await response.json()
    assert data["error"] and data["error_field"] == "on"
    html = data["html"]
    # the form again, as typed, with the message on the date's field
    assert 'value="32/13/2023 10:00"' in html and 'value="Hub"' in html
    on_label = html[html.index('name="on"') :]
    assert 'class="field-error"' in on_label.split("</label>")[0]
    assert await count_meetings(ask) == 0


def test_after_submit_keeps_what_was_typed_and_marks_the_field() -> None:
    from bot.reply import FormField

    form = Form(
        title="T",
        command="action due 7",
        fields=[
            FormField("id", "", "hidden", positional=True, value="7"),
            FormField("due", "Due", "date", required=True, positional=True),
        ],
    )
    reply = Reply(text="32/13/2024 is not a date.", error=True, error_field="due")
    again = reply.after_submit(form, {"due": "32/13/2024"}).form
    assert again is not None
    due = {f.name: f for f in again.fields}["due"]
    assert due.value == "32/13/2024" and due.error == "32/13/2024 is not a date."
    assert {f.name: f for f in again.fields}["id"].value == "7"  # hidden values stay


async def test_person_edit_opens_with_the_present_details(ask: Asker) -> None:
    alex = "alex@learnsheffield.co.uk"
    asked = await ask(alex, "person edit @jo")
    form = asked.form
    assert form is not None and not asked.error
    now = fields(form)
    assert now["name"] == "Jo Bloggs" and now["role"] == "head"
    assert now["org"] == "Hillside Primary" and now["email"] == JO
    values = {k: v or "" for k, v in now.items()}
    await ask.ok(alex, form.to_command({**values, "role": "member"}))
    me = render_text(await ask.ok(JO, "whoami"))
    assert "Role: member" in me and "Hillside Primary" in me  # the rest kept
    assert (await ask(JO, "person edit @sam role:admin")).error  # admins only


async def test_group_settings_open_from_a_button_with_the_present_values(ask: Asker) -> None:
    chair = await ask.ok(DAN, "group attendance")
    settings = next(b for b in chair.buttons if b.label == "Settings")
    assert not any(b.label == "Settings" for b in (await ask.ok(JO, "group attendance")).buttons)
    form = (await ask.ok(DAN, settings.command)).form
    assert form is not None and form.title == "Group settings"
    now = fields(form)
    assert now["group"] == "attendance" and now["reminders"]  # what it is set to today
    bad = await ask(
        DAN, form.to_command({**{k: v or "" for k, v in now.items()}, "reminders": "7x"})
    )
    assert bad.error and bad.error_field == "reminders"
    done = await ask.ok(DAN, form.to_command({"group": "attendance", "reminders": "3d,1d"}))
    assert "reminders: 3d,1d" in done.text


def test_typed_words_land_on_the_right_fields_and_odd_ones_never_break() -> None:
    from bot.forms import prefill, wants_form
    from bot.parsing import build_args, split_command
    from bot.router import build_registry

    registry = build_registry()

    def placed(text: str) -> tuple[dict[str, str], bool]:
        command, used = registry.lookup(text.split()[:2])
        assert command is not None and command.form is not None
        pre = prefill(command.form, build_args(split_command(text)[used:], raw=text))
        return pre.values, wants_form(command.form, pre)

    assert placed("privacy erase #5") == ({"person": "#5"}, False)  # runs: it asks itself
    assert placed("opp edit 0 0")[0] == {"opp": "0"}  # an id is one number, never the rest
    assert placed('agenda 3 add "PA figures" @jo') == (
        {"meeting": "3", "item": "PA figures", "owner": "@jo"},
        False,
    )
    assert placed("agenda 3")[1] is False  # lists the agenda
    assert placed("agenda add") == ({}, True)  # the meeting and the item are asked
    assert placed("action done seven")[1] is False  # the command says it is not a number
    assert placed('support "Help please"') == ({"details": "Help please"}, True)
    assert placed("support 12")[1] is False  # shows request 12
    assert placed('triage resolve 12 "  "')[1] is True  # a blank note is no note


async def test_a_date_fields_example_is_a_date_after_today_not_2023(ask: Asker) -> None:
    from datetime import UTC, datetime

    ask.ctx.clock.set(datetime(2026, 11, 29, 9, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    for text in ('meeting add "Budget"', "opp add"):
        form = (await ask(SAM, text)).form
        assert form is not None, text
        hints = [f.hint or "" for f in form.fields if "day/month/year" in (f.hint or "")]
        assert hints, text
        assert all("2023" not in h and ("/2026" in h or "/2027" in h) for h in hints), hints
