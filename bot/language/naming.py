"""Things people already have, named by what their title says instead of their number.

"the letter template action", "the AP places action", "the core cities comparison", "my
consultancy request, the behaviour one", "the parkwood maths exchange one": the message's words
are matched against the titles of what the asker can see (their own items first, then their
groups', then the rest they may see), with rapidfuzz for slips and word endings ("inviting" names
"Invite health colleagues") and initials for abbreviations ("AP" names "alternative provision").
Pure functions over (id, title) rows: the lookups that load the rows live in
`bot.language.context`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from bot.language.text import wordlist

# Words that never tell one item from another: grammar, the nouns for the things themselves,
# and the verbs people use about them ("push the ... back", "put it with me")
STOPWORDS = frozenset(
    wordlist(
        """
    a an the of for to and in on at my our we i it is this that one ones about with from by as
    be do so no or if us me you your he she they them his her their its am are was were has have
    had been can could would should will shall may might must not just now then there here
    what whats which who when where how why any all some
    action actions task tasks request requests thing item one meeting meetings
    please pls thanks done finished complete sorted close closed off over back up out put pass
    give hand move push take took picked pick reassign assign note add update latest got get
    week weeks day days next last same time new old again also still only
    """
    )
)


@dataclass(frozen=True)
class Item:
    """One thing the asker may mean.

    `title` is shown in a question; `when` (due, raised or closing day) too; `tier` orders
    equally good matches: 0 the asker's own, 1 their groups' (or, for staff, the queue they
    work), 2 anything else they may see. `also` holds more words that name it but are never
    shown (the requester's school, the request's kind)."""

    id: int
    title: str
    when: date | None
    tier: int
    also: str = ""


@dataclass
class Named:
    """What a message names: `best` when one item is clearly meant, else `close` (2-3 items
    named about equally well, to ask about) or neither (nothing named)."""

    best: Item | None = None
    close: list[Item] | None = None


def content_words(text: str) -> list[str]:
    """The words of `text` that can tell items apart, lower case, in order."""
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS]


def _matches(title_word: str, said: list[str]) -> bool:
    """Whether a title word is said: exactly, with another ending ("inviting"/"invite",
    "places"/"place", both at least four letters and sharing their first four), or through a
    slip (rapidfuzz ratio >= 85 for words of five letters or more)."""
    if title_word in said:
        return True
    if len(title_word) < 4:
        return False
    stem = title_word[:4]
    if any(len(w) >= 4 and w[:4] == stem and (w[:5] == title_word[:5] or len(w) < 6) for w in said):
        return True
    if len(title_word) < 5:
        return False
    return process.extractOne(title_word, said, scorer=fuzz.ratio, score_cutoff=85) is not None


def _initials(title: list[str], said: list[str]) -> int:
    """Letters of an abbreviation the message uses for consecutive title words ("ap" for
    "alternative provision", "pa" for "persistent absence"): the number of words it stands
    for, or 0."""
    heads = "".join(w[0] for w in title)
    best = 0
    for w in said:
        if 2 <= len(w) <= 4 and w.isalpha() and w not in title and w in heads:
            best = max(best, len(w))
    return best


def pick(message: str, items: list[Item], *, need: int = 2) -> Named:
    """The item `message` names, by how many of its title's words it says.

    A title word only one item has counts 1, one shared by several counts 0.5. `need` is how
    many title words must be said (2 when the message does not even say what kind of thing it
    means; 1 when it does, "the AP places action"). The best item wins outright when no other
    of the same or a nearer tier scores within 0.25 of it; otherwise the two or three close
    ones are returned to ask about."""
    said = content_words(message)
    if not said or not items:
        return Named()
    titles = [content_words(f"{i.title} {i.also}") for i in items]
    seen: dict[str, int] = {}
    for words in titles:
        for w in set(words):
            seen[w] = seen.get(w, 0) + 1
    scored: list[tuple[float, int, Item]] = []
    for item, words in zip(items, titles, strict=True):
        hits = [w for w in dict.fromkeys(words) if _matches(w, said)]
        score = sum(1.0 if seen[w] == 1 else 0.5 for w in hits)
        count = len(hits)
        short = _initials(content_words(item.title), said)
        if short:
            score, count = score + short, count + short
        if count >= need:
            scored.append((score, item.tier, item))
    if not scored:
        return Named()
    scored.sort(key=lambda s: (-s[0], s[1], s[2].id))
    top_score, top_tier, top = scored[0]
    close = [i for s, tier, i in scored[1:] if s >= top_score - 0.25 and tier <= top_tier]
    if not close:
        return Named(best=top)
    return Named(close=[top, *close][:3])
