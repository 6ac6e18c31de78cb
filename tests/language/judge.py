"""The examiner for plain English: load the corpus, and decide whether a reading means the
command a case expects.

A reading is compared with the expected command *structurally*, never as text: both are parsed
with `bot.parsing` (the router's own tokenizer) and looked up in the registry, then reduced to a
`Meaning`: the command name, the ids, the keywords that change the answer (`yes`, `export`,
an area, a phase, a year...), the options with their values normalised (dates resolved at the
fixed `now`, people and groups resolved to the directory's ids and names, phases and tags as
sets) and whether free text was given. Free text itself (an apology's reason, an action's
wording) is never compared word for word.

Period filters (meetings in a period, actions due before a date, opportunities closing within a
period) are reduced to the dates they allow: an inclusive (from, to) pair, the start never
before today. The corpus writes them as `period:"this week"` or `before:friday`; the
interpreter's own option names are mapped onto the same pair in `FILTER_KEYS`.

Corpus files are TSV with a header `from  message  command`: the sender's email, the message as
written, and the command it means. `||` separates readings that are equally right;
`~smalltalk` and `~clarify` mean the bot should chat or ask a question rather than run anything.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import parse_date, parse_datetime, parse_duration, parse_time
from bot.errors import UserError
from bot.parsing import Args, build_args, split_command, split_list
from bot.registry import Registry
from bot.terms import TermCalendar
from storage import directory

HERE = Path(__file__).resolve().parent
TRAIN = HERE / "train.tsv"
HELDOUT = HERE / "heldout.tsv"


# option names that carry a period filter on the lists that have one, whatever the
# interpreter calls them; the value may itself say `before friday`, `by friday`, `this week`
FILTERED = {"meetings", "actions", "actions overdue", "opps"}
FILTER_KEYS = {
    "period",
    "when",
    "on",
    "due",
    "closing",
    "closes",
    "within",
    "before",
    "due-before",
    "by",
    "until",
    "from",
    "to",
    "after",
}
# options that may be present on one side only (a form field the person still fills or checks)
OPTIONAL = {
    "action add": {"group", "meeting"},
    "meeting add": {"until", "for", "place", "link", "end"},
    "support": {"contact", "consent", "org"},
    "opp add": {"tags", "summary", "provider", "link", "subscribers"},
    "consultation add": {"summary", "link", "opens", "reminders", "nudge"},
}
IGNORED_OPTIONS = {"confirm"}
# what a command assumes when an option is left out (`opp add` is for every phase unless told)
DEFAULTS = {"opp add": {"phase": "all"}}
# commands whose free text is what is being done: a reading without any is not the command
NEEDS_TEXT = {
    "action add",
    "meeting add",
    "opp add",
    "agenda",
    "minutes",
    "action note",
    "triage resolve",
    "triage signpost",
    "consultation add",
    "schedule add",
}
KEYWORDS = {
    "rsvp": {"yes", "no", "maybe"},
    "actions": {"all", "export"},
    "actions overdue": {"all", "export"},
    "terms": {"all"},
    "calendar": {"reset"},
    "agenda": {"list", "add", "remove"},
    "papers": {"add"},
}
SUPPORT_KINDS = {"crisis", "consultancy", "advocacy", "brokerage", "signposting"}
PHASES = {
    "primary": "primary",
    "primaries": "primary",
    "secondary": "secondary",
    "secondaries": "secondary",
    "special": "special",
    "specials": "special",
    "nursery": "nursery",
    "nurseries": "nursery",
    "post-16": "post-16",
    "post16": "post-16",
    "all-through": "all-through",
    "all": "all",
    "total": "all",
}
HELP_TOPICS = {
    "opps": "opportunities",
    "opp": "opportunities",
    "opportunity": "opportunities",
    "meeting": "meetings",
    "action": "actions",
    "consultation": "consultations",
}
# words in a local authority's official name that people leave out ("Kingston upon Hull, City of")
AREA_FILLER = {"city", "of", "upon", "kingston", "tyne", "the", "and", "total", "schools"}


@dataclass(frozen=True)
class Case:
    """One corpus line: who sent it, what they wrote, the readings that are right."""

    sender: str
    message: str
    expected: tuple[str, ...]
    source: str
    line: int

    @property
    def commands(self) -> list[str]:
        return [e for e in self.expected if not e.startswith("~")]


def load(path: Path) -> list[Case]:
    """Read a corpus TSV; raises ValueError naming the line when a row is malformed."""
    cases = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != ["from", "message", "command"]:
            raise ValueError(f"{path.name}: header must be from, message, command")
        for number, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            if len(row) != 3 or not all(cell.strip() for cell in row):
                raise ValueError(f"{path.name}:{number}: want 3 tab-separated cells, got {row}")
            sender, message, command = (cell.strip() for cell in row)
            expected = tuple(alt.strip() for alt in command.split("||"))
            cases.append(Case(sender, message, expected, path.name, number))
    return cases


@dataclass(frozen=True)
class Meaning:
    """What a command text means, in a form two readings can be compared by."""

    name: str
    ids: tuple[int, ...] = ()
    keywords: frozenset[str] = frozenset()
    options: tuple[tuple[str, object], ...] = ()
    people: frozenset[int] = frozenset()
    bounds: tuple[date | None, date | None] | None = None
    text: bool = False
    search: frozenset[str] = field(default=frozenset())


class Judge:
    """Reduces command texts to `Meaning`s against one directory, at one fixed instant."""

    def __init__(
        self,
        session: AsyncSession,
        registry: Registry,
        *,
        now: datetime,
        tz: ZoneInfo,
        terms: TermCalendar,
    ) -> None:
        self.session = session
        self.registry = registry
        self.now = now
        self.tz = tz
        self.terms = terms
        self.today = now.astimezone(tz).date()
        self._groups: dict[str, str] | None = None
        self._orgs: dict[str, str] | None = None

    async def matches(self, expected: str, actual: str | None) -> bool:
        """Does the reading `actual` mean the command `expected`?"""
        if not actual:
            return False
        try:
            want, got = await self.meaning(expected), await self.meaning(actual)
        except UserError:  # an unreadable date or an unknown person: not the same command
            return False
        return self.same(want, got)

    def same(self, want: Meaning, got: Meaning) -> bool:
        if (want.name, want.ids, want.keywords, want.people) != (
            got.name,
            got.ids,
            got.keywords,
            got.people,
        ):
            return False
        if not _same_bounds(want.bounds, got.bounds):
            return False
        if want.search and not (want.search & got.search):
            return False
        if got.search and not want.search:
            return False
        if want.name in NEEDS_TEXT and want.text and not got.text:
            return False
        mine, theirs = dict(want.options), dict(got.options)
        optional = OPTIONAL.get(want.name, set())
        for key in mine.keys() | theirs.keys():
            if key in mine and key in theirs:
                if mine[key] != theirs[key]:
                    return False
            elif key not in optional:
                return False
        return True

    async def meaning(self, text: str) -> Meaning:
        """Parse one command text; raises UserError when it is not a command at all."""
        tokens = split_command(text)
        if tokens and tokens[0].text.lower().lstrip("/") in ("partnership", "@partnership-bot"):
            tokens = tokens[1:]
        command, used = self.registry.lookup([t.text for t in tokens])
        if command is None:
            raise UserError(f"not a command: {text!r}")
        args = build_args(tokens[used:], raw=text)
        name = command.name
        ids, words = _ids_and_words(args)
        keywords: set[str] = set()
        search: set[str] = set()
        has_text = False
        options = dict(args.options)
        bounds = None

        # equivalent spellings of the same request
        if name == "rsvp" and [w.lower() for w in words[:1]] == ["no"]:
            name, words = "apologies", words[1:]
        if name == "triage" and ids:
            name = "support"
        if name == "agenda" and not [w for w in words if w.lower() in KEYWORDS["agenda"]]:
            keywords.add("list")

        if name.startswith("attendance"):
            keywords |= self._attendance_words(words, options)
            options.pop("phase", None)
            options.pop("year", None)
        elif name == "help":
            topic = " ".join(w.lower() for w in words)
            keywords.add(HELP_TOPICS.get(topic, topic))
        elif name == "group":
            keywords |= {await self._group(" ".join(words))} if words else set()
        elif name in ("action snooze", "action due"):
            keywords.add(self._when(" ".join(words)).isoformat())
        elif name == "support" and not ids:
            kinds = [w.lower() for w in words if w.lower() in SUPPORT_KINDS]
            kind = (kinds[:1] or [options.pop("kind", "").lower()])[0]
            if kind:
                keywords.add(kind)
            has_text = any(w.lower() not in SUPPORT_KINDS for w in words)
        elif name == "opps":
            search = {part.lower() for w in words for part in w.split()}
        elif name == "papers":
            keywords |= {w.lower() for w in words}
        else:
            vocab = KEYWORDS.get(name, set())
            keywords |= {w.lower() for w in words if w.lower() in vocab}
            has_text = any(w.lower() not in vocab for w in words)

        filters = {
            k: options.pop(k) for k in list(options) if k in FILTER_KEYS and name in FILTERED
        }
        if filters:
            bounds = self._bounds(filters)
        normalised = {}
        for key, value in {**DEFAULTS.get(name, {}), **options}.items():
            if key in IGNORED_OPTIONS:
                continue
            normalised[key] = await self._option(key, value)
        if name in ("meeting add", "meeting move"):
            _meeting_end(normalised, self.tz)
        people = frozenset([await self._person(p) for p in args.people])
        return Meaning(
            name=name,
            ids=tuple(ids),
            keywords=frozenset(keywords),
            options=tuple(sorted(normalised.items(), key=lambda kv: kv[0])),
            people=people,
            bounds=bounds,
            text=has_text,
            search=frozenset(search),
        )

    # --- values ---------------------------------------------------------------------------

    def _when(self, text: str) -> date:
        """A snooze or due value: a duration from now, or a date."""
        try:
            return (self.now + parse_duration(text)).astimezone(self.tz).date()
        except UserError:
            return parse_date(text, now=self.now, tz=self.tz, terms=self.terms)

    def _attendance_words(self, words: list[str], options: dict[str, str]) -> set[str]:
        found: set[str] = set()
        raw = [*words, options.get("phase", ""), options.get("year", "")]
        for word in " ".join(raw).replace(",", " ").split():
            low = word.lower().strip("'’").removesuffix("'s")
            if low in PHASES:
                found.add("phase=" + PHASES[low])
            elif re.fullmatch(r"\d{4}([/-]\d{2,4})?", low):
                found.add("year=" + _year(low))
            elif low in ("national", "nationally", "england"):
                found.add("england")
            elif low not in AREA_FILLER and low not in ("state-funded", "state", "funded"):
                found.add(low)
        return found

    async def _option(self, key: str, value: str) -> object:
        if key in ("group", "channel", "audience"):
            return frozenset([await self._group(v) for v in split_list(value)])
        if key in ("owner", "as"):
            return "channel" if value == "channel" else await self._person(value)
        if key == "phase":
            return frozenset(PHASES.get(p.lower(), p.lower()) for p in split_list(value))
        if key in ("tag", "tags"):
            return frozenset(t.lower().removesuffix("s") for t in split_list(value))
        if key == "on":
            return parse_datetime(value, now=self.now, tz=self.tz, terms=self.terms)
        if key in ("due", "closes", "opens"):
            return parse_date(value, now=self.now, tz=self.tz, terms=self.terms)
        if key == "until":
            return parse_time(value)
        if key == "for":
            return parse_duration(value)
        if key == "org":
            return await self._org(value)
        if key in ("place", "urgency", "kind", "every", "subscribers", "consent"):
            return " ".join(value.lower().split())
        return value

    async def _person(self, token: str) -> int:
        person = await directory.resolve_person(self.session, token)
        return person.id

    async def _group(self, name: str) -> str:
        if self._groups is None:
            self._groups = {}
            for group in await directory.all_groups(self.session):
                self._groups[group.name.lower()] = group.name
                self._groups[group.title.lower()] = group.name
        key = name.strip().lstrip("#").lower()
        return self._groups.get(key, key)

    async def _org(self, name: str) -> str:
        if self._orgs is None:
            self._orgs = {
                o.name.lower(): o.name for o in await directory.all_organisations(self.session)
            }
        key = " ".join(name.lower().split())
        return self._orgs.get(key, key)

    def _bounds(self, filters: dict[str, str]) -> tuple[date | None, date | None]:
        """The inclusive dates a period filter allows, the start never before today."""
        low: date | None = None
        high: date | None = None
        for key, value in filters.items():
            start, end = self._span(value)
            if key in ("before", "due-before"):
                high = start - timedelta(days=1)
            elif key in ("by", "to", "until"):
                high = end
            elif key == "from":
                low = start
            elif key == "after":
                low = end + timedelta(days=1)
            else:
                low, high = start, end
        if low is None or low < self.today:
            low = self.today
        return low, high

    def _span(self, text: str) -> tuple[date, date]:
        """A filter value: `this week`, `friday`, or `before friday` / `by friday`."""
        words = " ".join(text.lower().split())
        for prefix, shift in (("before ", -1), ("by ", 0), ("until ", 0), ("till ", 0)):
            if words.startswith(prefix):
                start, end = self._period(words[len(prefix) :])
                last = start + timedelta(days=shift) if shift else end
                return self.today, last
        return self._period(words)

    def _period(self, text: str) -> tuple[date, date]:
        """`this week` -> (Monday, Sunday); `friday` -> (that day, that day)."""
        words = " ".join(text.lower().replace("-", " ").split())
        today = self.today
        monday = today - timedelta(days=today.weekday())
        if today.weekday() >= 5:  # on a weekend "this week" and "next week" are the coming one
            monday += timedelta(days=7)
        if words in ("today",):
            return today, today
        if words in ("tomorrow", "tmrw"):
            day = today + timedelta(days=1)
            return day, day
        if words in ("this week", "week"):
            return min(monday, today), monday + timedelta(days=6)
        if words == "next week":
            ahead = 0 if today.weekday() >= 5 else 7
            return monday + timedelta(days=ahead), monday + timedelta(days=ahead + 6)
        if words in ("this weekend", "weekend", "the weekend", "next weekend"):
            saturday = today - timedelta(days=today.weekday() - 5)
            saturday += timedelta(days=7 if words == "next weekend" else 0)
            return max(today, saturday), saturday + timedelta(days=1)
        if words in ("this month", "month"):
            first = today.replace(day=1)
            return first, _month_end(first)
        if words == "next month":
            first = _month_end(today.replace(day=1)) + timedelta(days=1)
            return first, _month_end(first)
        if words in ("this term", "term"):
            return today, self.terms.end_of_term(today)
        match = re.fullmatch(
            r"(?:in |within |next )?(\d+)\s*(d|day|days|w|wk|wks|week|weeks)", words
        )
        if match:
            n = int(match[1]) * (7 if match[2].startswith("w") else 1)
            return today, today + timedelta(days=n)
        day = parse_date(text, now=self.now, tz=self.tz, terms=self.terms)
        return day, day


def _ids_and_words(args: Args) -> tuple[list[int], list[str]]:
    """The first unquoted number (`7`, `#7`) is the id; the other words follow in order."""
    ids: list[int] = []
    words: list[str] = []
    for word, quoted in zip(args.words, args.quoted, strict=True):
        bare = word.lstrip("#")
        if not quoted and bare.isascii() and bare.isdigit() and len(bare) < 9 and not ids:
            ids.append(int(bare))
        elif word.strip():
            words.append(word)
    return ids, words


def _year(text: str) -> str:
    """`2018/19`, `2018-19`, `2018/2019` -> `2018/19`."""
    start = text[:4]
    return f"{start}/{(int(start) + 1) % 100:02d}"


def _month_end(first: date) -> date:
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def _meeting_end(options: dict[str, object], tz: ZoneInfo) -> None:
    """`until:12:00` and `for:2h` say the same thing: keep one comparable `end`."""
    start = options.get("on")
    until = options.pop("until", None)
    length = options.pop("for", None)
    if isinstance(start, datetime) and until is not None:
        local = start.astimezone(tz)
        options["end"] = local.replace(hour=until.hour, minute=until.minute)  # type: ignore[attr-defined]
    elif isinstance(start, datetime) and isinstance(length, timedelta):
        options["end"] = start + length


def _same_bounds(
    want: tuple[date | None, date | None] | None, got: tuple[date | None, date | None] | None
) -> bool:
    """Same start; ends within a day (`before Friday` and `by Thursday` mean one thing)."""
    if want is None or got is None:
        return want is got
    if want[0] != got[0]:
        return False
    if want[1] is None or got[1] is None:
        return want[1] is got[1]
    return abs((want[1] - got[1]).days) <= 1
