"""Friendly answers to hello, thanks and "what can you do?", and choices per topic and role."""

from __future__ import annotations

from bot.language.model import Interpretation
from bot.services import Services
from storage.directory import Person

# the five most useful things to try, by role (label, command); the policy table still decides
SUGGESTIONS = {
    "head": [
        ("My next meetings", "meetings"),
        ("My actions", "actions"),
        ("Opportunities for my school", "opps"),
        ("Ask for support", "support"),
        ("Sheffield's attendance", "attendance Sheffield"),
    ],
    "member": [
        ("My next meetings", "meetings"),
        ("My actions", "actions"),
        ("Open consultations", "consultations"),
        ("Opportunities", "opps"),
        ("My groups", "whoami"),
    ],
    "staff": [
        ("Triage queue", "triage"),
        ("My next meetings", "meetings"),
        ("Overdue actions", "actions overdue"),
        ("Next bulletin", "bulletin preview"),
        ("Open consultations", "consultations"),
    ],
    "admin": [
        ("Triage queue", "triage"),
        ("Groups", "groups"),
        ("Overdue actions", "actions overdue"),
        ("Recent changes", "audit"),
        ("My next meetings", "meetings"),
    ],
}
TOPIC_CHOICES = {
    "meetings": [
        ("your meetings", "meetings"),
        ("your calendar feed", "calendar"),
        ("help with meetings", "help meetings"),
    ],
    "actions": [
        ("your actions", "actions"),
        ("overdue actions", "actions overdue"),
        ("help with actions", "help actions"),
    ],
    "opportunities": [
        ("open opportunities", "opps"),
        ("the bulletin", "bulletin"),
        ("help with opportunities", "help opportunities"),
    ],
    "support": [
        ("ask for support", "support"),
        ("your requests", "support mine"),
        ("the triage queue", "triage"),
    ],
    "attendance": [
        ("Sheffield's attendance", "attendance Sheffield"),
        ("the core cities", "attendance core-cities"),
        ("help with attendance", "help attendance"),
    ],
    "consultations": [("open consultations", "consultations"), ("help", "help consultations")],
    "terms": [("term dates", "terms"), ("your calendar feed", "calendar")],
    "directory": [("who you are", "whoami"), ("the groups", "groups")],
}
EXAMPLE = "when is the next board meeting?"


def _usable(
    pairs: list[tuple[str, str]], actor: Person, services: Services
) -> list[tuple[str, str]]:
    registry = services.registry
    if registry is None:
        return pairs
    out = []
    for label, command in pairs:
        found, _ = registry.lookup(command.split()[:2])
        if found is not None and services.policy.may_use(actor, found.name):
            out.append((label, command))
    return out


def topic_choices(topic: str, actor: Person, services: Services) -> list[tuple[str, str]]:
    return _usable(TOPIC_CHOICES.get(topic, []), actor, services)[:3]


def smalltalk_reply(
    what: str, actor: Person, services: Services, *, score: float
) -> Interpretation:
    """`what` is hello, thanks or about; the answer names five things for the asker's role."""
    first = actor.name.split()[0] if actor.name.split() else actor.name
    pairs = _usable(SUGGESTIONS.get(actor.role, SUGGESTIONS["member"]), actor, services)[:5]
    if what == "thanks":
        text = "You're welcome! Anything else? Ask in your own words, or try:"
    elif what == "hello":
        text = f'Hello {first}! Ask me in your own words (e.g. "{EXAMPLE}") or try:'
    else:
        text = (
            "I look after the partnership's meetings, actions, opportunities, support requests "
            f'and attendance figures. Ask in your own words (e.g. "{EXAMPLE}") or try:'
        )
    return Interpretation(
        command=None,
        kind="smalltalk",
        text=text,
        choices=[c for _, c in pairs],
        labels=[label for label, _ in pairs],
        intent=f"smalltalk {what}",
        score=score,
    )
