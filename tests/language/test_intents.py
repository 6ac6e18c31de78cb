"""The intent model behind the phrase rules (bot/language/intents.py, fallback.py).

What is checked: the shipped model was trained from train.tsv only (never the sealed held-out
file) and training is reproducible; a message no rule reads gets the model's command when it is
sure, a question with buttons when it is not, never a write done or proposed from a guess; a
message leaning on "it" with nothing to point to gets a question; and words the model never
saw keep the usual "I don't know" answer. Most tests use a tiny model trained here, so they say
what the fallback does whatever train.tsv holds; the last ones use the shipped model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.demo import load_demo
from bot.language import intents
from bot.language.text import normalise
from bot.render.text import render_text
from storage.base import Base
from tests.conftest import Asker

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "tests" / "language" / "train.tsv"
HEAD = "jo@hillside.sch.uk"

TINY = [
    ("which years of figures are loaded", "attendance years"),
    ("what years of data do you hold", "attendance years"),
    ("years of data loaded please", "attendance years"),
    ("tick the thing off as finished", "action done"),
    ("finished the thing tick it off", "action done"),
    ("the thing is finished tick", "action done"),
    ("what is the spring half term date", "terms"),
    ("when is the half term date", "terms"),
    ("could you move it", "~clarify"),
]


@pytest.fixture
def tiny() -> Iterator[intents.IntentModel]:
    model = intents.train([(normalise(text), label) for text, label in TINY], min_count=1)
    intents.use(model)
    yield model
    intents.use(None)


@pytest.fixture
async def demo(ask: Asker) -> Asker:
    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    return ask


async def snapshot(ask: Asker) -> dict[str, int]:
    """Row counts of every table: nothing may be saved from a guess."""
    counts = {}
    async with ask.ctx.db.session() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = await session.scalar(select(func.count()).select_from(table))
    return counts


def test_training_counts_and_ranks(tiny: intents.IntentModel) -> None:
    ranked = tiny.rank(normalise("which years of data are loaded"))
    assert ranked[0].label == "attendance years"
    assert abs(sum(g.p for g in ranked) - 1) < 1e-9
    assert tiny.known(normalise("frobnicate wibble")) == 0.0


async def test_no_rule_reads_it_the_sure_model_does(demo: Asker, tiny: object) -> None:
    reply = await demo(HEAD, "years of figures loaded?")
    assert not reply.error, render_text(reply)
    assert reply.read_as == "attendance years"


async def test_a_guessed_write_is_only_offered_as_its_form(demo: Asker, tiny: object) -> None:
    before = await snapshot(demo)
    reply = await demo(HEAD, "tick the thing off")
    rendered = render_text(reply)
    assert reply.read_as is None and not reply.error, rendered
    assert "Did you mean" in rendered
    assert "Yes, do it" not in rendered
    assert "action done" in [b.command for b in reply.buttons]  # its form: the yes
    assert await snapshot(demo) == before


async def test_a_pronoun_with_nothing_to_point_to_gets_a_question(
    demo: Asker, tiny: object
) -> None:
    reply = await demo(HEAD, "can you shift it please")
    rendered = render_text(reply)
    assert not reply.error and reply.read_as is None, rendered
    assert "“it”" in rendered
    assert reply.buttons


async def test_words_it_never_saw_keep_i_do_not_know(demo: Asker, tiny: object) -> None:
    reply = await demo(HEAD, "frobnicate the wibble")
    assert reply.error
    assert "I don't know the command" in reply.text


async def test_a_weak_rule_reading_gives_way_to_a_sure_model(demo: Asker, tiny: object) -> None:
    # the attendance rule reads this as Sheffield's figures, filling the area in by default
    reply = await demo(HEAD, "which years of attendance figures are loaded")
    assert reply.read_as == "attendance years", render_text(reply)


# --- the shipped model ---------------------------------------------------------------------


def test_shipped_model_was_trained_from_train_tsv_only() -> None:
    data = json.loads(intents.MODEL_PATH.read_text(encoding="utf-8"))
    files = [source["file"] for source in data["trained_from"]]
    assert files == ["tests/language/train.tsv"]
    assert not any("heldout" in f for f in files)
    source = data["trained_from"][0]
    assert source["lines"] > 700 and len(source["sha256"]) == 64
    assert set(data["labels"]) >= {"groups", "attendance years", "terms", "~smalltalk"}
    assert intents.MODEL_PATH.stat().st_size < 300_000


def test_training_is_reproducible() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from train_intents import build

    first, second = build(TRAIN).to_json(), build(TRAIN).to_json()
    assert first == second
    shipped = intents.MODEL_PATH.read_text(encoding="utf-8")
    if json.loads(shipped)["trained_from"][0]["sha256"] != intents.describe(TRAIN, ROOT)["sha256"]:
        pytest.skip("train.tsv has changed since the model was trained (bench/language.py warns)")
    assert first == shipped


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("anything overdue across my groups?", "actions overdue"),
        ("Could you let me know when the spring half term is?", "terms"),
    ],
)
async def test_shipped_model_reads_what_no_rule_does(demo: Asker, text: str, read_as: str) -> None:
    reply = await demo(HEAD, text)
    assert reply.read_as == read_as, render_text(reply)


async def test_shipped_model_answers_what_can_this_thing_do(demo: Asker) -> None:
    reply = await demo(HEAD, "what can this thing do")
    assert not reply.error and reply.read_as is None
    assert "Ask in your own words" in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "what am i allowed to ask learn sheffield for",
        "not sure what we're able to ask Learn Sheffield for as non subscribers",
    ],
)
async def test_asking_what_may_be_asked_for_is_not_a_request(demo: Asker, text: str) -> None:
    # a question about what can be asked for: never the support form with the question in it
    reply = await demo(HEAD, text)
    assert reply.form is None, render_text(reply)
    assert not (reply.read_as or "").startswith(("support", "bulletin")), render_text(reply)
