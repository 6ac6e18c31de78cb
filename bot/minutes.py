"""Reading a meeting's minutes as people write them: which lines are actions, whose, by when.

Minutes name owners by @handle, full name, first name or initials ("SB/AJ"), and give due
dates as dates, words ("Friday", "end of Nov", "before half term") or "ahead of the next
meeting". Action lines come as `ACTION: ...`, `Action - SB: ...`, under an `Actions:` or
`Actions agreed:` heading (bullets, numbers or plain lines, or several sentences after the
heading), or as sentences in the prose ("Jo to circulate ... by Friday", "Priya will ...").

`read_minutes` is a pure function of the text, the people the minutes may name and what the
date words mean for this meeting (`DueWords`); it saves nothing. Names and initials are read
only among the meeting's group and attendees (`Someone.near`); an @handle or email may be
anyone in the directory. Nothing is guessed: an ambiguous name or initials, a date that does
not exist, an owner nobody matches is an `UnreadLine` saying why. A sentence in the prose that
does not begin with a person is prose, not an unread action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.dates import TERM_WORDS, format_date, parse_local
from bot.errors import UserError
from bot.terms import TermCalendar

EXAMPLE = "ACTION: @jo circulate PA figures by Friday"  # undated: it never goes stale
MAX_TEXT = 1000
NO_OWNER = "no owner"
MAX_CONNECTIVES = 3  # "by"/"before"/"due" words tried, from the end of an action line

# `ACTION: ...`, `Action - SB: ...`, `Actions:`, `Actions agreed:`, `Agreed actions:`
HEADING = re.compile(
    r"^\s*(?:[-*\u2022]\s*)?(?:agreed\s+)?(?P<word>actions?)"
    r"(?:\s+(?:agreed|arising|points?|list|from\s+(?:the|this)\s+meeting))?"
    r"\s*(?:[:\-\u2013\u2014]\s*|$)(?P<rest>.*)$",
    re.IGNORECASE,
)
# a second ACTION on one line (chat boxes make one-line minutes): capitals only, so prose such
# as "the action: ..." is not split
INLINE_ACTION = re.compile(r"(?<=[.;,\s])(?=ACTION\s*[:\-\u2013])")
BULLET = re.compile(
    r"^\s*(?:[-*\u2022\u2013\u2014\u00b7]|\(?\d{1,2}[.)]|\(?[a-hA-H][.)])\s+(?P<rest>.*)$"
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[@A-Z(\"'])")
# what follows an owner: "Jo to ...", "SB will ...", "Helen has agreed to ..."
MARKERS = (
    "has agreed to",
    "have agreed to",
    "agreed to",
    "has offered to",
    "offered to",
    "is to",
    "are to",
    "will",
    "shall",
    "to",
)
AGREED_THAT = re.compile(
    r"^(?:it\s+was\s+|the\s+group\s+|colleagues\s+|members\s+|we\s+)?"
    r"(?:agreed|decided|resolved)(?:\s+that)?\s*[:,]?\s+",
    re.IGNORECASE,
)
# after "agreed that", "Jo would/should ..." is what Jo will do
REPORTED = re.compile(r"^((?:\S+\s+){1,5}?)(?:would|should)\s+(?!be\b|like\b|have\b)")
FILLER = re.compile(
    r"^(?:(?:has |have )?agreed to|(?:has )?offered to|is to|are to|to|will|shall|should)\s+",
    re.IGNORECASE,
)
NEXT_MEETING = re.compile(
    r"[\s,(]*\b(?P<conn>by|before|ahead\s+of|in\s+advance\s+of|prior\s+to|for|at)\s+"
    r"(?:the\s+)?next\s+(?:[\w-]+\s+){0,2}?meeting\b(?:\s+of\s+the\s+group)?\)?",
    re.IGNORECASE,
)
CONNECTIVE = re.compile(
    r"(?:^|[\s,(])(?P<conn>by|before|due(?:\s+by|\s+on)?|no\s+later\s+than|until|deadline:?)\s+",
    re.IGNORECASE,
)
DATEISH = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|"
    r"term|week|month|end|next|tomorrow|today|never|christmas|easter|half|\w+(?:st|nd|rd|th))",
    re.IGNORECASE,
)
HANDLE = re.compile(r"^@[\w.\-]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INITIALS = re.compile(r"^[A-Z]{2,4}$")
NAME_WORD = re.compile(r"^[A-Z][\w'\-]*$")
OWNER_SPLIT = re.compile(r"\s*(?:/|&|,|\band\b)\s*")


@dataclass(frozen=True)
class Someone:
    """A person the minutes may name. `near`: in the meeting's group or at the meeting (first
    names and initials are read only among these)."""

    id: int
    name: str
    email: str
    near: bool = True
    guest: bool = False  # at the meeting but not in the directory: named, never an owner

    @property
    def handle(self) -> str:
        return self.email.split("@", 1)[0].lower()

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    @property
    def plain_name(self) -> str:
        """The name without a bracketed note: `Ben Bryant (ISOS)` -> `Ben Bryant`."""
        return " ".join(re.sub(r"\([^)]*\)", " ", self.name).split()) or self.name

    @property
    def initials(self) -> set[str]:
        """`Jonathan Crossley Holland` -> {"JCH", "JH"}: minutes use both."""
        words = [w for w in re.split(r"[\s-]+", self.plain_name) if w]
        if len(words) < 2:
            return set()
        return {"".join(w[0] for w in words).upper(), (words[0][0] + words[-1][0]).upper()}


@dataclass(frozen=True)
class DueWords:
    """What date words mean for one meeting's minutes.

    `base`: relative words ("Friday", "end of term") count from here (the meeting, or now if
    the meeting is still ahead); `next_meeting`: the date of the group's next meeting and how to
    name it (None: none is booked); `default_due` and `default_said`: the due date of an action
    that gives none, and the words that explain it ("2w after the meeting, the group's default").
    """

    base: datetime
    tz: ZoneInfo
    terms: TermCalendar
    group: str
    default_due: date
    default_said: str
    next_meeting: date | None = None
    next_meeting_said: str = "the next meeting"
    # phrases already read as dates (or not) in these minutes
    seen: dict[str, datetime | None] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class ReadAction:
    """One action read: its owner, what to do, the due date and how it was given (`said`;
    empty when the minutes gave none and the group's default applies)."""

    line: int
    owner: Someone
    text: str
    due: date
    said: str = ""

    @property
    def defaulted(self) -> bool:
        return not self.said


@dataclass
class UnreadLine:
    """An action line that could not be read: its number, its text as written, and why."""

    line: int
    text: str
    problem: str


@dataclass
class MinutesReading:
    """Every action read from the minutes, and every action line that could not be."""

    actions: list[ReadAction] = field(default_factory=list)
    unread: list[UnreadLine] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unread


@dataclass
class _Item:
    line: int
    text: str  # the part to read
    source: str  # the whole line as written
    explicit: bool  # marked as an action (ACTION, an Actions heading): unreadable is reported


class _Unread(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def read_minutes(text: str, *, people: list[Someone], due: DueWords) -> MinutesReading:
    """The actions in `text` and the action lines it could not read (see the module notes)."""
    reading = MinutesReading()
    for item in _items(text):
        previous: list[ReadAction] = []
        for sentence in _sentences(item):
            try:
                found = _read_item(sentence, people=people, due=due)
            except _Unread as err:
                if previous and err.problem.startswith(NO_OWNER):
                    # "ACTION: @jo circulate the figures. Include the core cities."
                    for action in previous:
                        action.text += ". " + sentence.text.strip().rstrip(".;, ")
                    continue
                reading.unread.append(UnreadLine(item.line, item.source.strip(), err.problem))
                continue
            reading.actions.extend(found)
            previous = found or previous
    return reading


# --- which lines are action lines ------------------------------------------------------


def _items(text: str) -> list[_Item]:
    """The action lines, each with its line number; prose sentences are candidates too."""
    lines = text.splitlines()
    items: list[_Item] = []
    block = bullets = started = False  # under an Actions heading; its items are bullets
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if block:
            if not stripped:
                ahead = next((n for n in lines[number:] if n.strip()), "")
                if started and not (bullets and BULLET.match(ahead)):
                    block = False
                continue
            bullet = BULLET.match(line)
            plain = not bullets and not stripped.endswith(":") and not HEADING.match(line)
            if bullet or plain:
                bullets = bullets or bullet is not None
                started = True
                body = bullet["rest"] if bullet else stripped
                items.append(_Item(number, body, line, explicit=True))
                continue
            block = False
        heading = HEADING.match(line)
        if heading:
            rest = heading["rest"].strip()
            if not rest:
                block, bullets, started = True, False, False
                continue
            items.append(_Item(number, rest, line, explicit=True))
            continue
        if re.match(r"^\s*ACTION\s+\S", line):  # "ACTION SB draft the paper"
            items.append(_Item(number, stripped[len("ACTION") :].strip(), line, explicit=True))
            continue
        parts = INLINE_ACTION.split(line)
        if parts[0].strip():
            items.append(_Item(number, parts[0].strip(), line, explicit=False))
        for part in parts[1:]:
            match = HEADING.match(part)
            if match and match["rest"].strip():
                items.append(_Item(number, match["rest"].strip(), line, explicit=True))
    return items


def _sentences(item: _Item) -> list[_Item]:
    """An item split into sentences (several actions in one paragraph). In an action line a
    sentence with no owner of its own belongs to the one before it."""
    parts = [p.strip() for p in SENTENCE_END.split(item.text) if p.strip()]
    if len(parts) <= 1:
        return [item]
    return [_Item(item.line, p, item.source, item.explicit) for p in parts]


# --- one action line ---------------------------------------------------------------------


def _read_item(item: _Item, *, people: list[Someone], due: DueWords) -> list[ReadAction]:
    """The actions in one item (one per owner); [] for prose that is not an action. Raises
    _Unread for an action line (or an action-like sentence) that cannot be read."""
    text = item.text.strip().rstrip(".;, ")
    if not item.explicit:
        # "It was agreed that Jo would circulate ...": a decision reported, with its owner
        agreed = AGREED_THAT.match(text)
        if agreed:
            text = REPORTED.sub(r"\1 will ", text[agreed.end() :], count=1)
        split = _marked_owner(text, people=people, strict=True)
        if split is None:
            return []
        owners, rest = split
        rest, day, said = _due(rest, due=due, explicit=True)
    else:
        if not text:
            raise _Unread(f"nothing to read: say who does what, e.g. {EXAMPLE}")
        text, day, said = _due(text, due=due, explicit=True)
        owners, rest = _owners(text, people=people)
    body = FILLER.sub("", " ".join(rest.split()).strip(" :,-\u2013\u2014"))
    body = body.strip(" :,-\u2013\u2014")
    names = " and ".join(o.first_name for o in owners)
    if not body:
        raise _Unread(f"what should {names} do? Put it after the name, e.g. {EXAMPLE}")
    if len(body) > MAX_TEXT:
        raise _Unread(f"too long: keep an action under {MAX_TEXT} characters.")
    if day is None:
        day, said = due.default_due, ""
    body = body[0].upper() + body[1:]
    return [ReadAction(item.line, owner, body, day, said) for owner in owners]


def _owners(text: str, *, people: list[Someone]) -> tuple[list[Someone], str]:
    """The owners of an action line and the rest of it. Raises _Unread when none is found or
    a name is ambiguous."""
    # "SB/AJ: draft paper", "Omar - visit Parkwood"
    lead = re.match(
        r"^(?P<spec>[^:\-\u2013\u2014]{1,80}?)\s*(?::|\s[-\u2013\u2014])\s+(?P<rest>.+)$", text
    )
    if lead and _person_like(lead["spec"]):
        return _resolve(lead["spec"], people=people), lead["rest"]
    marked = _marked_owner(text, people=people, strict=False)
    if marked is not None:
        return marked
    words = text.split()
    for n in (3, 2, 1):  # "@jo circulate", "Dan Cooper circulate", "SB/AJ draft the paper"
        spec = " ".join(words[:n]).rstrip(":,")
        if len(words) > n and _person_like(spec):
            found = _try_resolve(spec, people=people, whole_names=n > 1)
            if found:
                return found, " ".join(words[n:])
    # "write to heads - @omar", "draft the paper (SB)", "share the figures. Owner: Jo"
    trail = re.match(
        r"^(?P<rest>.+?)\s*(?:\s[-\u2013\u2014]\s*|\((?=[^()]+\)$)|\b(?:owner|lead|who)\s*:\s*)"
        r"(?P<spec>[^()\-\u2013\u2014]+?)\)?$",
        text,
        flags=re.IGNORECASE,
    )
    if trail and _person_like(trail["spec"]):
        return _resolve(trail["spec"], people=people), trail["rest"]
    handles = [i for i, w in enumerate(words) if HANDLE.match(w.rstrip(":,.;"))]
    if len(handles) == 1:
        i = handles[0]
        return _resolve(words[i].rstrip(":,.;"), people=people), " ".join(
            words[:i] + words[i + 1 :]
        )
    if lead and not _person_like(lead["spec"]) and _initials_like(lead["spec"]):
        return _resolve(lead["spec"], people=people), lead["rest"]
    raise _Unread(NO_OWNER + ": start with @name, a name or initials, e.g. " + EXAMPLE)


def _marked_owner(
    text: str, *, people: list[Someone], strict: bool
) -> tuple[list[Someone], str] | None:
    """`<owner> to|will|agreed to <rest>`: the owners and the rest, or None when the words
    before the marker are not a person. `strict` (prose): a name nobody matches means it is not
    about a person ("Colleagues will ..."); initials or a handle nobody matches, or a name that
    matches two people, still say why."""
    words = text.split()
    lowered = [w.lower() for w in words]
    for n in range(1, min(6, len(words))):
        for marker in MARKERS:
            size = len(marker.split())
            if lowered[n : n + size] != marker.split() or len(words) <= n + size:
                continue
            spec = " ".join(words[:n]).rstrip(":,")
            if not _person_like(spec):
                return None
            if strict:
                try:
                    owners = _resolve(spec, people=people)
                except _Unread:
                    if _initials_like(spec) or "@" in spec or _ambiguous(spec, people):
                        raise
                    return None
            else:
                owners = _resolve(spec, people=people)
            return owners, " ".join(words[n + size :])
    return None


def _tokens(spec: str) -> list[str]:
    return [t.strip() for t in OWNER_SPLIT.split(spec.strip().strip("()")) if t.strip()]


def _person_like(spec: str) -> bool:
    """Whether `spec` is written like people: handles, emails, initials, capitalised names."""
    tokens = _tokens(spec)
    if not tokens or len(tokens) > 6:
        return False
    for token in tokens:
        if HANDLE.match(token) or EMAIL.match(token) or INITIALS.match(token):
            continue
        words = token.split()
        if not 1 <= len(words) <= 3 or not all(NAME_WORD.match(w) for w in words):
            return False
    return True


def _initials_like(spec: str) -> bool:
    return any(INITIALS.match(t) for t in _tokens(spec))


def _ambiguous(spec: str, people: list[Someone]) -> bool:
    near = [p for p in people if p.near]
    return any(sum(1 for p in near if p.first_name.lower() == t.lower()) > 1 for t in _tokens(spec))


def _try_resolve(spec: str, *, people: list[Someone], whole_names: bool) -> list[Someone]:
    """Like `_resolve`, but [] when a plain word matches nobody (it is the action's first
    word, not a name); an ambiguous or unknown handle or initials still raise."""
    try:
        return _resolve(spec, people=people)
    except _Unread:
        tokens = _tokens(spec)
        if any(HANDLE.match(t) or EMAIL.match(t) for t in tokens) or (
            not whole_names and _initials_like(spec)
        ):
            raise
        if _ambiguous(spec, people):
            raise
        return []


def _resolve(spec: str, *, people: list[Someone]) -> list[Someone]:
    """Each person `spec` names (`SB/AJ`, `Jo and Sam`, `@jo`), in order, once each."""
    found: list[Someone] = []
    for token in _tokens(spec):
        person = _one(token, people=people)
        if person not in found:
            found.append(person)
    return found


def _one(token: str, *, people: list[Someone]) -> Someone:
    found = _match(token, people=people)
    if found.guest:
        raise _Unread(
            f"{token} is {found.name}, a guest at the meeting and not in the directory: give "
            "the action to someone in the directory, or ask an admin to add them (person add)."
        )
    return found


def _match(token: str, *, people: list[Someone]) -> Someone:
    near = [p for p in people if p.near]
    key = token.lstrip("@").strip().lower()
    if HANDLE.match(token) or EMAIL.match(token):
        exact = [p for p in people if key in (p.handle, p.email.lower())]
        if not exact:  # a handle may be a unique first name
            exact = [p for p in near if p.first_name.lower() == key] or [
                p for p in people if p.first_name.lower() == key
            ]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise _Unread(f"{token} could be {_choices(exact)}: use one of those handles.")
        raise _Unread(f"No one called {token} is in the directory.")
    if INITIALS.match(token):
        matches = [p for p in near if token in p.initials]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise _Unread(f"{token} could be {_choices(matches)}: which one? Use their @handle.")
        raise _Unread(
            f"No one in the group or at the meeting has the initials {token}: use an @handle."
        )
    full = [p for p in near if p.plain_name.lower() == key] or [
        p for p in people if p.plain_name.lower() == key
    ]
    if len(full) == 1:
        return full[0]
    firsts = [p for p in near if p.first_name.lower() == key]
    if len(firsts) == 1:
        return firsts[0]
    if len(full) > 1 or len(firsts) > 1:
        raise _Unread(f"{token} could be {_choices(full or firsts)}: which one? Use an @handle.")
    raise _Unread(f"No one called {token} is in the group or at the meeting: use an @handle.")


def _choices(people: list[Someone]) -> str:
    names = [f"{p.name} (@{p.handle})" if p.email else f"{p.name} (a guest)" for p in people[:4]]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


# --- due dates ------------------------------------------------------------------------------


def _due(text: str, *, due: DueWords, explicit: bool) -> tuple[str, date | None, str]:
    """(the text without its due date, the date or None, how it was said). Raises _Unread for
    a date that is given but cannot be read (only in an action line)."""
    meeting = NEXT_MEETING.search(text)
    if meeting:
        if due.next_meeting is None:
            raise _Unread(
                f"{due.group} has no next meeting booked, so 'the next meeting' has no date: "
                "book it first, or give a date."
            )
        day = due.next_meeting
        conn = " ".join(meeting["conn"].lower().split())
        if conn in ("before", "ahead of", "in advance of", "prior to"):
            day = _weekday_before(day)
        rest = (text[: meeting.start()] + " " + text[meeting.end() :]).strip()
        return rest, day, f"{conn} {due.next_meeting_said}"
    paren = re.search(r"\(\s*(?P<inner>[^()]+?)\s*\)\s*$", text)
    if paren:
        inner = re.sub(r"^(?:by|due|before)\s+", "", paren["inner"], flags=re.IGNORECASE)
        day = _date(inner, due=due, before=paren["inner"].lower().startswith("before"))
        if day is not None:
            return text[: paren.start()].strip(), day, paren["inner"].strip()
    # the date is near the end: the last few connectives are enough, and each is bounded work
    connectives = list(CONNECTIVE.finditer(text))[-MAX_CONNECTIVES:]
    for match in reversed(connectives):
        words = text[match.end() :].split()
        before = match["conn"].lower() == "before"
        for n in range(min(6, len(words)), 0, -1):
            phrase = " ".join(words[:n]).rstrip(".;,)")
            if CONNECTIVE.search(" " + phrase) or len(phrase) > 40:
                continue  # a date never runs into the next "by"; dates are short
            day = _date(phrase, due=due, before=before)
            if day is not None:
                rest = text[: match.start()] + " " + " ".join(words[n:])
                return rest.strip(), day, f"{match['conn'].lower()} {phrase}"
    if explicit and connectives:
        last = connectives[-1]
        tail = text[last.end() :].strip().rstrip(".;,)")
        if len(tail.split()) <= 5 and DATEISH.search(tail):
            raise _Unread(_date_problem(tail, due=due))
    return text, None, ""


def _date(phrase: str, *, due: DueWords, before: bool) -> date | None:
    """A date from `phrase`, or None. `before` a day means the day before, but before a break
    ("before half term") means its last school day, which the term words already give."""
    phrase = re.sub(r"^the\s+(?=end\b|\d)", "", phrase.strip(), flags=re.IGNORECASE)
    if not phrase or not DATEISH.search(phrase):  # no digit, month, day or term word
        return None
    if phrase not in due.seen:  # minutes repeat their dates ("by Friday"): read each once
        try:
            due.seen[phrase] = parse_local(phrase, now=due.base, tz=due.tz, terms=due.terms)[0]
        except UserError:
            due.seen[phrase] = None
    local = due.seen[phrase]
    if local is None:
        return None
    day = local.date()
    lowered = phrase.lower()
    if before and not any(lowered.startswith(w) for w in TERM_WORDS):
        day -= timedelta(days=1)
    return day


def _date_problem(phrase: str, *, due: DueWords) -> str:
    try:
        parse_local(phrase, now=due.base, tz=due.tz, terms=due.terms)
    except UserError as err:
        return "due date: " + err.message.splitlines()[0]
    return f"due date: I can't read {phrase!r} as a date."


def _weekday_before(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def describe_due(action: ReadAction, due: DueWords) -> str:
    """`Fri 15 Dec 2023 (by the next meeting)`, or the default explained."""
    if action.defaulted:
        return f"{format_date(action.due)} (no date given: {due.default_said})"
    return f"{format_date(action.due)} ({action.said})"


def due_warning(due: date, *, today: date, held_on: date) -> str:
    """What a preview says of a due date read from minutes that is probably a slip ("" for one
    after today and not before the meeting): one already past or today would be overdue at
    once or by tonight, and one before the meeting was held was due before it was agreed.
    `today` and `held_on` (the meeting's day) are local dates."""
    before = f"before the meeting itself ({format_date(held_on)})" if due < held_on else ""
    if due < today:
        problem = f"due {format_date(due)} is already past" + (f" and {before}" if before else "")
    elif due == today:
        problem = f"due today, {format_date(due)}" + (f", {before}" if before else "")
    elif before:
        problem = f"due {format_date(due)} is {before}"
    else:
        return ""
    return f"{problem}: check the date."
