"""What the interpreter hands the router: how one plain-English message was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["read", "write", "support", "clarify", "smalltalk", "unknown"]


@dataclass
class Interpretation:
    """One message, read.

    `command` is the exact command text the message was read as (None for clarify, smalltalk
    and unknown). `kind` says what the router does with it: run a read at once, propose a write
    (never run it), open the support form, ask (`question`, with `choices`: the 2-3 likeliest
    command texts, `labels` their button labels), or answer small talk (`text`).
    """

    command: str | None
    kind: Kind
    choices: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    question: str | None = None
    text: str | None = None
    intent: str | None = None  # the rule that read it, for the bench and the docs
    score: float = 0.0
    # a detail the command needs was not in the message and was filled in by default (the
    # home area), or a word was read through a typo fix: fine for a question, not as a
    # correction of a command the person typed (its own "did you mean" is better)
    guessed: bool = False


UNKNOWN = Interpretation(command=None, kind="unknown")
