"""The attendance commands' shared rules: the command set, examples, and reading phase and year.

Imports none of its siblings; the command modules import it.
"""

from __future__ import annotations

import re

from bot.errors import UserError
from bot.parsing import Args
from bot.registry import CommandSet
from storage.attendance_read import PHASE_NAMES

commands = CommandSet("attendance", "Quick attendance figures from DfE data", own_words=True)

EXAMPLE = "attendance Sheffield secondary 2018/19"
COMPARE_EXAMPLE = "attendance compare Sheffield Leeds"
CORE_EXAMPLE = "attendance core-cities"
PHASE_WORDS = {
    "total": "total",
    "all": "total",
    "overall": "total",
    "primary": "primary",
    "secondary": "secondary",
    "special": "special",
}
YEAR_RE = re.compile(r"^(\d{4})(?:[/-](\d{2}|\d{4}))$|^(\d{4})(\d{2})$")


def parse_year(text: str, *, example: str) -> str:
    """`2018/19`, `2018-19`, `2018/2019` or `201819` -> DfE's `201819`; UserError otherwise."""
    match = YEAR_RE.match(text.strip())
    if match:
        start = match.group(1) or match.group(3)
        end = (match.group(2) or match.group(4))[-2:]
        if int(end) == (int(start) + 1) % 100:
            return f"{start}{end}"
    raise UserError(
        f"{text!r} is not an academic year.",
        hint="Write it like 2018/19.",
        example=example,
        field="year",
    )


def parse_phase(text: str, *, example: str) -> str:
    """`secondary`, `State-funded secondary`, `all` ... -> our phase key; UserError otherwise."""
    key = text.strip().lower().removeprefix("state-funded ").strip()
    if key in PHASE_WORDS:
        return PHASE_WORDS[key]
    raise UserError(
        f"{text!r} is not a phase.",
        hint="Phases: " + ", ".join(PHASE_NAMES) + ".",
        example=example,
        field="phase",
    )


def split_query(
    args: Args, *, example: str
) -> tuple[list[tuple[str, bool]], str | None, str | None]:
    """Pick the phase and year out of the words, in any order; the rest (word, quoted) name areas."""
    phase = parse_phase(args.options["phase"], example=example) if "phase" in args.options else None
    year = parse_year(args.options["year"], example=example) if "year" in args.options else None
    rest: list[tuple[str, bool]] = []
    for word, quoted in zip(args.words, args.quoted, strict=True):
        if not quoted and word.lower() in PHASE_WORDS and phase is None:
            phase = PHASE_WORDS[word.lower()]
        elif not quoted and re.match(r"^\d{4}", word):
            if year is not None:
                raise UserError("Give one academic year.", example=example, field="year")
            year = parse_year(word, example=example)
        else:
            rest.append((word, quoted))
    return rest, phase, year
