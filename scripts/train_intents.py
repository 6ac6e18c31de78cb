"""Train the intent model (bot/language/intents.json) from the project's own examples.

Reads `tests/language/train.tsv` only (never `heldout.tsv`: that file is sealed, and a model
trained on it would make the held-out figure a lie). Each line's label is the NAME of the
command it means, as the registry looks it up (`meetings group:board` -> `meetings`,
`attendance compare Sheffield Leeds` -> `attendance compare`, `help schedules` ->
`help schedules`: help's topic is the command meant); `~smalltalk` and `~clarify` are labels
too; of `a || b` the first reading is taken.

Run:
    .venv/bin/python scripts/train_intents.py            # write bot/language/intents.json
    .venv/bin/python scripts/train_intents.py --cv 5     # cross-validated accuracy only
    .venv/bin/python scripts/train_intents.py --check    # exit 1 if the shipped file differs

Deterministic: the same train.tsv gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.language.intents import MODEL_PATH, IntentModel, describe, train  # noqa: E402
from bot.language.text import normalise  # noqa: E402
from bot.registry import Registry  # noqa: E402

TRAIN = ROOT / "tests" / "language" / "train.tsv"


def label_of(command: str, registry: Registry) -> str | None:
    """The command name a corpus reading means, or None if the registry has no such command."""
    reading = command.split("||")[0].strip()
    if reading.startswith("~"):
        return reading
    words = reading.split()
    found, used = registry.lookup(words)
    if found is None:
        return None
    if found.name == "help" and len(words) > used:
        return " ".join(["help", *(w.lower() for w in words[used:])])
    return found.name


def examples(path: Path, registry: Registry) -> list[tuple[list[str], str]]:
    """(normalised words, label) for every line of a corpus file."""
    if path.name.startswith("heldout"):
        raise SystemExit(f"{path.name} is the sealed held-out set: never train on it")
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            label = label_of(row["command"], registry)
            words = normalise(row["message"])
            if label and words:
                out.append((words, label))
    return out


def build(path: Path = TRAIN) -> IntentModel:
    """The model trained from one corpus file, recording which file (name, lines, sha256)."""
    from bot.router import build_registry

    return train(examples(path, build_registry()), source=[describe(path, ROOT)])


def cross_validate(path: Path, folds: int, seed: int = 23) -> tuple[int, int]:
    """Top-intent accuracy with each line predicted by a model not trained on it."""
    from bot.router import build_registry

    data = examples(path, build_registry())
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    right = 0
    for k in range(folds):
        test = set(order[k::folds])
        model = train(d for i, d in enumerate(data) if i not in test)
        for i in test:
            words, label = data[i]
            ranked = model.rank(words)
            right += bool(ranked) and ranked[0].label == label
    return right, len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=TRAIN, help="training corpus (TSV)")
    parser.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validated accuracy")
    parser.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = parser.parse_args()
    if args.cv:
        right, total = cross_validate(args.file, args.cv)
        print(
            f"intents: {args.cv}-fold cross-validated top intent {right}/{total} "
            f"({right / total:.1%})"
        )
        return
    text = build(args.file).to_json()
    if args.check:
        same = MODEL_PATH.exists() and MODEL_PATH.read_text(encoding="utf-8") == text
        print("intents: shipped model is up to date" if same else "intents: shipped model differs")
        raise SystemExit(0 if same else 1)
    MODEL_PATH.write_text(text, encoding="utf-8")
    model = IntentModel.from_json(text)
    print(
        f"intents: wrote {MODEL_PATH.relative_to(ROOT)} ({len(text.encode()) / 1024:.0f} KB, "
        f"{len(model.labels)} intents, {len(model.counts)} features, "
        f"{sum(model.docs)} messages)"
    )


if __name__ == "__main__":
    main()
