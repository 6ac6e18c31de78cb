"""One message being read: its words, who sent it, and lookups of what it names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from bot.dates import parse_date, to_local
from bot.errors import UserError
from bot.language import slots
from bot.language.knowledge import Knowledge
from bot.language.model import Interpretation
from bot.reply import quote
from bot.services import Services
from storage import meetings as meetings_repo
from storage.directory import Group, Person


@dataclass
class Context:
    """The message (`text` as typed, `words` normalised, `s` the words joined) and its sender."""

    text: str
    words: list[str]
    actor: Person
    services: Services
    know: Knowledge
    now: datetime
    _meetings: list[meetings_repo.Meeting] | None = field(default=None, repr=False)

    @property
    def s(self) -> str:
        return " ".join(self.words)

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.s) is not None

    def groups(self) -> list[str]:
        return self.know.group_in(self.words)

    def group(self) -> str | None:
        found = self.groups()
        return found[0] if found else None

    def handle_of(self, phrase: str) -> str | None:
        """`@handle` for a name in the message, or None (also None when two people match)."""
        if phrase.strip().lower() in ("me", "myself", "i", "mine"):
            return "@" + self.actor.email.split("@", 1)[0]
        people = self.know.person(phrase)
        return "@" + people[0].handle if len(people) == 1 else None

    # --- meetings the message may mean ------------------------------------------------

    async def upcoming(self) -> list[meetings_repo.Meeting]:
        if self._meetings is None:
            self._meetings = await meetings_repo.upcoming_for_person(
                self.services.session, person_id=self.actor.id, now=self.now, limit=20
            )
        return self._meetings

    async def meeting(self) -> tuple[int | None, list[meetings_repo.Meeting]]:
        """The meeting meant: its id, or None and the candidates to ask about.

        Reads `meeting 3` / `#3`, then a group ("the board meeting"), then a day ("Thursday's
        meeting", "the meeting on 15 Jan"), then "next meeting"; several left -> ask.
        """
        explicit = slots.number_after(self.s, "meeting", "mtg", "rsvp")
        if explicit is None:
            m = re.search(r"#(\d+)", self.s)
            explicit = int(m.group(1)) if m else None
        if explicit is not None:
            return explicit, []
        candidates = list(await self.upcoming())
        group = self.group()
        if group is not None:
            candidates = [m for m in candidates if m.group.name == group]
        day = slots.day_phrase(self.s)
        if day is not None:
            candidates = self._on_day(candidates, day)
        if len(candidates) == 1 or (candidates and (group or self.has(r"\bnext\b"))):
            return candidates[0].id, []
        return None, candidates[:3]

    def _on_day(
        self, candidates: list[meetings_repo.Meeting], day: str
    ) -> list[meetings_repo.Meeting]:
        """The meetings on a day named by weekday ("Thursday's") or date ("15 Jan")."""
        tz = self.services.tz
        weekday = day.removeprefix("next ").removeprefix("this ")
        if weekday in slots.WEEKDAYS:
            return [
                m for m in candidates if to_local(m.starts_at, tz).strftime("%A").lower() == weekday
            ]
        try:
            wanted = parse_date(day, now=self.now, tz=tz)
        except UserError:
            return candidates
        return [m for m in candidates if to_local(m.starts_at, tz).date() == wanted]

    def meeting_label(self, m: meetings_repo.Meeting) -> str:
        local = to_local(m.starts_at, self.services.tz)
        return f"#{m.id} {m.group.name} ({local:%a} {local.day} {local:%b})"

    async def meeting_or_ask(
        self, build: str, *, what: str, kind: str, label: str
    ) -> Interpretation | str:
        """`build` with `{id}` filled, or a question naming the likeliest meetings."""
        mid, options = await self.meeting()
        if mid is not None:
            return build.format(id=mid)
        if not options:
            return Interpretation(
                command=None,
                kind="clarify",
                question=f"Which meeting{what}? Give its number, e.g. `{build.format(id=1)}`; "
                "`meetings` lists yours.",
                choices=["meetings"],
                labels=["My meetings"],
                intent="missing",
            )
        names = [self.meeting_label(m) for m in options]
        question = "Which meeting: " + (
            ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        )
        return Interpretation(
            command=None,
            kind="clarify",
            question=question + "?",
            choices=[build.format(id=m.id) for m in options],
            labels=[f"{label} {n}" for n in names],
        )


def reason_after(text: str, *cues: str) -> str | None:
    """The free text after a comma or a cue word (`, Ofsted are in`, `because ...`), as typed."""
    pattern = r"(?:,|;| - | because | as | since | due to | cos | coz |: )"
    if cues:
        pattern = "(?:" + "|".join(re.escape(c) for c in cues) + ")"
    m = re.search(pattern, text, flags=re.IGNORECASE)
    if not m:
        return None
    rest = text[m.end() :].strip(" ,.;:!?-")
    return rest or None


def q(value: str) -> str:
    return quote(value)


def group_title(ctx: Context, name: str) -> str:
    return ctx.know.titles.get(name, name)


__all__ = ["Context", "Group", "q", "reason_after", "group_title"]
