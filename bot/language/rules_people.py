"""Phrase rules for finding people: "who is the head of Hillside?", "who works at Sheffield
Hallam?", "anyone from the diocese", "look up Priya" -> `people <words>` (with `role:head` when
a head is asked for), which searches names, organisations and groups itself."""

from __future__ import annotations

import re

from bot.language.context import Context, q
from bot.language.rules import rule
from bot.language.text import expand, words_of
from storage import group_kinds

HEAD = r"(?:head ?teachers?|heads?|principals?|headmaster|headmistress)"
ASKS = [
    # (pattern with a `what` group, whether it asks for heads)
    (rf"\bwho (?:is|are|s)(?: the)? {HEAD}(?: teacher)? (?:of|at|for|in) (?P<what>.+)", True),
    (rf"\b(?:the )?{HEAD}(?: teacher)? (?:of|at|for) (?P<what>.+?) (?:is who|please)$", True),
    (r"\bwho (?:heads|leads|runs) (?P<what>.+)", True),
    (
        r"\bwho (?:do (?:we|i) know|works|is|are|have we got|s) (?:at|from|in) (?P<what>.+)",
        False,
    ),
    (r"\b(?:anyone|someone|people|contacts?|colleagues) (?:at|from) (?P<what>.+)", False),
    (
        r"\b(?:look up|search (?:for|the directory for)|find (?:a )?(?:person|people|"
        r"someone|contact) (?:called|named|at|from)) (?P<what>.+)",
        False,
    ),
    (r"\b(?:contact details|contact|email address|email) (?:for|of) (?P<what>.+)", False),
]
FILLER = re.compile(r"\b(?:please|pls|thanks|then|now|the|school|again)\b")


def _phrase(ctx: Context) -> tuple[str, bool] | None:
    """The words after the question (what to search for) and whether heads were asked for.

    Read from the message as typed (not spelling-corrected: names are not command words)."""
    raw = " ".join(expand(words_of(ctx.text)))
    for pattern, heads in ASKS:
        found = re.search(pattern, raw)
        if found:
            what = FILLER.sub(" ", found["what"]).strip(" ?.!")
            what = " ".join(w for w in what.split() if w not in ("s", "is", "are"))
            if what and not re.search(r"\d|#", what):  # "details of action 3" is the action
                return what, heads
    return None


@rule("people", "read", 0.78)
async def people(ctx: Context) -> str | None:
    found = _phrase(ctx)
    if found is None:
        return None
    what, heads = found
    if not heads and ctx.group() and not await ctx.organisation():
        return None  # "who is on the attendance group": the group's own card says it better
    if what in ("me", "us", "my school", "our school"):
        org = ctx.actor.organisation
        if org is None:
            return None
        what = org.name
    return f"people {q(what)}" + (" role:head" if heads else "")


# "add Lucy to the attendance group (as vice-chair)", "take Jo off the board": proposed only
ROLE_WORDS = r"(?:vice ?chair|co ?opted(?: member)?|chair|officer|member)"


@rule("group add", "write", 0.86)
async def group_membership(ctx: Context) -> str | None:
    raw = " ".join(expand(words_of(ctx.text)))
    adding = re.search(
        rf"\b(?:add|put) (?P<who>[a-z][a-z .'-]*?) (?:to|on|onto) (?:the )?(?P<rest>.+?)"
        rf"(?: (?:as|to be) (?:a |an |the )?(?P<role>{ROLE_WORDS}))?$",
        raw,
    )
    removing = re.search(
        r"\b(?:remove|take) (?P<who>[a-z][a-z .'-]*?) (?:from|off|out of) (?:the )?(?P<rest>.+)$",
        raw,
    )
    found = adding or removing
    if found is None:
        return None
    group = ctx.know.group_in(found["rest"].split())
    who = ctx.handle_of(found["who"])
    if not group or who is None:
        return None
    if removing is not None:
        return f"group remove {group[0]} {who}"
    role = group_kinds.normalise_membership_role(found["role"]) if found["role"] else None
    return f"group add {group[0]} {who}" + (f" role:{role}" if role else "")
