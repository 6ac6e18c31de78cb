"""Plain English, examined: every corpus message through the router on the demo partnership.

Measures how many of the training cases (`train.tsv`) and of the held-out cases (`heldout.tsv`,
never used to build the interpreter's phrase lists) are read as the command they mean, marked by
`tests/language/judge.py`; prints both figures and every miss (`pytest -s`). Issue 23 asks for
90% of each, and both files are held to it. The held-out figure is no longer a measure of unseen
messages once its misses have been studied (docs/language.md gives the figures measured on
fresh messages before any tuning); it stays a regression guard.
Every message is also checked for the promise `test_writes.py` makes on both backends: nothing
saved without a yes, and no crash.
"""

from __future__ import annotations

import pytest

from bot.demo import load_demo
from tests.conftest import Asker
from tests.language.evaluate import accuracy, evaluate, misses
from tests.language.judge import HELDOUT, TRAIN, load
from tests.language.test_writes import unsafe

THRESHOLD = 0.90  # issue 23: at least 90% of each file
HELDOUT_FLOOR = THRESHOLD  # was 0.78 while the held-out file measured 79.8%


@pytest.fixture
async def demo(ask: Asker) -> Asker:
    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    return ask


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_plain_english_is_read_as_meant(demo: Asker) -> None:
    train = await evaluate(demo.ctx, load(TRAIN))
    heldout = await evaluate(demo.ctx, load(HELDOUT))
    figures = (
        f"language accuracy: train {sum(r.correct for r in train)}/{len(train)} "
        f"({accuracy(train):.1%}), held-out {sum(r.correct for r in heldout)}/{len(heldout)} "
        f"({accuracy(heldout):.1%})"
    )
    print("\n" + figures + "\n" + misses(train + heldout))
    bad = unsafe(train + heldout)
    assert not bad, "\n".join(bad)
    if accuracy(train) >= THRESHOLD and accuracy(heldout) >= HELDOUT_FLOOR:
        return
    raise AssertionError(figures + "\n" + misses(train + heldout, limit=60))
