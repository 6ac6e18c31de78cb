"""QA: the error for a bad id reads as English ('an action number', 'a meeting number')."""

from __future__ import annotations

from bot.render.text import render_text
from tests.conftest import Asker


async def test_bad_action_id_says_an_action_number(ask: Asker) -> None:
    reply = await ask("jo@hillside.sch.uk", "action done 99999999999999999999")
    assert reply.error
    assert "is not an action number" in render_text(reply)


async def test_bad_meeting_id_says_a_meeting_number(ask: Asker) -> None:
    reply = await ask("jo@hillside.sch.uk", "rsvp x3 yes")
    assert reply.error
    assert "is not a meeting number" in render_text(reply)
