"""What the interpreter resolves names against: groups, people and attendance areas.

Built from the database once and kept per database while its fingerprint (row counts and
highest ids of people and groups, the attendance releases) is unchanged and for at most
`TTL_SECONDS`. The fingerprint itself is asked at most every `RECHECK_SECONDS` (it is a
database round trip, two thirds of a message's reading), and a write through the router
forgets the index at once (`forget`), so a message usually costs no query at all: 2,000 people
take about 10 ms to load; a lookup in the index takes microseconds.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.language.text import KEEP, wordlist
from storage import attendance as attendance_repo
from storage.attendance_areas import normalise as area_key
from storage.directory import Group, Organisation, Person

TTL_SECONDS = 60.0
RECHECK_SECONDS = 2.0  # a change made by another process is seen within this
# words in group titles that do not tell one group from another
GENERIC = set(
    wordlist("""group groups sub-group sub subgroup priority working the of and a partnership strategic
    children's childrens private point-of-need channel""")
)
# group words that are also ordinary verbs: a group only with a group word beside them
AMBIGUOUS = {"send", "design", "bulletin", "triage"}
GROUP_WORDS = {
    "group",
    "groups",
    "sub-group",
    "subgroup",
    "sub",
    "meeting",
    "meetings",
    "members",
    "membership",
    "actions",
    "people",
    "chair",
    "working",
    "channel",  # "post to the design channel every wednesday"
}
# area words that do not name one area by themselves
AREA_GENERIC = set(
    wordlist("city of upon and the on east west north south county borough royal the in st")
)
AREA_ALIASES = {
    "nationally": "England",
    "national": "England",
    "england": "England",
    "the country": "England",
    "the national average": "England",
    "hull": "Hull",
    "newcastle": "Newcastle",
}


@dataclass
class PersonRef:
    id: int
    name: str
    email: str

    @property
    def handle(self) -> str:
        return self.email.split("@", 1)[0]


@dataclass
class Knowledge:
    """Name indexes: words and phrases -> group names, people, area names."""

    groups: dict[str, str] = field(default_factory=dict)  # alias phrase -> group name
    titles: dict[str, str] = field(default_factory=dict)  # group name -> title
    people: list[PersonRef] = field(default_factory=list)
    by_name: dict[str, list[PersonRef]] = field(default_factory=dict)  # full/first/handle/email
    areas: dict[str, str] = field(default_factory=dict)  # phrase -> the word to put in a command
    vocabulary: tuple[str, ...] = ()
    names: list[str] = field(default_factory=list)  # people's full names, lower case, in order
    organisations: list[str] = field(default_factory=list)
    # open actions (id, text, due, owner id, group id) and each asker's group ids, loaded on
    # first use and kept as long as the index: naming an action by its title ("the letter
    # template action") then costs no query. Any write through the router forgets the index.
    open_actions: list[tuple[int, str, object, int | None, int | None]] | None = None
    member_of: dict[int, frozenset[int]] = field(default_factory=dict)
    # other lookups a message makes (the asker's upcoming meetings, the open opportunities'
    # titles), keyed by what they depend on including the minute asked in, kept like the rest
    memo: dict[tuple[object, ...], object] = field(default_factory=dict)

    def group_in(self, words: list[str]) -> list[str]:
        """Group names mentioned in the words, in order ("the attendance group", "SEND")."""
        found: list[str] = []
        for i in range(len(words)):
            for n in (4, 3, 2, 1):
                phrase = " ".join(words[i : i + n])
                name = self.groups.get(phrase)
                if name is None:
                    continue
                if n == 1 and phrase in AMBIGUOUS:
                    nxt = words[i + 1] if i + 1 < len(words) else ""
                    if nxt not in GROUP_WORDS:
                        continue
                if name not in found:
                    found.append(name)
                break
        return found

    def person(self, phrase: str) -> list[PersonRef]:
        """People a phrase names: full name, first name, handle or email; else the nearest name."""
        key = phrase.strip().lstrip("@").lower()
        if not key:
            return []
        exact = self.by_name.get(key)
        if exact:
            return exact
        if len(key) < 4 or not self.people or all(w in KEEP for w in key.split()):
            return []
        hit = process.extractOne(key, self.names, scorer=fuzz.ratio, score_cutoff=85)
        return [self.people[hit[2]]] if hit else []

    def areas_in(self, words: list[str]) -> list[str]:
        """Attendance areas mentioned, in order, as words the attendance command reads."""
        found: list[str] = []
        i = 0
        while i < len(words):
            for n in (5, 4, 3, 2, 1):
                phrase = " ".join(words[i : i + n])
                if phrase in self.areas:
                    if self.areas[phrase] not in found:
                        found.append(self.areas[phrase])
                    i += n
                    break
            else:
                i += 1
        return found


def _group_aliases(groups: list[tuple[str, str, str]]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    word_owners: dict[str, set[str]] = {}
    for name, title, kind in groups:
        if kind == "channel":
            continue
        for w in re.findall(r"[a-z0-9'-]+", title.lower()):
            if w not in GENERIC:
                word_owners.setdefault(w, set()).add(name)
    for name, title, _kind in groups:
        aliases[name.lower()] = name
        aliases[title.lower()] = name
    for w, owners in word_owners.items():
        if len(owners) == 1:
            aliases.setdefault(w, next(iter(owners)))
    return aliases


def _area_index(names: list[str], core: list[str]) -> dict[str, str]:
    index: dict[str, str] = {}
    word_owners: dict[str, set[str]] = {}
    for name in names:
        norm = area_key(name)
        index[norm] = name if " " not in name else f'"{name}"'
        for w in norm.split():
            if w not in AREA_GENERIC and w not in KEEP and len(w) > 2:
                word_owners.setdefault(w, set()).add(name)
    for w, owners in word_owners.items():
        if len(owners) == 1 and w not in index:
            index[w] = w.title()
    for city in core:
        index.setdefault(area_key(city), city)
    for phrase, word in AREA_ALIASES.items():
        index[phrase] = word
    return index


@dataclass
class _Cached:
    fingerprint: tuple[object, ...]
    built: float
    checked: float
    know: Knowledge


_CACHE: dict[str, _Cached] = {}


def forget(session: AsyncSession | None = None) -> None:
    """Drop the index of this session's database (every database when None): a command
    changed something, perhaps the directory, and the next message should see it."""
    if session is None:
        _CACHE.clear()
    else:
        _CACHE.pop(_key(session), None)


def _key(session: AsyncSession) -> str:
    return str(session.bind.url) if session.bind else ""


async def _fingerprint(session: AsyncSession) -> tuple[object, ...]:
    row = (
        await session.execute(
            select(
                select(func.count(Person.id)).scalar_subquery(),
                select(func.max(Person.id)).scalar_subquery(),
                select(func.count(Group.id)).scalar_subquery(),
                select(func.max(Group.id)).scalar_subquery(),
                select(func.count(attendance_repo.AttendanceRelease.id)).scalar_subquery(),
                select(func.count(Organisation.id)).scalar_subquery(),
            )
        )
    ).one()
    return tuple(row)


async def knowledge(session: AsyncSession, *, core_cities: list[str]) -> Knowledge:
    """The index for this database, rebuilt when the directory changes (or after a minute)."""
    key = _key(session)
    cached = _CACHE.get(key)
    now = time.monotonic()
    if cached and now - cached.built < TTL_SECONDS and now - cached.checked < RECHECK_SECONDS:
        return cached.know
    fp = await _fingerprint(session)
    if cached and cached.fingerprint == fp and now - cached.built < TTL_SECONDS:
        cached.checked = now
        return cached.know
    groups = [tuple(r) for r in await session.execute(select(Group.name, Group.title, Group.kind))]
    people = [
        PersonRef(*r)
        for r in await session.execute(
            select(Person.id, Person.name, Person.email).where(Person.active.is_(True))
        )
    ]
    know = Knowledge(people=people, names=[p.name.lower() for p in people])
    know.groups = _group_aliases(groups)  # type: ignore[arg-type]
    know.titles = {g[0]: g[1] for g in groups}
    # the organisations support is for (schools, trusts, colleges), not Learn Sheffield itself
    know.organisations = list(
        await session.scalars(
            select(Organisation.name).where(Organisation.kind.in_(("school", "trust", "college")))
        )
    )
    for p in people:
        first = p.name.split()[0].lower() if p.name.split() else p.name.lower()
        for k in {p.name.lower(), first, p.handle.lower(), p.email.lower()}:
            know.by_name.setdefault(k, []).append(p)
    areas, _phases = await attendance_repo.catalogue(session)
    know.areas = _area_index([a.name for a in areas], core_cities)
    vocab = {w for phrase in know.groups for w in phrase.split() if w.isalpha() and len(w) > 4}
    vocab |= {w for phrase in know.areas for w in phrase.split() if w.isalpha() and len(w) > 4}
    know.vocabulary = tuple(sorted(vocab))
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[key] = _Cached(fp, now, now, know)
    return know
