"""One message being read: its words, who sent it, and lookups of what it names."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from rapidfuzz import fuzz
from sqlalchemy import select

from bot.dates import parse_date, to_local
from bot.errors import UserError
from bot.language import naming, slots
from bot.language.knowledge import Knowledge
from bot.language.model import Interpretation
from bot.language.text import normalise
from bot.reply import quote
from bot.services import Services
from storage import consultations as consultations_repo
from storage import meetings as meetings_repo
from storage import opportunities as opportunities_repo
from storage import support as support_repo
from storage.actions import Action
from storage.directory import Group, Organisation, Person, groups_of
from storage.support import OPEN as OPEN_REQUEST
from storage.support import SupportRequest

T = TypeVar("T")


@dataclass
class Context:
    """The message (`text` as typed, `words` normalised, `s` the words joined) and its sender."""

    text: str
    words: list[str]
    actor: Person
    services: Services
    know: Knowledge
    now: datetime
    _meetings: list[meetings_repo.MeetingBrief] | None = field(default=None, repr=False)
    _clauses: list[str] | None = field(default=None, repr=False)
    _named: dict[tuple[str, int], naming.Named] = field(default_factory=dict, repr=False)

    @property
    def s(self) -> str:
        return " ".join(self.words)

    @property
    def today(self) -> date:
        """The day the message is read on, in the partnership's zone."""
        return to_local(self.now, self.services.tz).date()

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.s) is not None

    @property
    def asks_state(self) -> bool:
        """A question about how something stands ("did the consultation close yet?", "is
        action 7 done?"), not a request to change it ("can you close action 7?")."""
        return self.has(STATE_QUESTION) or (
            self.text.rstrip().endswith("?") and self.has(r"\byet\b")
        )

    def clause(self, pattern: str) -> str:
        """The words of the clause (between commas, full stops, "but", "so") where `pattern`
        first matches, or all the words: details are read from the part that asks, not from
        a long message's preamble ("ive got a lot on this week, what actions have i got")."""
        if self._clauses is None:
            parts = re.split(r"[,;.!?]+|\s+-\s+|\b(?:but|so)\b", self.text.lower())
            vocabulary = self.know.vocabulary
            self._clauses = [
                " ".join(w) for w in (normalise(p, extra_vocabulary=vocabulary) for p in parts) if w
            ]
        for part in self._clauses:
            if re.search(pattern, part):
                return part
        return self.s

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

    async def _memo(self, key: tuple[object, ...], load: Callable[[], Awaitable[T]]) -> T:
        """`load()`, kept with the name index under `key` plus the minute asked in (a clock
        moved by a test or by time asks again; a write through the router forgets it all)."""
        full = (*key, self.now.replace(second=0, microsecond=0))
        memo = self.know.memo
        if full not in memo:
            if len(memo) > 512:
                memo.clear()
            memo[full] = await load()
        return memo[full]  # type: ignore[return-value]

    async def upcoming(self) -> list[meetings_repo.MeetingBrief]:
        if self._meetings is None:
            self._meetings = await self._memo(
                ("upcoming", self.actor.id),
                lambda: meetings_repo.upcoming_briefs(
                    self.services.session, person_id=self.actor.id, now=self.now, limit=20
                ),
            )
        return self._meetings

    async def meeting(
        self, *, by_day: bool = True
    ) -> tuple[int | None, list[meetings_repo.MeetingBrief]]:
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
            candidates = [m for m in candidates if m.group == group]
            if not candidates:  # a group the asker is not in (staff, or a guest): its own list
                found = await self.services.session.scalar(select(Group).where(Group.name == group))
                if found is not None:
                    candidates = await meetings_repo.upcoming_briefs(
                        self.services.session, group_id=found.id, now=self.now, limit=5
                    )
        day = slots.day_phrase(self.s) if by_day else None
        if day is not None:
            candidates = self._on_day(candidates, day)
        if len(candidates) == 1 or (candidates and (group or self.has(r"\bnext\b"))):
            return candidates[0].id, []
        return None, candidates[:3]

    def _on_day(
        self, candidates: list[meetings_repo.MeetingBrief], day: str
    ) -> list[meetings_repo.MeetingBrief]:
        """The meetings on a day named by weekday ("Thursday's") or date ("15 Jan")."""
        tz = self.services.tz
        weekday = day.removeprefix("next ").removeprefix("this ")
        if weekday in slots.WEEKDAYS:
            return [
                m for m in candidates if to_local(m.starts_at, tz).strftime("%A").lower() == weekday
            ]
        wanted = slots.quick_date(day, to_local(self.now, tz).date())
        if wanted is None:  # the bot's own date words (dateparser): slower, so only now
            try:
                wanted = parse_date(day, now=self.now, tz=tz)
            except UserError:
                return candidates
        return [m for m in candidates if to_local(m.starts_at, tz).date() == wanted]

    async def titled(self, kind: str, *, strict: bool = False) -> int | None:
        """The open opportunity or consultation whose title the message names, or None."""
        if not _title_words(self.s):  # nothing that could name one: spare the query
            return None
        session = self.services.session

        async def load() -> list[tuple[int, str]]:
            if kind == "opportunity":
                rows = await opportunities_repo.open_opportunities(session, today=self.today)
            else:
                rows = await consultations_repo.open_consultations(session, now=self.now)
            return [(i.id, i.title) for i in rows]

        items = await self._memo(("titled", kind), load)
        found = _best_title(self.s, items, strict=strict)
        if found is None and len(items) == 1 and self.has(rf"\b(?:the|this|that) {kind}\b"):
            return items[0][0]  # "the consultation" when only one is open
        return found

    async def scheduled_post(self) -> int | None:
        """The running scheduled post the message describes ("the weekly bulletin reminder")."""
        if not _title_words(self.s):  # nothing that could name one: spare the query
            return None
        posts = await consultations_repo.live_scheduled_posts(self.services.session, now=self.now)
        return _best_title(self.s, [(p.id, p.text) for p in posts], strict=True)

    async def my_action(self) -> int | None:
        """The asker's open action the message describes ("I've circulated the PA figures")."""
        if not _title_words(self.s):  # nothing that could name one: spare the query
            return None
        mine = [(a[0], a[1]) for a in await self._open_actions() if a[3] == self.actor.id]
        return _best_title(self.s, mine, cutoff=60)

    async def _open_actions(self) -> list[tuple[int, str, object, int | None, int | None]]:
        """Every open action as (id, text, due, owner id, group id), in id order, kept with
        the name index (`Knowledge.open_actions`) so a message usually costs no query."""
        if self.know.open_actions is None:
            rows = await self.services.session.execute(
                select(Action.id, Action.text, Action.due_on, Action.owner_id, Action.group_id)
                .where(Action.status == "open")
                .order_by(Action.id)
            )
            self.know.open_actions = [tuple(r) for r in rows]  # type: ignore[misc]
        return self.know.open_actions  # type: ignore[return-value]

    async def _member_of(self) -> frozenset[int]:
        """The ids of the asker's groups, kept with the name index like the open actions."""
        found = self.know.member_of.get(self.actor.id)
        if found is None:
            groups = await groups_of(self.services.session, self.actor.id)
            found = self.know.member_of[self.actor.id] = frozenset(g.id for g in groups)
        return found

    async def support_request(self) -> int | None:
        """The open support request a member of staff names by what it asks for or who asked
        ("the parkwood maths exchange one", "behaviour policy review for don valley"), or None.

        Staff only: a request's text is for the requester and Learn Sheffield staff (DESIGN
        invariant 6). The text is compared here and never logged or returned."""
        if not self.actor.is_staff or not _title_words(self.s):
            return None
        rows = await self.services.session.execute(
            select(SupportRequest.id, SupportRequest.details, Organisation.name)
            .outerjoin(Organisation, Organisation.id == SupportRequest.organisation_id)
            .where(SupportRequest.status.in_(OPEN_REQUEST))
        )
        return _best_title(self.s, [(r[0], f"{r[1]} {r[2] or ''}") for r in rows], strict=True)

    # --- things the asker already has, named by their title --------------------------------

    async def named(self, kind: str, *, need: int | None = None) -> naming.Named:
        """The open action or support request (`kind` "action" / "request") the message names
        by what its title says, among what the asker can see: their own first, then their
        groups' actions (staff: the open requests they triage), then other open actions. Two
        title words are needed unless the message says the kind of thing ("the AP places
        action", "the behaviour one")."""
        if need is None:
            noun = r"\b(?:action|task|one)\b" if kind == "action" else r"\b(?:request|one|case)\b"
            need = 1 if self.has(noun) else 2
        if (kind, need) in self._named:  # several rules ask; one lookup per message
            return self._named[kind, need]
        if not naming.content_words(self.s):  # "done", "sorted it": nothing to look up
            self._named[kind, need] = naming.Named()
            return self._named[kind, need]
        session = self.services.session
        items: list[naming.Item] = []
        if kind == "action":
            mine = await self._member_of()
            for aid, text, due, owner, group in await self._open_actions():
                tier = 0 if owner == self.actor.id else 1 if group in mine else 2
                items.append(naming.Item(aid, text, due, tier))
        else:
            own = await support_repo.requests_for(
                session, organisation_id=self.actor.organisation_id, requester_id=self.actor.id
            )
            queue = await support_repo.open_requests(session) if self.actor.is_staff else []
            orgs = dict((await session.execute(select(Organisation.id, Organisation.name))).all())
            seen: set[int] = set()
            for tier, requests in ((0, own), (1, queue)):
                for r in requests:
                    if r.id in seen or not r.details:
                        continue
                    seen.add(r.id)
                    raised = to_local(r.created_at, self.services.tz).date()
                    also = f"{r.kind} {orgs.get(r.organisation_id, '')}"
                    items.append(naming.Item(r.id, r.details, raised, tier, also))
        found = self._named[kind, need] = naming.pick(self.s, items, need=need)
        return found

    async def refer(
        self, kind: str, build: str, *, number: int | None, label: str
    ) -> Interpretation | str | None:
        """`build` with `{id}` filled from the number typed, or from the one item the message
        names; a question naming each when two or three are named about equally; None when
        nothing is named (the rule decides whether to ask for the number)."""
        if number is not None:
            return fill(build, number)
        found = await self.named(kind)
        if found.best is not None:
            return fill(build, found.best.id)
        if not found.close:
            return None
        names = [
            f"#{i.id} {i.title}" + (f" ({i.when:%a} {i.when.day} {i.when:%b})" if i.when else "")
            for i in found.close
        ]
        what = "action" if kind == "action" else "request"
        return Interpretation(
            command=None,
            kind="clarify",
            question=f"Which {what}: " + ", ".join(names[:-1]) + " or " + names[-1] + "?",
            choices=[fill(build, i.id) for i in found.close],
            labels=[f"{label} {n}" for n in names],
        )

    async def organisation(self) -> str | None:
        """An organisation the message names (`Parkwood Academy`, `steel city secondary`)."""
        for name in self.know.organisations:
            if name.lower() in self.s:
                return name
        for name in self.know.organisations:  # "hillside's": the first word, if only one has it
            first = name.lower().split()[0]
            if (
                len(first) > 4
                and first not in self.know.areas  # "sheffield" is the city, not Sheffield College
                and re.search(rf"\b{re.escape(first)}\b", self.s)
                and sum(o.lower().split()[0] == first for o in self.know.organisations) == 1
            ):
                return name
        return None

    def meeting_label(self, m: meetings_repo.MeetingBrief) -> str:
        local = to_local(m.starts_at, self.services.tz)
        return f"#{m.id} {m.group} ({local:%a} {local.day} {local:%b})"

    async def meeting_or_ask(
        self, build: str, *, what: str, kind: str, label: str, by_day: bool = True
    ) -> Interpretation | str:
        """`build` with `{id}` filled, or a question naming the likeliest meetings.

        `by_day`: a day in the message picks the meeting (not when it is where one moves to)."""
        mid, options = await self.meeting(by_day=by_day)
        if mid is not None:
            return fill(build, mid)
        if not options:
            return Interpretation(
                command=None,
                kind="clarify",
                question=f"Which meeting{what}? Give its number, e.g. `{fill(build, 1)}`; "
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
            choices=[fill(build, m.id) for m in options],
            labels=[f"{label} {n}" for n in names],
        )


# "did/has/is <something> ..." : asking how a thing stands; "can you ..." is a request
STATE_QUESTION = (
    r"^(?:(?:so|ok|and|but|hi|hello) )?(?:did|does|has|have|had|is|was|were|are) "
    r"(?:the|this|that|my|our|it|we|i|they|anyone|everyone|everybody|\w+ (?:action|meeting|"
    r"consultation|request|opportunity)|action|meeting|consultation|request|opportunity)\b"
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


def fill(build: str, item_id: int) -> str:
    """`build` with its first `{id}` replaced by the id. Not str.format: the rest may be the
    person's own words ("apologies {id} "{curly} reason""), which must never be read as fields."""
    return build.replace("{id}", str(item_id), 1)


def q(value: str) -> str:
    return quote(value)


def group_title(ctx: Context, name: str) -> str:
    return ctx.know.titles.get(name, name)


STOP = set(
    [
        "the",
        "a",
        "an",
        "of",
        "for",
        "to",
        "and",
        "in",
        "on",
        "at",
        "my",
        "our",
        "we",
        "i",
        "it",
        "is",
        "this",
        "that",
        "one",
        "about",
        "with",
        "from",
        "opportunity",
        "opportunities",
        "consultation",
        "consultations",
        "action",
        "done",
        "have",
        "has",
        "been",
    ]
)


def _title_words(s: str) -> set[str]:
    """The words `_best_title` compares, by their first five letters (none: nothing named)."""
    return {w[:5] for w in re.findall(r"[a-z0-9]+", s.lower()) if len(w) > 2 and w not in STOP}


def _best_title(
    s: str, items: list[tuple[int, str]], *, cutoff: int = 75, strict: bool = False
) -> int | None:
    """The id of the one item whose title the words name: most shared words (compared by
    their first five letters, so "circulated" names "Circulate PA figures"), at least two, or
    one that no other title has; a near-tie names none. `cutoff` is kept for a fuzzy second
    try on typed titles (rapidfuzz token_set_ratio)."""
    stems = _title_words
    wanted = stems(s)
    if not wanted or not items:
        return None
    owned = [(item_id, stems(title)) for item_id, title in items]
    counts: dict[str, int] = {}
    for _, words in owned:
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    scored = sorted(
        (
            (len(wanted & words), any(counts[w] == 1 for w in wanted & words), item_id)
            for item_id, words in owned
        ),
        reverse=True,
    )
    best = scored[0]
    tie = len(scored) > 1 and scored[1][:2] == best[:2]
    if best[0] >= 2 and not tie or (best[0] == 1 and best[1] and not tie and not strict):
        return best[2]
    if strict:
        return None
    words = " ".join(w for w in s.split() if w not in STOP)
    fuzzy = sorted(
        ((fuzz.token_set_ratio(words, title.lower()), item_id) for item_id, title in items),
        reverse=True,
    )
    if fuzzy[0][0] >= cutoff and (len(fuzzy) == 1 or fuzzy[1][0] < fuzzy[0][0]):
        return fuzzy[0][1]
    return None


__all__ = ["Context", "Group", "fill", "q", "reason_after", "group_title"]
