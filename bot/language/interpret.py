"""Plain English -> one command of the command language, offline, in about a millisecond.

How: the message is normalised (bot.language.text), every phrase rule (bot.language.rules*)
tries to read it, filling details from the name index (bot.language.knowledge: groups, people,
areas) and the asker's own meetings; the best-scoring reading wins, and near ties or a missing
detail become a question. Nothing here writes or sends anything.
"""

from __future__ import annotations

from datetime import datetime

from bot.language import (  # noqa: F401  (they add rules)
    fallback,
    rules_more,
    rules_opps,
    rules_people,
    rules_work,
)
from bot.language.context import Context
from bot.language.knowledge import knowledge
from bot.language.model import UNKNOWN, Interpretation
from bot.language.rules import RULES, TOPICS
from bot.language.slots import first
from bot.language.suggest import smalltalk_reply, topic_choices
from bot.language.text import normalise
from bot.services import Services
from storage.directory import Person

TIE = 0.001  # readings scoring the same are asked about, not guessed


async def interpret(
    text: str, *, actor: Person, services: Services, now: datetime | None = None
) -> Interpretation:
    """Read one message as the command it most likely means.

    Returns an Interpretation: kind "read" / "write" / "support" with `command` set, "clarify"
    with a question and 2-3 `choices`, "smalltalk" with `text` and suggested commands, or
    "unknown". Raises nothing for any text (an unreadable message is "unknown").
    """
    know = await knowledge(
        services.session,
        core_cities=[c.strip() for c in services.settings.core_cities.split(",") if c.strip()],
    )
    fixes: list[str] = []
    words = normalise(text[:1000], extra_vocabulary=know.vocabulary, fixes=fixes)
    if not words:
        return UNKNOWN
    ctx = Context(
        text=text.strip(),
        words=words,
        actor=actor,
        services=services,
        know=know,
        now=now or services.clock.now(),
    )
    found: list[Interpretation] = []
    for name, kind, score, fn in RULES:
        result = await fn(ctx)
        if result is None:
            continue
        if kind == "smalltalk" and isinstance(result, str):
            found.append(smalltalk_reply(result, actor, services, score=score))
            continue
        reading = Interpretation(command=result, kind=kind) if isinstance(result, str) else result
        if reading.intent != "missing":
            reading.intent = name
        reading.score = (
            score
            + (0.05 if reading.command and ":" in reading.command else 0)
            + (0.02 if reading.command and any(c.isdigit() for c in reading.command) else 0)
        )
        found.append(reading)
    if ctx.asks_state or ctx.has(r"^(?:\w+ )?how (?:do|can|should|would) (?:i|we)\b|\bhow to\b"):
        # asking how to, or how a thing stands ("did the consultation close yet?"): a read
        found = [r for r in found if r.kind not in ("write", "support")] or found
    found = _allowed(found, actor, services)
    if not found:
        # no rule reads it: the intent model's confident reading, or a question
        return await fallback.read(ctx) or _by_topic(ctx)
    found.sort(key=lambda r: -r.score)
    for reading in found:
        reading.guessed = reading.guessed or bool(fixes)  # read through a typo fix: a guess too
    best = found[0]
    if best.kind == "smalltalk" and len(found) > 1 and found[1].score >= 0.6:
        best = found[1]  # "thanks, and when is the board meeting?" is a question
    rivals = [
        r
        for r in found[1:]
        if r.command and r.command != best.command and r.score >= best.score - TIE
    ]
    if rivals and best.command and best.kind != "clarify":
        broken = await fallback.break_tie(ctx, [best, *rivals])
        if broken is not None:
            return broken
        options = [best, *rivals][:3]
        return Interpretation(
            command=None,
            kind="clarify",
            question="Did you mean: " + " / ".join(f"`{o.command}`" for o in options) + "?",
            choices=[o.command for o in options if o.command],
            labels=[o.command for o in options if o.command],
            intent="tie",
            score=best.score,
        )
    return await fallback.second_opinion(ctx, best) or best


def _allowed(
    found: list[Interpretation], actor: Person, services: Services
) -> list[Interpretation]:
    """Drop readings the asker's role may not use, unless nothing else is left (then the
    command's own refusal says why)."""
    registry = services.registry
    if registry is None:
        return found

    def ok(r: Interpretation) -> bool:
        if not r.command:
            return True
        command, _ = registry.lookup(r.command.split()[:2])
        return command is None or services.policy.may_use(actor, command.name)

    allowed = [r for r in found if ok(r)]
    return allowed or found


def _by_topic(ctx: Context) -> Interpretation:
    """No rule matched: if a topic is named, ask which of its commands was meant."""
    topic = first(TOPICS, ctx.s)
    group = ctx.group()
    if topic is None and group is not None:
        title = ctx.know.titles.get(group, group)
        return Interpretation(
            command=None,
            kind="clarify",
            question=f"Did you mean the {group} group's meetings, its members or its actions?",
            choices=[f"meetings group:{group}", f"group {group}", f"actions group:{group}"],
            labels=[f"{title}: meetings", f"{title}: members", f"{title}: actions"],
            intent="topic",
            score=0.3,
        )
    if topic is None:
        return UNKNOWN
    choices = topic_choices(topic, ctx.actor, ctx.services)
    if not choices:
        return UNKNOWN
    return Interpretation(
        command=None,
        kind="clarify",
        question="Did you mean: " + " / ".join(label for label, _ in choices) + "?",
        choices=[c for _, c in choices],
        labels=[label for label, _ in choices],
        intent="topic",
        score=0.3,
    )
