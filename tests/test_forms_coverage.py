"""Every command that writes (from the registry) has a form in every door, and no button
closes or deletes on one click.

The list is the registry's, not a copy: a new write command without a form, or a renderer
that drops a form's inputs, fails here."""

from __future__ import annotations

import json

import pytest

from bot.forms import form_for
from bot.render import adaptivecards, blockkit
from bot.render.html import render_html
from bot.render.text import render_text
from bot.reply import Button, Form, Reply
from bot.router import build_registry
from storage import audit
from storage.directory import person_by_email
from tests.conftest import Asker
from tests.test_adaptivecards import validate

REGISTRY = build_registry()
WRITES = sorted(c.name for c in REGISTRY.commands.values() if c.writes)
# commands that close or delete something: they ask for the reason, or for a confirm
CLOSING = sorted(
    name
    for name in WRITES
    if any(w in name for w in ("resolve", "close", "drop", "cancel", "withdraw", "erase"))
)
ALEX = "alex@learnsheffield.co.uk"  # admin
# someone who may use each command: an admin, staff, a chair, a head
PEOPLE = (ALEX, "sam@learnsheffield.co.uk", "dan@sheffield.gov.uk", "jo@hillside.sch.uk")


def test_the_lists_are_the_registrys() -> None:
    assert len(WRITES) >= 40 and "meeting add" in WRITES and "privacy erase" in WRITES
    assert {"triage resolve", "consultation close", "action drop", "meeting cancel"} <= set(CLOSING)
    assert {"opp withdraw", "schedule cancel", "privacy erase"} <= set(CLOSING)


def slack_inputs(form: Form) -> list[str]:
    view = blockkit.render_modal(form, metadata=blockkit.modal_metadata(form))
    assert len(view["private_metadata"]) <= blockkit.METADATA  # whole, so it can be read back
    assert blockkit.read_modal_metadata(view["private_metadata"])[0] == form.slim()
    return [b["block_id"] for b in view["blocks"] if b["type"] == "input"]


def teams_inputs(form: Form) -> list[str]:
    card = adaptivecards.render_card(Reply().add(form))
    validate(card)  # the Adaptive Card 1.5 schema

    def walk(node: object) -> list[dict]:  # type: ignore[type-arg]
        if isinstance(node, dict):
            return [node, *[n for v in node.values() for n in walk(v)]]
        if isinstance(node, list):
            return [n for v in node for n in walk(v)]
        return []

    nodes = walk(card)
    submits = [n for n in nodes if n.get("type") == "Action.Submit"]
    assert any(adaptivecards.FORM_KEY in s["data"] for s in submits)
    prefix = adaptivecards.INPUT_PREFIX
    return [n["id"][len(prefix) :] for n in nodes if str(n.get("type", "")).startswith("Input.")]


def web_inputs(form: Form) -> list[str]:
    html = render_html(Reply().add(form))
    assert 'class="cmdform"' in html and "data-form=" in html
    return [f.name for f in form.shown_fields if f'name="{f.name}"' in html]


async def test_every_write_command_has_a_form_in_every_door(ask: Asker) -> None:
    from bot.demo import load_demo

    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())  # so every picker has choices
    async with ask.ctx.db.session() as session:
        people = [await person_by_email(session, email) for email in PEOPLE]
        svc = ask.ctx.router.services(session)
        missing = []
        for name in WRITES:
            actor = next(p for p in people if p and svc.policy.may_use(p, name))
            form = await form_for(svc, actor, name)
            if form is None:
                missing.append(name)
                continue
            assert form.command == name and form.title and form.submit_label, name
            shown = [f.name for f in form.shown_fields]
            assert slack_inputs(form) == shown, name
            assert teams_inputs(form) == shown, name
            assert web_inputs(form) == shown, name
            assert form.typed().startswith(name) and name in render_text(Reply().add(form))
            for f in form.shown_fields:
                if f.kind == "select":  # a picker lists real choices, never an empty list
                    assert f.options, (name, f.name)
                if f.kind == "date" or "date" in f.label.lower():
                    assert f.hint, (name, f.name)  # says the accepted forms
    assert not missing, f"write commands with no form: {missing}"


async def test_the_name_alone_opens_the_form_for_every_write_that_needs_more(
    ask: Asker,
) -> None:
    """Typed with nothing after it, a write that needs more answers with its form, not an
    error (commands that need nothing more, like `bulletin subscribe`, just run)."""
    for name in WRITES:
        spec = REGISTRY.commands[name].form
        assert spec is not None
        needs = any(f.required for f in spec.fields) or spec.asks
        if not needs or spec.applies is not None and not spec.applies(_no_args()):
            continue
        policy = ask.ctx.router.policy
        who = [e for e in PEOPLE if policy.may_use(await _person(ask, e), name)][0]
        reply = await ask(who, name)
        assert not reply.error and reply.form is not None, (name, reply.text)


async def _person(ask: Asker, email: str):  # type: ignore[no-untyped-def]
    async with ask.ctx.db.session() as session:
        return await person_by_email(session, email)


def _no_args():  # type: ignore[no-untyped-def]
    from bot.parsing import Args

    return Args()


@pytest.mark.parametrize("name", CLOSING)
def test_closing_commands_ask_for_a_reason_or_a_confirm(name: str) -> None:
    spec = REGISTRY.commands[name].form
    assert spec is not None
    note = [f for f in spec.fields if f.required and not f.id and f.literal is None]
    confirm = [f for f in spec.fields if f.name == "confirm" and f.kind == "checkbox"]
    assert spec.asks or note or confirm, f"{name} would close on one click"


async def _buttons(ask: Asker) -> list[tuple[str, Button]]:
    """Every button on the replies people read: cards of meetings, actions, requests,
    opportunities, consultations, the triage queue, bulletins."""
    from bot.demo import load_demo

    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    reads = ["meetings", "actions", "opps", "triage", "consultations", "schedules", "bulletin"]
    reads += [f"meeting {i}" for i in range(1, 4)] + [f"action {i}" for i in range(1, 6)]
    reads += [f"support {i}" for i in range(7, 12)] + [f"opp {i}" for i in range(1, 4)]
    reads += [f"consultation {i}" for i in range(1, 3)] + ["group attendance", "help"]
    found = []
    for who in PEOPLE:
        for text in reads:
            reply = await ask(who, text)
            found.extend((who, b) for b in reply.buttons)
    return found


async def test_no_button_closes_or_deletes_on_one_click(ask: Asker) -> None:
    """Pressing any button that would close or delete asks first (a form for the reason, or a
    confirm) and changes nothing; a button never carries a placeholder note."""
    buttons = await _buttons(ask)
    closing = [(who, b) for who, b in buttons if _command_of(b.command) in CLOSING]
    assert {_command_of(b.command) for _, b in closing} >= {"triage resolve", "action drop"}
    for who, button in closing:
        async with ask.ctx.db.session() as session:
            before = len(await audit.entries(session, limit=100_000))
        reply = await ask(who, button.command)
        async with ask.ctx.db.session() as session:
            after = len(await audit.entries(session, limit=100_000))
        assert after == before, (who, button.command, reply.text)
        assert reply.form is not None or reply.error, (who, button.command, reply.text)
        assert '"' not in button.command, ("placeholder text in a button", button.command)


def _command_of(text: str) -> str:
    words = text.split()
    if words and words[0] == "form":
        words = words[1:]
    found, used = REGISTRY.lookup(words)
    return found.name if found else ""


def test_a_long_form_still_opens_from_a_slack_message() -> None:
    """A form whose choices do not fit a button's value asks the bot for it again."""
    from bot.reply import FormField

    many = [f"person{i}@example.org" for i in range(120)]
    form = Form(
        title="Reassign action #7",
        command="action reassign",
        fields=[
            FormField("action", "", "hidden", positional=True, value="7"),
            FormField("owner", "New owner", "select", options=many, positional=True),
        ],
    )
    (button,) = blockkit.form_blocks(form)[1]["elements"]
    assert button["value"] == "form action reassign 7"
    assert json.loads(blockkit.modal_metadata(form))["form"] == form.slim().to_wire()
