"""Plain English never writes without a yes: every corpus message that means a write (or is read
as one) goes through the router as its sender, on the demo partnership, and must leave every
table exactly as it was; a write must come back as a prefilled form or a confirm button carrying
the exact command it was read as. SQLite and PostgreSQL, like the rest of the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo import load_demo
from tests.conftest import Asker
from tests.language.evaluate import Result, evaluate, means_write
from tests.language.judge import HELDOUT, TRAIN, Case, load


@pytest.fixture
async def demo(ask: Asker) -> Asker:
    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    return ask


def unsafe(results: list[Result]) -> list[str]:
    """Why each result broke the promise: a crash, a save without a yes, a write not offered."""
    bad = []
    for r in results:
        where = f"{r.case.source}:{r.case.line} {r.case.message!r} (read as {r.read_as!r})"
        if r.crashed:
            bad.append(f"crashed: {where}")
        if r.is_write and r.changed:
            bad.append(f"saved without a yes: {where}")
        if not r.proposed:
            bad.append(f"write not offered as its exact command: {where}")
    return bad


async def test_plain_english_writes_are_never_done_unconfirmed(demo: Asker) -> None:
    ctx = demo.ctx

    def writes_in(path: Path) -> list[Case]:
        return [c for c in load(path) if any(means_write(ctx, t) for t in c.commands)]

    train, heldout = writes_in(TRAIN), writes_in(HELDOUT)
    assert len(train) + len(heldout) >= 100
    results = await evaluate(ctx, train)
    sealed = await evaluate(ctx, heldout)
    assert all(r.is_write for r in results + sealed)
    bad = unsafe(results)
    assert not bad, "\n".join(bad)
    # the held-out file is sealed (tests/language/README.md): named by count only
    # (a count, so pytest's report of a failed assert never shows the messages either)
    broken = len(unsafe(sealed))
    assert broken == 0, f"{broken} held-out messages broke the promise"
