"""The router: help generated from the registry, unknown commands, permissions, bad input."""

from __future__ import annotations

from bot.policy import POLICY
from bot.render.text import render_text
from tests.conftest import Asker


async def test_help_lists_every_topic_open_to_the_asker(ask: Asker) -> None:
    reply = await ask.ok("jo@hillside.sch.uk", "help")
    text = render_text(reply)
    registry = ask.ctx.router.registry
    for name in registry.topics:
        if any("head" in POLICY[c.name].roles for c in registry.for_topic(name)):
            assert f"{name}:" in text
    assert "person add" not in text  # admins only


async def test_admin_sees_admin_commands_in_help(ask: Asker) -> None:
    text = render_text(await ask.ok("alex@learnsheffield.co.uk", "help directory"))
    assert "person add" in text


async def test_unknown_command_suggests_help_and_nearest(ask: Asker) -> None:
    reply = await ask("jo@hillside.sch.uk", "frobnicate")
    assert reply.error
    assert "help" in reply.text
    near = await ask("jo@hillside.sch.uk", "grups")  # a mistyped command is read as it nearly is
    assert not near.error and near.read_as == "groups"
    assert near.text.startswith("Read as: groups")


async def test_head_cannot_add_people_and_nothing_is_saved(ask: Asker) -> None:
    reply = await ask("jo@hillside.sch.uk", 'person add "Eve" email:eve@x.sch.uk role:admin')
    assert reply.error and "admins" in reply.text
    check = await ask("alex@learnsheffield.co.uk", 'person add "Eve" email:eve@x.sch.uk role:head')
    assert "Added person" in check.text


async def test_unknown_option_is_named_with_an_example(ask: Asker) -> None:
    reply = await ask("jo@hillside.sch.uk", "group attendance colour:blue")
    assert reply.error
    assert "colour:" in reply.text and "Example:" in reply.text


async def test_unclosed_quote_is_explained(ask: Asker) -> None:
    reply = await ask("alex@learnsheffield.co.uk", 'person add "Eve email:eve@x.sch.uk')
    assert reply.error and "quote" in reply.text.lower()


async def test_whoami_and_group_members(ask: Asker) -> None:
    me = render_text(await ask.ok("jo@hillside.sch.uk", "whoami"))
    assert "Jo Bloggs" in me and "Hillside Primary" in me and "attendance" in me
    group = render_text(await ask.ok("jo@hillside.sch.uk", "group attendance"))
    assert "Dan Cooper" in group and "chair" in group


async def test_group_reminders_need_chair_or_staff(ask: Asker) -> None:
    denied = await ask("jo@hillside.sch.uk", "group attendance reminders:7d,1d")
    assert denied.error
    done = await ask.ok("dan@sheffield.gov.uk", "group attendance reminders:7d,1d")
    assert "reminders: 1w,1d" in done.text


async def test_an_unreadable_message_gets_the_example_of_the_command_it_seems_to_be(
    ask: Asker,
) -> None:
    reply = await ask("jo@hillside.sch.uk", 'support crisis "' + "help " * 900 + '"')
    assert reply.error and "at most 4000" in reply.text
    assert 'Example: support crisis "' in reply.text
    unclosed = await ask("jo@hillside.sch.uk", 'apologies 3 "Ofsted visit')
    assert unclosed.error and "quote" in unclosed.text and "Example: apologies" in unclosed.text
