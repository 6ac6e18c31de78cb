"""QA: a refused command names the person's role in plain English."""

from __future__ import annotations

from bot.render.text import render_text
from tests.conftest import Asker


async def test_staff_refused_person_add_reads_as_english(ask: Asker) -> None:
    reply = await ask("sam@learnsheffield.co.uk", 'person add "Eve" email:eve@x.sch.uk role:head')
    text = render_text(reply)
    assert reply.error
    assert "signed in as Learn Sheffield staff" in text
    assert "as a staff" not in text


async def test_head_refused_triage_is_told_they_are_a_head(ask: Asker) -> None:
    reply = await ask("omar@meadowbank.sch.uk", "triage")
    assert reply.error
    assert "signed in as a head" in render_text(reply)
