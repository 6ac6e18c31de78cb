"""Plain English, examined: every corpus message through the router on the demo partnership.

Measures how many of the training cases (`train.tsv`) and of the held-out cases (`heldout.tsv`)
are read as the command they mean, marked by `tests/language/judge.py`, and prints both figures.

The held-out file is sealed: its messages were written on 30 November 2026 by people who had
not seen the interpreter, and its misses are never printed (here, in `bench/language.py` or
anywhere), so nobody can tune the phrase lists to them; only its score is shown. The training
file's misses are printed in full (`pytest -s`): that is what to work from when adding phrases.

Issue 23 asks that 90% of the corpus is read as meant: the training file and the whole corpus are
held to that, the held-out file to the floor it measured, so that it cannot slip back unnoticed
(docs/language.md gives the figures). Every message is also checked for the promise `test_writes.py` makes on both
backends: nothing saved without a yes, and no crash.
"""

from __future__ import annotations

import pytest

from bot.demo import load_demo
from tests.conftest import Asker
from tests.language.evaluate import Result, accuracy, evaluate, misses
from tests.language.judge import HELDOUT, TRAIN, load
from tests.language.test_writes import unsafe

THRESHOLD = 0.90  # issue 23: at least 90% of the corpus
HELDOUT_FLOOR = 0.64  # 52.5% (134/255) before any tuning to it; 65.9% (168/255) after (30 Nov 2026)
CORPUS_FLOOR = THRESHOLD  # 91.2% (988/1083) on 30 Nov 2026


@pytest.fixture
async def demo(ask: Asker) -> Asker:
    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    return ask


def share(results: list[Result]) -> str:
    return f"{sum(r.correct for r in results)}/{len(results)} ({accuracy(results):.1%})"


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_plain_english_is_read_as_meant(demo: Asker) -> None:
    """Training misses are listed; the sealed held-out file shows its score only."""
    train = await evaluate(demo.ctx, load(TRAIN))
    heldout = await evaluate(demo.ctx, load(HELDOUT))
    corpus = train + heldout
    figures = (
        f"language accuracy: train {share(train)}, held-out {share(heldout)}, "
        f"whole corpus {share(corpus)}"
    )
    print("\n" + figures + "\n" + misses(train))
    bad = unsafe(train)
    assert not bad, "\n".join(bad)
    # the safety promise holds for every held-out message too; named by count only (sealed)
    # (a count, so pytest's report of a failed assert never shows the messages either)
    unsafe_heldout = len(unsafe(heldout))
    assert unsafe_heldout == 0, f"{unsafe_heldout} held-out messages broke the write promise"
    assert accuracy(train) >= THRESHOLD, figures + "\n" + misses(train, limit=60)
    assert accuracy(heldout) >= HELDOUT_FLOOR, figures
    assert accuracy(corpus) >= CORPUS_FLOOR, figures
