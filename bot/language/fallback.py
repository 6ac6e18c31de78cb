"""When no phrase rule reads a message (or the best reading is weak): the intent model decides.

The model (`bot.language.intents`) gives the likeliest command NAMES; this module fills in
their details with the same slot readers the rules use (group, period, phase, area, year,
organisation, meeting) and says what to do:

- the top intent is confident and can be built: that command (a read runs with its
  `Read as:` line, a support request opens the prefilled form);
- a write is never built from here: it is offered as a button that opens its form, which is
  the yes (DESIGN invariant 2);
- otherwise a question with the two or three likeliest commands as buttons;
- a short message that leans on "it" / "that" / "the other one" with nothing it could refer
  to ("can you move it", "done") is asked about, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.language import intents, slots
from bot.language.context import Context, q
from bot.language.intents import Guess
from bot.language.model import Interpretation
from bot.language.suggest import smalltalk_reply
from bot.registry import Command

# probabilities as the model gives them (calibrated: bot.language.intents.TEMPERATURE); under
# cross-validation 85% of readings at 0.5 or more were right, 90% at 0.7, 92% at 0.8
CONFIDENT = 0.6  # the top intent's probability needed to run it without asking
OVERRIDE = 0.8  # ... and to replace a weak phrase-rule reading with it
CHOICE = 0.01  # the least probability for an intent to be offered as a button
KNOWN = 0.5  # the least share of known words for the model to have a say at all
SMALLTALK = "~smalltalk"
CLARIFY = "~clarify"

# a short message leaning on a word that needs something said before ("it", "the other one")
PRONOUN = r"\b(?:it|them|(?:the|that|this) (?:other )?ones?|the other|the same)\b|\b(?:that|this)$"
REFERENT = r"\d|\b(?:meetings?|actions?|tasks?|consultations?|requests?|opportunit\w+|bulletin)\b"

Builder = Callable[[Context], Awaitable[str | Interpretation | None]]


def _opt(key: str, value: str | None) -> str:
    return f" {key}:{q(value)}" if value else ""


async def _meetings(ctx: Context) -> str:
    return "meetings" + _opt("group", ctx.group()) + _opt("within", slots.period(ctx.s))


async def _actions(ctx: Context) -> str:
    return "actions" + _opt("group", ctx.group()) + _opt("by", slots.period(ctx.s))


async def _overdue(ctx: Context) -> str:
    return "actions overdue" + _opt("group", ctx.group())


async def _opps(ctx: Context) -> str:
    return "opps" + _opt("phase", slots.phase(ctx.s))


def _tail(ctx: Context) -> str:
    phase = slots.phase(ctx.s)
    year = slots.academic_year(ctx.s, ctx.now)
    return (f" {phase}" if phase in ("primary", "secondary", "special") else "") + (
        f" {year}" if year else ""
    )


async def _attendance(ctx: Context) -> str | Interpretation:
    areas = ctx.know.areas_in(ctx.words)
    if areas:
        return f"attendance {areas[0]}" + _tail(ctx)
    home = ctx.services.settings.attendance_area
    return Interpretation(command=f"attendance {home}" + _tail(ctx), kind="read", guessed=True)


async def _compare(ctx: Context) -> str | None:
    areas = ctx.know.areas_in(ctx.words)
    home = ctx.services.settings.attendance_area
    if len(areas) == 1 and areas[0].lower() != home.lower():
        areas = [home, *areas]
    return f"attendance compare {areas[0]} {areas[1]}" + _tail(ctx) if len(areas) >= 2 else None


async def _core(ctx: Context) -> str:
    return "attendance core-cities" + _tail(ctx)


async def _entitlement(ctx: Context) -> str:
    return "entitlement" + _opt("org", await ctx.organisation())


async def _group(ctx: Context) -> str | None:
    name = ctx.group()
    return f"group {name}" if name else None


async def _support(ctx: Context) -> Interpretation:
    kind = slots.support_kind(ctx.s)
    command = "support" + (f" {kind}" if kind else "") + f" {q(ctx.text.strip())}"
    return Interpretation(command=command + _opt("urgency", slots.urgency(ctx.s)), kind="support")


def _meeting(build: str, what: str, label: str) -> Builder:
    async def meeting(ctx: Context) -> str | Interpretation:
        return await ctx.meeting_or_ask(build, what=what, kind="read", label=label)

    return meeting


def _bare(command: str) -> Builder:
    async def bare(ctx: Context) -> str:
        return command

    return bare


# how to fill each read's details; a read not listed here runs bare (`groups`, `terms`,
# `help schedules`, `attendance years`, `triage stats`...) when the registry has it bare
BUILDERS: dict[str, Builder] = {
    "meetings": _meetings,
    "actions": _actions,
    "actions overdue": _overdue,
    "opps": _opps,
    "attendance": _attendance,
    "attendance compare": _compare,
    "attendance core-cities": _core,
    "entitlement": _entitlement,
    "group": _group,
    "support": _support,
    "meeting": _meeting("meeting {id}", "", "See"),
    "agenda": _meeting("agenda {id} list", "'s agenda", "Agenda"),
    "papers": _meeting("papers {id}", "'s papers", "Papers"),
    "minutes": _meeting("minutes {id}", "'s minutes", "Minutes"),
    "meeting ics": _meeting("meeting ics {id}", "", "Calendar file"),
    "calendar": _bare("calendar"),  # a write only as `calendar reset`
}
# reads that need a number or a name the model cannot give: offered, never run bare
NEEDS_DETAIL = {"action", "opp", "consultation", "consultation responses", "person", "people"}


def _command_of(ctx: Context, label: str) -> Command | None:
    registry = ctx.services.registry
    if registry is None:
        return None
    found, used = registry.lookup(label.split())
    return (
        found
        if found is not None and (used == len(label.split()) or found.name == "help")
        else None
    )


def _may(ctx: Context, label: str) -> bool:
    command = _command_of(ctx, label)
    return command is not None and ctx.services.policy.may_use(ctx.actor, command.name)


def _is_write(ctx: Context, label: str) -> bool:
    command = _command_of(ctx, label)
    return command is not None and command.writes and label not in BUILDERS and label != "help"


async def build(ctx: Context, label: str) -> Interpretation | None:
    """The reading for one intent with its details filled in, or None when it cannot be built
    without guessing (a write, or a read that needs a number the message does not give)."""
    if label == SMALLTALK:
        return smalltalk_reply("about", ctx.actor, ctx.services, score=0.5)
    if label.startswith("~") or not _may(ctx, label) or _is_write(ctx, label):
        return None
    if label in NEEDS_DETAIL:
        return None
    builder = BUILDERS.get(label)
    result = await builder(ctx) if builder else label
    if result is None:
        return None
    reading = Interpretation(command=result, kind="read") if isinstance(result, str) else result
    reading.intent = reading.intent or f"model {label}"
    # a guess by nature: fine for a question, never to correct a command the person typed
    reading.guessed = True
    return reading


async def _choice(ctx: Context, label: str) -> str | None:
    """A button's command for an intent: the built read, or the bare command when it runs
    bare or opens its form (a write's form is its yes); None if it can be neither."""
    if label.startswith("~") or not _may(ctx, label):
        return None
    reading = await build(ctx, label)
    if reading is not None and reading.command and reading.kind in ("read", "support"):
        if reading.kind == "support":
            return "support"  # the form, empty: a button must not carry their words
        return reading.command
    command = _command_of(ctx, label)
    if command is not None and command.form is not None:
        return command.name
    return None


async def ask(ctx: Context, guesses: list[Guess], question: str | None = None) -> Interpretation:
    """A question offering the two or three likeliest commands as buttons."""
    choices: list[str] = []
    said = set(ctx.words)
    # an intent whose own words the message says ("move" -> `meeting move`) is offered first
    guesses = sorted(guesses[:10], key=lambda g: not said & set(g.label.split()[1:]))
    for guess in guesses:
        if len(choices) == 3 or (choices and guess.p < CHOICE):
            break
        choice = await _choice(ctx, guess.label)
        if choice and choice not in choices:
            choices.append(choice)
    if question and len(choices) < 2:
        # nothing else is likely: the asker's own lists, where the thing meant usually is
        choices += [c for c in ("meetings", "actions") if c not in choices][: 2 - len(choices)]
    if not choices:
        choices = ["help"]
    offered = " / ".join(f"`{c}`" for c in choices)
    return Interpretation(
        command=None,
        kind="clarify",
        question=(question + " " if question else "") + f"Did you mean: {offered}?",
        choices=choices,
        labels=list(choices),
        intent="topic",  # like a topic question: a typed command's own answer is better
        score=0.3,
    )


def vague(ctx: Context) -> bool:
    """A short message leaning on "it" / "the other one" with nothing it could point to (no
    number, no thing named): "can you move it", "what about the other one"."""
    if len(ctx.words) > 7 or ctx.has(REFERENT) or ctx.groups():
        return False
    return ctx.has(PRONOUN)


async def read(ctx: Context) -> Interpretation | None:
    """No phrase rule read the message: the model's confident intent, or a question; None
    when the model has nothing to say (no model, or words it was never taught)."""
    guesses = intents.model().rank(ctx.words)
    if not guesses:
        return None
    pointing = vague(ctx)
    short = len(ctx.words) <= 2 and not ctx.has(REFERENT)  # "done", "sorted it"
    known = intents.model().known(ctx.words)
    # words it was never taught: the usual "I don't know" is more honest; a short message
    # ("done") is asked about only when the model knows one of its words ("frobnicate" is not)
    if not pointing and (known == 0 if short else known < KNOWN):
        return None
    top = guesses[0]
    if not pointing and top.p >= CONFIDENT and top.label != CLARIFY:
        reading = await build(ctx, top.label)
        if reading is not None:
            reading.score = top.p * 0.6
            return reading
    others = [g for g in guesses if g.label != CLARIFY]
    if pointing or short or top.label == CLARIFY:
        m = re.search(PRONOUN, ctx.s)
        what = f"“{m.group(0)}” means" if m else "you mean"
        return await ask(
            ctx,
            others,
            f"Sorry, I can't tell what {what} here: say which meeting, action or request "
            "(its number helps).",
        )
    return await ask(ctx, others)


def label_of(ctx: Context, command: str | None) -> str | None:
    """The intent label a reading's command has (`meetings group:board` -> `meetings`)."""
    if not command:
        return None
    words = command.split()
    found = _command_of(ctx, " ".join(words[:2])) or _command_of(ctx, words[0])
    if found is None:
        return None
    if found.name == "help":
        return " ".join(words)
    return found.name


def weak(reading: Interpretation) -> bool:
    """A reading the rules were not sure of: a topic word only (score under 0.7), a detail
    filled in by default (the home area), bare `help`, or a tie the rules could not break."""
    if reading.kind == "clarify":
        return reading.intent in ("tie", "topic")
    if reading.kind not in ("read",):
        return False
    return reading.score < 0.7 or reading.guessed or reading.command == "help"


async def second_opinion(ctx: Context, best: Interpretation) -> Interpretation | None:
    """The model's reading instead of a weak rule reading, when it is very sure of another
    read; None to keep the rule's."""
    if not weak(best):
        return None
    guesses = intents.model().rank(ctx.words)
    if not guesses:
        return None
    top = guesses[0]
    if intents.model().known(ctx.words) < KNOWN:
        return None
    rule = label_of(ctx, best.command)
    if top.p < OVERRIDE or top.label.startswith("~") or top.label == rule:
        return None
    if rule and rule.split()[0] == top.label.split()[0] and ":" in (best.command or ""):
        return None  # a sibling (`actions overdue` for `actions by:friday`) would drop details
    reading = await build(ctx, top.label)
    if reading is None or reading.kind != "read" or reading.command is None:
        return None
    reading.score = best.score
    return reading


async def break_tie(ctx: Context, tied: list[Interpretation]) -> Interpretation | None:
    """Of readings the rules scored the same, the one whose command the model is sure of;
    None to ask."""
    guesses = intents.model().rank(ctx.words)
    if not guesses or guesses[0].p < CONFIDENT or intents.model().known(ctx.words) < KNOWN:
        return None
    chosen = [r for r in tied if label_of(ctx, r.command) == guesses[0].label]
    return chosen[0] if len(chosen) == 1 else None
