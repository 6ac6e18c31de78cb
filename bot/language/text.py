"""Plain text as people type it -> lower-case words with abbreviations expanded and typos fixed.

Typos are fixed only toward the bot's own vocabulary (command words, group names, area names,
phases), with rapidfuzz, and only for words the bot does not already know, so ordinary English
is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process


def wordlist(text: str) -> list[str]:
    """Words of a whitespace-separated table written as one string (easier to read and edit)."""
    return text.split()


# what people type -> what it means (whole words only)
ABBREVIATIONS = {
    "pls": "please",
    "plz": "please",
    "plss": "please",
    "tmrw": "tomorrow",
    "tmw": "tomorrow",
    "tomoz": "tomorrow",
    "tmrow": "tomorrow",
    "2moro": "tomorrow",
    "2day": "today",
    "tdy": "today",
    "wk": "week",
    "wks": "weeks",
    "mtg": "meeting",
    "mtgs": "meetings",
    "mtng": "meeting",
    "mtngs": "meetings",
    "opp": "opportunity",
    "opps": "opportunities",
    "oppo": "opportunity",
    "oppos": "opportunities",
    "u": "you",
    "ur": "your",
    "r": "are",
    "im": "i am",
    "i'm": "i am",
    "i've": "i have",
    "we've": "we have",
    "weve": "we have",
    "we're": "we are",
    "were'nt": "were not",
    "they've": "they have",
    "you've": "you have",
    "i'd": "i would",
    "we'd": "we would",
    "we'll": "we will",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "theres": "there is",
    "cant": "can not",
    "can't": "can not",
    "cannot": "can not",
    "won't": "will not",
    "wont": "will not",
    "dont": "do not",
    "don't": "do not",
    "didn't": "did not",
    "whats": "what is",
    "what's": "what is",
    "when's": "when is",
    "where's": "where is",
    "who's": "who is",
    "how's": "how is",
    "thx": "thanks",
    "i'll": "i will",
    "b": "be",
    "apols": "apologies",
    "apols.": "apologies",
    "whos": "who is",
    "wots": "what is",
    "wot": "what",
    "grp": "group",
    "grps": "groups",
    "xmas": "christmas",
    "hlep": "help",
    "v": "versus",
    "vs": "versus",
    "ive": "i have",
    "ty": "thanks",
    "ta": "thanks",
    "cheers": "thanks",
    "nxt": "next",
    "yr": "year",
    "hols": "holidays",
    "govs": "governors",
    "sec": "secondary",
    "secondaries": "secondary",
    "secondarys": "secondary",
    "primaries": "primary",
    "prim": "primary",
    "ht": "half term",
    "eow": "end of week",
    "asap": "today",
    "info": "information",
    "pa": "persistent absence",
    "abs": "absence",
    "attendence": "attendance",
    "b4": "before",
    "thurs": "thursday",
    "thur": "thursday",
    "tues": "tuesday",
    "weds": "wednesday",
    "wed": "wednesday",
    "mon": "monday",
    "fri": "friday",
    "defo": "definitely",
    "deffo": "definitely",
    "def": "definitely",
    "defs": "definitely",
    "prob": "probably",
    "probs": "probably",
    # common slips of the keyboard in the small words that carry the meaning
    "fro": "for",
    "teh": "the",
    "hte": "the",
    "waht": "what",
    "whta": "what",
    "wat": "what",
    "adn": "and",
    "nad": "and",
    "fo": "of",
    "thier": "their",
    "tehre": "there",
    "becuase": "because",
    "becasue": "because",
    "mins": "minutes",
    "min": "minutes",
    "hrs": "hours",
    "hr": "hour",
}

# words the bot itself uses: typos are corrected toward these
VOCABULARY = wordlist("""
meetings meeting actions action opportunities opportunity attendance absence triage
consultations consultation bulletin support agenda minutes apologies papers calendar
entitlement schedules schedule overdue subscribe unsubscribe secondary primary special
compare compared comparison monday tuesday wednesday thursday friday saturday sunday tomorrow
today week month term holidays groups group help thanks please board inclusion design
persistent figures national nationally regions region cities england whoami requests request
reassign snooze remind agenda closing deadline deadlines next upcoming anything outstanding
dates minutes schedules
""")

# ordinary words that must never be "corrected" (they are near some vocabulary word)
KEEP = set(
    wordlist("""
i a the to of in on for with and or is are be am was my me we our us you your it its
this that these those what when where which who how why do does did can could would should
will not no yes any some there here have has had need needs get got at by from about up out
as if so but all new next last first one two three please thanks thank hi hello hey morning
afternoon evening good great lovely ok okay just also still again make made go going come
coming today tomorrow week weeks month months year years term meet meets meetings meeting
action actions due done finished complete completed open closed close closes closing
mine show list tell give send sent see seen want like know check let put take move moved
moving cancel cancelled book booked booking arrange set add added remove dropped drop note
notes team school schools head heads staff member members chair chairs group groups day days
time date dates back than then them they their mean means meant into over under before
after until since between during soon later latest late early scheduled count assign assigned signed resign resigned meaning action
county post posts reminder reminders response responses responded replied report reports
minded ordered minute moment subscriber subscribers subscription subscribed subscriptions""")
)

WORD_RE = re.compile(r"[a-z0-9][a-z0-9'/.\-:@#]*[a-z0-9]|[a-z0-9#]")


def words_of(text: str) -> list[str]:
    """Lower-case words; punctuation other than that inside ids, dates, emails and times dropped."""
    cleaned = (
        text.lower()
        .replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    return WORD_RE.findall(cleaned)


NOT_BASES = {"has", "is", "have", "was", "were", "are", "could", "would", "should", "did", "does"}
WILL_VERBS = {"be", "b", "come", "attend", "make", "do", "send", "take", "bring", "join"}
ADVERBS = {"defo", "deffo", "def", "definitely", "probably", "prob", "probs", "also", "still"}


def expand(words: Iterable[str]) -> list[str]:
    out: list[str] = []
    listed = list(words)
    for i, w in enumerate(listed):
        after = [x for x in listed[i + 1 : i + 3] if x not in ADVERBS][:1]
        if w == "ill" and after and after[0] in WILL_VERBS:
            out.extend(["i", "will"])
            continue
        if w not in ABBREVIATIONS and (
            w.endswith("n't") or (w.endswith("nt") and w[:-2] in NOT_BASES)
        ):
            out.extend([w[:-3] if w.endswith("n't") else w[:-2], "not"])  # hasn't -> has not
            continue
        if w.endswith("'s") and len(w) > 3 and w not in ABBREVIATIONS:
            w = w[:-2]  # Sheffield's -> Sheffield, Thursday's -> Thursday
        repl = ABBREVIATIONS.get(w)
        out.extend(repl.split() if repl else [w])
    return out


BASE = tuple(VOCABULARY)
_PREPARED: dict[int, tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]] = {}


def _prepared(extra: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The names a typo may become, and every word known as it is, for one name index's
    vocabulary: worked out once per index (it is the same tuple for every message)."""
    hit = _PREPARED.get(id(extra))
    if hit is not None and hit[0] is extra:
        return hit[1], hit[2]
    names = tuple(w for w in extra if w not in KEEP)
    known = frozenset(KEEP | set(BASE) | set(names))
    if len(_PREPARED) > 32:
        _PREPARED.clear()
    _PREPARED[id(extra)] = (extra, names, known)
    return names, known


@lru_cache(maxsize=4096)
def _correct(word: str, targets: tuple[str, ...]) -> str:
    found = process.extractOne(word, targets, scorer=fuzz.ratio, score_cutoff=82)
    return found[0] if found else word


def normalise(
    text: str, *, extra_vocabulary: tuple[str, ...] = (), fixes: list[str] | None = None
) -> list[str]:
    """The message as a list of known words; `extra_vocabulary`: group and area words too.

    Returns lower-case words. Command words are corrected from five letters up; names (group
    and area words) only from six, so ordinary words ("count") are not turned into places
    ("county"). Costs microseconds: corrections are cached per word. `fixes`, if given, gets
    each word that was corrected, as typed.
    """
    base = BASE
    names, known = _prepared(extra_vocabulary)
    out: list[str] = []
    for w in expand(words_of(text)):
        if len(w) >= 5 and w.isalpha() and w not in known:
            fixed = _correct(w, base)
            if fixed == w and len(w) >= 6:
                fixed = _correct(w, names)
            if fixes is not None and fixed != w:
                fixes.append(w)
            w = fixed
        out.append(w)
    return out
