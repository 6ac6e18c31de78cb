"""The intent model: which command a message most likely means, when no phrase rule reads it.

A multinomial naive Bayes classifier over the message's normalised words (`bot.language.text`):
single words, pairs of neighbouring words and the character trigrams of each word (so a typo
still shares most of its features with the word meant). It is trained at build time from the
project's own examples only (`tests/language/train.tsv`, never the held-out file) by
`scripts/train_intents.py`, which writes `intents.json` next to this module; at run time it is
scored here in plain Python (no numpy, no scikit-learn), in well under a millisecond.

The label is a command NAME (`groups`, `attendance years`, `help schedules`, `actions overdue`,
`~smalltalk`, `~clarify`), never its details: those are read by the slot readers
(`bot.language.slots`, `Context`) once the intent is chosen (`bot.language.fallback`).

Naive Bayes rather than a discriminative model because its training is counting: the trainer
is a few lines anyone can check, is exactly reproducible, and needs no extra dependency.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("intents.json")
ALPHA = 0.1  # additive smoothing; chosen by cross-validation on train.tsv (docs/language.md)
# naive Bayes is sure of itself far beyond its record (it counts every feature as independent
# evidence): its scores are divided by this before the softmax, the value that made the
# probabilities honest under 5-fold cross-validation on train.tsv (least log loss): of the
# messages it gave 0.7 or more, 90% were right
TEMPERATURE = 8.0
MIN_COUNT = 2  # features seen fewer times in the whole training file are dropped (size, noise)
FORMAT = 1


def features(words: Sequence[str]) -> list[str]:
    """The features of one message's normalised words (as `text.normalise` returns them).

    Numbers become `<n>` (an id says nothing about the intent). Returns a list without
    duplicates, in a fixed order: each feature counts once per message (binary naive Bayes
    does better than raw counts on messages this short).
    """
    toks = ["<n>" if w.strip("#").isdigit() else w for w in words]
    out = [f"w:{w}" for w in toks]
    out += [f"b:{a}_{b}" for a, b in zip(["^", *toks], [*toks, "$"], strict=True)]
    for w in toks:
        if w != "<n>" and len(w) > 2:
            padded = f"<{w}>"
            out += [f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2)]
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Guess:
    """One intent and its probability under the model (0-1; the guesses of a message sum to 1)."""

    label: str
    p: float


class IntentModel:
    """A trained model: per label, how many training messages had each feature.

    Built by `train` (from (words, label) pairs) or `load` (from the shipped JSON file).
    """

    def __init__(
        self,
        labels: list[str],
        docs: list[int],
        counts: dict[str, list[int]],
        alpha: float = ALPHA,
        source: list[dict[str, object]] | None = None,
    ) -> None:
        self.labels = labels
        self.docs = docs  # training messages per label
        # feature -> flat [label index, count, label index, count, ...]
        self.counts = counts
        self.alpha = alpha
        self.source = source or []
        totals = [0] * len(labels)
        for flat in counts.values():
            for i in range(0, len(flat), 2):
                totals[flat[i]] += flat[i + 1]
        n = sum(docs)
        vocabulary = len(counts)
        self._prior = [math.log(d / n) for d in docs]
        self._norm = [math.log(t + alpha * vocabulary) for t in totals]
        self._log_alpha = math.log(alpha)
        # what each feature adds to each label's score, worked out once (a message then costs
        # additions only): log(count + alpha) - log(alpha) where the label has the feature
        self._delta = {
            f: [
                (flat[i], math.log(flat[i + 1] + alpha) - self._log_alpha)
                for i in range(0, len(flat), 2)
            ]
            for f, flat in counts.items()
        }
        self._ranked: dict[tuple[str, ...], list[Guess]] = {}

    def known(self, words: Sequence[str]) -> float:
        """The share of the message's words the model has seen (0-1): little means the message
        is about something it was never taught, however sure `rank` sounds."""
        feats = [f for f in features(words) if f.startswith("w:") and f != "w:<n>"]
        return sum(f in self.counts for f in feats) / len(feats) if feats else 0.0

    def rank(self, words: Sequence[str]) -> list[Guess]:
        """Every label with its probability, likeliest first (empty for an empty model)."""
        if not self.labels:
            return []
        key = tuple(words)
        hit = self._ranked.get(key)  # the interpreter may ask more than once per message
        if hit is not None:
            return hit
        present = [self._delta[f] for f in features(words) if f in self._delta]
        k = len(present)
        scores = [
            prior + k * (self._log_alpha - norm)
            for prior, norm in zip(self._prior, self._norm, strict=True)
        ]
        for adds in present:
            for label, delta in adds:
                scores[label] += delta
        top = max(scores)
        exp = [math.exp((s - top) / TEMPERATURE) for s in scores]
        total = sum(exp)
        ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], self.labels[i]))
        result = [Guess(self.labels[i], exp[i] / total) for i in ranked]
        if len(self._ranked) > 256:
            self._ranked.clear()
        self._ranked[key] = result
        return result

    def to_json(self) -> str:
        """The model as the text of `intents.json` (sorted, so the same training gives the
        same bytes)."""
        data = {
            "format": FORMAT,
            "model": "multinomial naive Bayes over binary word, word-pair and character-trigram "
            "features (bot/language/intents.py)",
            "trained_from": self.source,
            "alpha": self.alpha,
            "temperature": TEMPERATURE,
            "min_count": MIN_COUNT,
            "labels": self.labels,
            "docs": self.docs,
            "counts": self.counts,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> IntentModel:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"intents.json is format {data.get('format')}, expected {FORMAT}")
        return cls(
            data["labels"], data["docs"], data["counts"], data["alpha"], data["trained_from"]
        )


def train(
    examples: Iterable[tuple[Sequence[str], str]],
    *,
    alpha: float = ALPHA,
    min_count: int = MIN_COUNT,
    source: list[dict[str, object]] | None = None,
) -> IntentModel:
    """Count features per label. `examples`: (normalised words, label) pairs. Deterministic:
    labels and features are kept in sorted order."""
    per_label: dict[str, Counter[str]] = {}
    docs: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for words, label in examples:
        feats = features(words)
        per_label.setdefault(label, Counter()).update(feats)
        docs[label] += 1
        seen.update(feats)
    labels = sorted(per_label)
    index = {label: i for i, label in enumerate(labels)}
    counts: dict[str, list[int]] = {}
    for feature in sorted(f for f, n in seen.items() if n >= min_count):
        flat: list[int] = []
        for label in labels:
            n = per_label[label][feature]
            if n:
                flat += [index[label], n]
        counts[feature] = flat
    return IntentModel(labels, [docs[label] for label in labels], counts, alpha, source)


def describe(path: Path, root: Path) -> dict[str, object]:
    """What a model was trained from: the file's name (relative to `root`), its message count
    and its sha256, so anyone can tell which file and which version it was."""
    data = path.read_bytes()
    lines = sum(1 for line in data.decode("utf-8").splitlines()[1:] if line.strip())
    return {
        "file": path.resolve().relative_to(root.resolve()).as_posix(),
        "lines": lines,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


_current: IntentModel | None = None


def model() -> IntentModel:
    """The shipped model (read once per process); an empty model if the file is missing, so
    the bot still runs (the phrase rules alone) from a checkout without it."""
    global _current
    if _current is None:
        try:
            _current = IntentModel.from_json(MODEL_PATH.read_text(encoding="utf-8"))
        except FileNotFoundError:
            _current = IntentModel([], [], {})
    return _current


def use(replacement: IntentModel | None) -> None:
    """Score with another model (cross-validation, tests); None goes back to the shipped one."""
    global _current
    _current = replacement
