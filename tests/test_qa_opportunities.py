"""QA: an over-long opportunity is refused with a correct example, and nothing is saved."""

from __future__ import annotations

from bot.render.text import render_text
from tests.conftest import Asker

SAM = "sam@learnsheffield.co.uk"


async def test_over_long_title_shows_an_example_and_saves_nothing(ask: Asker) -> None:
    title = "y" * 300
    reply = await ask(SAM, f'opp add "{title}" closes:31/01/2024 phase:primary link:https://x.org')
    text = render_text(reply)
    assert reply.error
    assert "300 characters" in text
    assert "Example: opp add" in text
    listed = render_text(await ask.ok(SAM, "opps phase:all"))
    assert title not in listed


async def test_over_long_summary_shows_an_example(ask: Asker) -> None:
    summary = "z" * 2100
    reply = await ask(
        SAM,
        f'opp add "Funded NPQ places" closes:31/01/2024 phase:primary summary:"{summary}"',
    )
    text = render_text(reply)
    assert reply.error
    assert "summary is too long" in text
    assert 'Example: summary:"' in text
