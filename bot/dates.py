"""Dates and times as people in England write them: UK order, words, terms, durations.

Stored instants are UTC; everything shown or parsed is in the partnership's zone, so a
10:00 meeting stays at 10:00 across a clock change.
"""

from __future__ import annotations

import calendar
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.errors import UserError, about

if TYPE_CHECKING:
    from bot.terms import TermCalendar

DATE_EXAMPLE = 'on:"15/12/2023 10:00" (or on:2023-12-15, on:"next Friday 10:00")'


def date_example(option: str = "on") -> str:
    """DATE_EXAMPLE for the option the date was typed in (`closes:`, `until:`...): an `on:`
    example is refused by a command that has no `on:`."""
    return DATE_EXAMPLE.replace("on:", f"{option}:")


# The day the command examples were written for: the design's replay, Friday 1 December 2023.
EXAMPLES_WRITTEN = date(2023, 12, 1)
EXAMPLE_DATE_RE = re.compile(
    r"\b(?P<d>\d{2})/(?P<m>\d{2})/(?P<y>\d{4})\b|(?<=:)(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})\b"
)
UK_RE = re.compile(
    r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{2,4})"
    r"(?:[ ,T]+(?P<H>\d{1,2})(?:[:.](?P<M>\d{2}))?\s*(?P<ampm>am|pm)?)?$",
    re.IGNORECASE,
)
ISO_RE = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2})?)?$"
)
TIME_RE = re.compile(r"^(?P<H>\d{1,2})(?:[:.](?P<M>\d{2}))?\s*(?P<ampm>am|pm)?$", re.IGNORECASE)
DURATION_RE = re.compile(r"(\d+)\s*(w|d|h|m)", re.IGNORECASE)
TERM_WORDS = {
    "end of term": "end_of_term",
    "end of the term": "end_of_term",
    "end of half term": "end_of_half_term",
    "next half term": "next_half_term",
    "start of next term": "start_of_next_term",
    "next term": "start_of_next_term",
    "before half term": "end_of_half_term",
    "by half term": "end_of_half_term",
    "half term": "end_of_half_term",
}
MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
# "end of Nov", "the end of November 2024", "end of the month", "end of next week": minutes
# give due dates like this, and dateparser reads none of them
END_OF_RE = re.compile(
    r"^(?:the )?end of (?:the )?(?:(?P<which>this |next )?(?P<span>week|month)"
    r"|(?P<month>[a-z]+)(?: (?P<year>\d{4}))?)$"
)


def _real_date(y: int, m: int, d: int, original: str, example: str = DATE_EXAMPLE) -> date:
    if y < 100:
        y += 2000
    if not 1 <= m <= 12:
        raise UserError(
            f"{original!r}: there is no month {m}. Dates are day/month/year.",
            example=example,
        )
    try:
        return date(y, m, d)
    except ValueError:
        last = calendar.monthrange(y, m)[1]
        raise UserError(
            f"{original!r} does not exist: {calendar.month_name[m]} {y} has {last} days.",
            example=example,
        ) from None


def _clock_time(hour: int, minute: int, ampm: str | None, original: str) -> time:
    if ampm:
        if not 1 <= hour <= 12:
            raise UserError(f"{original!r}: {hour}{ampm} is not a time.", example="10:00")
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise UserError(f"{original!r}: {hour}:{minute:02d} is not a time.", example="10:00")
    return time(hour, minute)


def parse_time(text: str) -> time:
    """`12:00`, `9.30`, `2pm` -> a clock time."""
    match = TIME_RE.match(text.strip())
    if not match:
        raise UserError(f"{text!r} is not a time of day.", example="until:12:00")
    return _clock_time(int(match["H"]), int(match["M"] or 0), match["ampm"], text)


def _from_words(text: str, now_local: datetime) -> datetime | None:
    import dateparser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dateparser.parse(
            text,
            languages=["en"],
            settings={
                "DATE_ORDER": "DMY",
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": now_local.replace(tzinfo=None),
                "RETURN_AS_TIMEZONE_AWARE": False,
                "PREFER_DAY_OF_MONTH": "first",
            },
        )


def parse_local(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    terms: TermCalendar | None = None,
    default_time: time | None = None,
    option: str = "on",
) -> tuple[datetime, bool]:
    """Parse `text` to a naive local datetime; the flag says whether a time was given.
    `option` (`on`, `closes`...) is the one the examples in a UserError use."""
    original = text
    example = date_example(option)
    text = " ".join(text.strip().split())
    if not text:
        raise UserError("No date given.", example=example)
    now_local = now.astimezone(tz)
    for rx in (UK_RE, ISO_RE):
        match = rx.match(text)
        if match:
            day = _real_date(int(match["y"]), int(match["m"]), int(match["d"]), original, example)
            if match["H"] is not None:
                ampm = match.groupdict().get("ampm")
                t = _clock_time(int(match["H"]), int(match["M"] or 0), ampm, original)
                return datetime.combine(day, t), True
            return datetime.combine(day, default_time or time(0, 0)), False
    lowered = text.lower()
    for words, method in TERM_WORDS.items():
        if lowered.startswith(words):
            if terms is None:
                raise UserError(f"{original!r} needs the term calendar.", example=example)
            day = getattr(terms, method)(now_local.date())
            rest = text[len(words) :].strip()
            if rest:
                return datetime.combine(day, parse_time(rest)), True
            return datetime.combine(day, default_time or time(0, 0)), False
    end_of = _end_of(lowered, now_local.date())
    if end_of is not None:
        return datetime.combine(end_of, default_time or time(0, 0)), False
    if len(text) > 60:
        raise UserError("That date is too long to read.", example=example)
    parsed = _from_words(text, now_local)
    if parsed is None:
        raise UserError(f"I can't read {original!r} as a date.", example=example)
    has_time = bool(re.search(r"\d[:.]\d\d|\d\s*(am|pm)\b|noon|midday", lowered))
    if not has_time:
        parsed = datetime.combine(parsed.date(), default_time or time(0, 0))
    return parsed, has_time


def dated_example(
    text: str, *, today: date, is_school_day: Callable[[date], bool] | None = None
) -> str:
    """A command example's dates, written for Fri 1 Dec 2023, moved to as many whole weeks
    after `today` (so weekdays and the gaps between them stay: "on:15/12/2023" is a Friday a
    fortnight ahead), and further by whole weeks until every one is a school day when
    `is_school_day` is given. UK dates (15/12/2023) and ISO dates given as an option value
    (on:2023-12-15) move; anything else (a school year, a CSV row, a date more than a year from
    1 Dec 2023, which shows a format rather than an example) is left alone. On the day the
    examples were written for (the design's replay) they are unchanged.
    """
    weeks = max(0, -(-(today - EXAMPLES_WRITTEN).days // 7))  # whole weeks, rounded up
    if weeks == 0 or not EXAMPLE_DATE_RE.search(text):
        return text

    def framed(day: date) -> bool:
        # a date years from the examples' day is a format shown, not an example to move
        # ("dates like 05/01/2027 (5 January)" in the term import's hint)
        return abs((day - EXAMPLES_WRITTEN).days) <= 366

    def days_in(t: str) -> list[date]:
        found = []
        for m in EXAMPLE_DATE_RE.finditer(t):
            try:
                if m["d"]:
                    day = date(int(m["y"]), int(m["m"]), int(m["d"]))
                else:
                    day = date(int(m["iy"]), int(m["im"]), int(m["id"]))
            except ValueError:
                continue
            if framed(day):
                found.append(day)
        return found

    def shifted(by: int) -> str:
        def move(m: re.Match[str]) -> str:
            try:
                if m["d"]:
                    day = date(int(m["y"]), int(m["m"]), int(m["d"]))
                    return f"{day + timedelta(weeks=by):%d/%m/%Y}" if framed(day) else m[0]
                day = date(int(m["iy"]), int(m["im"]), int(m["id"]))
                return (day + timedelta(weeks=by)).isoformat() if framed(day) else m[0]
            except ValueError:
                return m[0]

        return EXAMPLE_DATE_RE.sub(move, text)

    examples = days_in(text)  # the dates that move (framed ones), before moving
    for extra in range(10):  # the longest school holiday is about six weeks
        by = timedelta(weeks=weeks + extra)
        if is_school_day is None or all(is_school_day(d + by) for d in examples):
            return shifted(weeks + extra)
    return shifted(weeks)


def _end_of(lowered: str, today: date) -> date | None:
    """The last day of a named month (the next one to end, or of the year given), the Friday of
    this or next week, or the last day of this or next month; None when `lowered` is not one."""
    match = END_OF_RE.match(lowered)
    if match is None:
        return None
    if match["span"] == "week":
        return week_meant(today, next_week=match["which"] == "next ") + timedelta(days=4)
    if match["span"] == "month":
        first = today.replace(day=1)
        if match["which"] == "next ":
            first = (first + timedelta(days=32)).replace(day=1)
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])
    month = MONTHS.get(match["month"] or "")
    if month is None:
        return None
    year = int(match["year"]) if match["year"] else today.year
    last = date(year, month, calendar.monthrange(year, month)[1])
    if not match["year"] and last < today:
        last = date(year + 1, month, calendar.monthrange(year + 1, month)[1])
    return last


def local_to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """Attach the zone to a wall-clock time (DST-aware) and convert to UTC.

    For the bot's own fixed moments (09:00 nudges, a repeat's next 10:00). A time a person
    typed goes through `resolve_local`, which refuses one that does not exist and says which
    of a repeated hour it took.
    """
    return local.replace(tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class ClockChange:
    """One change of a zone's offset: `at` (UTC) and the offsets and names either side."""

    at: datetime
    offset_before: timedelta
    offset_after: timedelta
    name_before: str
    name_after: str

    @property
    def local_before(self) -> datetime:
        """The wall-clock time (naive) at which the change happens, as read before it."""
        return (self.at + self.offset_before).replace(tzinfo=None)

    @property
    def local_after(self) -> datetime:
        """The wall-clock time (naive) the clocks show just after it."""
        return (self.at + self.offset_after).replace(tzinfo=None)


def clock_change_between(start: datetime, end: datetime, tz: ZoneInfo) -> ClockChange:
    """The first change of `tz`'s offset after UTC `start` and at or before UTC `end`.

    `start` and `end` must have different offsets; a binary search to the second over the
    zone's own data (zoneinfo), so no rule is written here.
    """
    before = start.astimezone(tz)
    lo, hi = start, end  # offset(lo) == before's, offset(hi) differs
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == before.utcoffset():
            lo = mid
        else:
            hi = mid
    after = hi.astimezone(tz)
    return ClockChange(
        at=hi,
        offset_before=before.utcoffset() or timedelta(),
        offset_after=after.utcoffset() or timedelta(),
        name_before=before.tzname() or "",
        name_after=after.tzname() or "",
    )


def clock_changes(tz: ZoneInfo, *, first: date, last: date) -> list[ClockChange]:
    """Every change of `tz`'s offset between two local dates (both inclusive), in order."""
    changes = []
    cursor = datetime.combine(first, time(0), tzinfo=UTC)
    stop = datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
    step = timedelta(days=7)  # zones change at most a few times a year, never twice a week
    while cursor < stop:
        nxt = min(cursor + step, stop)
        if cursor.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            change = clock_change_between(cursor, nxt, tz)
            changes.append(change)
            cursor = change.at
        else:
            cursor = nxt
    return changes


def _hours_words(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes == 60:
        return "an hour"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"


def _wall(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def _typed(local: datetime) -> str:
    return f"{local:%d/%m/%Y %H:%M}"


@dataclass(frozen=True)
class Resolved:
    """A wall-clock time a person typed, as a UTC instant, with what the reply must say about
    it (`note`: which of a repeated hour was taken), or None."""

    at: datetime
    note: str | None = None


def resolve_local(
    local: datetime, tz: ZoneInfo, *, later: bool = False, option: str = "on"
) -> Resolved:
    """A naive wall-clock time in `tz` -> the UTC instant it names.

    A time the clocks skip (01:30 on the last Sunday of March in England) raises a UserError
    that names the change and the nearest valid times on either side. A time that happens twice
    (01:30 on the last Sunday of October) is the first one unless `later` (`confirm:later`),
    and the result's note says which was taken and how to choose the other. `option` is the
    option the time was given in (`on`, `until`, `closes`), for the message and the form field.
    """
    from dateutil import tz as dateutil_tz

    local = local.replace(tzinfo=None, fold=0)
    if not dateutil_tz.datetime_exists(local, tz):
        first = local.replace(tzinfo=tz)
        change = clock_change_between(
            first.replace(fold=1).astimezone(UTC), first.astimezone(UTC), tz
        )
        skipped_to = change.local_after - timedelta(minutes=1)
        just_before = change.local_before - timedelta(minutes=1)
        raise UserError(
            f"{option}:{_typed(local)} does not exist: on {format_date(local.date())} the "
            f"clocks go forward {_hours_words(change.offset_after - change.offset_before)} at "
            f"{_wall(change.local_before)} {change.name_before}, straight to "
            f"{_wall(change.local_after)} {change.name_after}, so "
            f"{_wall(change.local_before)}-{_wall(skipped_to)} never happens. The nearest "
            f"valid times are {_wall(just_before)} {change.name_before} and "
            f"{_wall(change.local_after)} {change.name_after}.",
            example=f'{option}:"{_typed(change.local_after)}"',
            field=option,
            example_is_dated=True,
        )
    if not dateutil_tz.datetime_ambiguous(local, tz):
        return Resolved(local.replace(tzinfo=tz).astimezone(UTC))
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    change = clock_change_between(first.astimezone(UTC), second.astimezone(UTC), tz)
    chosen = second if later else first
    how = (
        ", as confirm:later asked"
        if later
        else f"; add confirm:later for the second, {_wall(second)} {second.tzname()}"
    )
    note = (
        f"{_wall(local)} happens twice on {format_date(local.date())}: the clocks go back "
        f"{_hours_words(change.offset_before - change.offset_after)} at "
        f"{_wall(change.local_before)} {change.name_before}. I took the "
        f"{'second' if later else 'first'}, {_wall(chosen)} {chosen.tzname()} "
        f"({_wall(chosen.astimezone(UTC))} UTC){how}."
    )
    return Resolved(chosen.astimezone(UTC), note)


def wants_later(confirm: str | None) -> bool:
    """Whether `confirm:` asked for the second of a repeated hour (`confirm:later`)."""
    return (confirm or "").strip().lower() == "later"


def parse_instant(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    terms: TermCalendar | None = None,
    default_time: time | None = None,
    later: bool = False,
    option: str = "on",
) -> tuple[Resolved, bool]:
    """What a person typed in an option (`on:`, `until:`, `closes:`, `opens:`) -> the UTC
    instant (with its note, see `resolve_local`) and whether a time of day was given.

    The one place a typed local date and time becomes an instant: every command that takes
    one reads it here, so each refuses a skipped time and explains a repeated one alike. Its
    UserErrors are about the field `option` (a form shows them by that input).
    """
    with about(option):
        local, has_time = parse_local(
            text, now=now, tz=tz, terms=terms, default_time=default_time, option=option
        )
        return resolve_local(local, tz, later=later, option=option), has_time


def parse_datetime(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    terms: TermCalendar | None = None,
    default_time: time | None = None,
) -> datetime:
    """A UTC instant from what a person typed in the partnership's zone (a skipped time is a
    UserError, a repeated one the first; see `parse_instant` for the note to show)."""
    resolved, _ = parse_instant(text, now=now, tz=tz, terms=terms, default_time=default_time)
    return resolved.at


def parse_date(
    text: str, *, now: datetime, tz: ZoneInfo, terms: TermCalendar | None = None
) -> date:
    """A calendar date (due dates, closing dates)."""
    local, _ = parse_local(text, now=now, tz=tz, terms=terms)
    return local.date()


def parse_duration(text: str) -> timedelta:
    """`3d`, `2w`, `1h30m`, `90m` -> timedelta."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or DURATION_RE.sub("", cleaned):
        raise UserError(
            f"{text!r} is not a duration.",
            hint="Use w (weeks), d (days), h (hours), m (minutes).",
            example="action snooze 7 1w",
        )
    total = timedelta()
    for amount, unit in DURATION_RE.findall(cleaned):
        n = int(amount)
        if n > 10_000:
            raise UserError(f"{text!r} is too long a duration.", example="2w")
        total += {
            "w": timedelta(weeks=n),
            "d": timedelta(days=n),
            "h": timedelta(hours=n),
            "m": timedelta(minutes=n),
        }[unit]
    return total


def format_duration(delta: timedelta) -> str:
    """timedelta -> `1w`, `3d`, `1h30m` (the same units people type)."""
    minutes = int(delta.total_seconds() // 60)
    parts = []
    for unit, size in (("w", 7 * 1440), ("d", 1440), ("h", 60), ("m", 1)):
        if minutes >= size:
            parts.append(f"{minutes // size}{unit}")
            minutes %= size
    return "".join(parts) or "0m"


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(tz)


def format_clock(instant: datetime, tz: ZoneInfo) -> str:
    """`10:00` in the partnership's zone; `01:30 BST` / `01:30 GMT` in the hour the clocks go
    back, which happens twice and would be ambiguous alone."""
    local = to_local(instant, tz)
    # a real instant is never in a skipped hour, so it is ambiguous exactly when the other
    # reading of its wall-clock time (fold) has another offset; cheaper than asking dateutil
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return f"{local:%H:%M} {local.tzname()}"
    return f"{local:%H:%M}"


def format_when(instant: datetime, tz: ZoneInfo) -> str:
    """`Fri 15 Dec 2023, 10:00` in the partnership's zone (see `format_clock`)."""
    local = to_local(instant, tz)
    return f"{local:%a} {local.day} {local:%b %Y}, {format_clock(instant, tz)}"


def format_date(day: date) -> str:
    """`Fri 12 Jan 2024`."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def week_meant(today: date, *, next_week: bool = False) -> date:
    """The Monday of the week people mean by "this week" (or "next week") said on `today`.

    On a weekday, this week is the one `today` is in and next week the one after. On a Saturday
    or Sunday people mean the coming school week by either phrase ("what do I need to do this
    week", asked on Sunday, is about Monday onwards), so both are the coming Monday to Sunday.
    The one rule for periods (`parse_period`) and due dates ("end of the week", `_end_of`),
    whether typed as an option or read from plain English.
    """
    monday = today - timedelta(days=today.weekday())
    if today.weekday() >= 5:  # Saturday, Sunday: the coming week, whichever was said
        return monday + timedelta(weeks=1)
    return monday + timedelta(weeks=1 if next_week else 0)


def _short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


PERIOD_EXAMPLE = (
    'when:"this week" (or today, tomorrow, "next week", "this month", "half term", Friday)'
)


def parse_period(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    terms: TermCalendar | None = None,
    example: str = PERIOD_EXAMPLE,
) -> tuple[date, date, str]:
    """A span of days people name: (first, last, label), both inclusive, local dates.

    `today`, `tomorrow`, `this week` (today to Sunday) / `next week` (Monday to Sunday; on a
    Saturday or Sunday both are the coming week, see `week_meant`), `this weekend` /
    `next weekend` (Saturday and Sunday; on Sunday, today), `this month` /
    `next month`, `this term` (to its end), `this half term` / `half term` (to the last school
    day before half term), `next term`, `2 weeks` / `10 days` (from today), `before <day>`
    (today to the day before), `by <day>` or
    `until <day>` (today to that day), or one day (`Friday`, `15/12/2023`). Raises UserError
    with an example for anything else.
    """
    raw = " ".join(text.strip().lower().split())
    today = now.astimezone(tz).date()
    if raw in ("today", "tonight"):
        return today, today, "today"
    if raw == "tomorrow":
        day = today + timedelta(days=1)
        return day, day, "tomorrow"
    if raw in ("this week", "week", "the week", "end of week", "end of the week"):
        last = week_meant(today) + timedelta(days=6)
        return today, last, f"this week ({_short(today)} to {_short(last)})"
    if raw == "next week":
        monday = week_meant(today, next_week=True)
        last = monday + timedelta(days=6)
        return monday, last, f"next week ({_short(monday)} to {_short(last)})"
    if raw in ("this weekend", "weekend", "the weekend", "next weekend"):
        saturday = today - timedelta(days=today.weekday()) + timedelta(days=5)
        if raw == "next weekend":
            saturday += timedelta(weeks=1)
        first = max(today, saturday)  # said on Sunday: what is left of it
        last = saturday + timedelta(days=1)
        label = raw.removeprefix("the ")
        return first, last, f"{label} ({_short(first)} to {_short(last)})"
    if raw in ("this month", "month", "end of month", "end of the month"):
        last = calendar.monthrange(today.year, today.month)[1]
        return today, today.replace(day=last), "this month"
    if raw == "next month":
        first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = calendar.monthrange(first.year, first.month)[1]
        return first, first.replace(day=last), "next month"
    if raw in ("this term", "term", "end of term", "before end of term"):
        if terms is None:
            raise UserError(f"{text!r} needs the term calendar.", example=example)
        return today, terms.end_of_term(today), "this term"
    if raw in ("half term", "this half term", "before half term", "by half term"):
        if terms is None:
            raise UserError(f"{text!r} needs the term calendar.", example=example)
        return today, terms.end_of_half_term(today), "before half term"
    if raw == "next term":
        if terms is None:
            raise UserError(f"{text!r} needs the term calendar.", example=example)
        start = terms.start_of_next_term(today)
        return start, terms.end_of_term(start), "next term"
    span = re.fullmatch(
        r"(?:in |within |the next |next )*(\d+|a|one|two|three|four) (day|week)s?", raw
    )
    if span:
        count = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}.get(span[1]) or int(span[1])
        last = today + timedelta(days=count * (7 if span[2] == "week" else 1))
        return today, last, f"by {format_date(last)}"
    for word, shift in (("before ", -1), ("by ", 0), ("until ", 0), ("till ", 0)):
        if raw.startswith(word):
            try:
                day = parse_date(raw[len(word) :], now=now, tz=tz, terms=terms)
            except UserError as exc:
                raise UserError(
                    f"I can't read {text!r} as a period.", example=PERIOD_EXAMPLE
                ) from exc
            last = day + timedelta(days=shift)
            return today, last, f"{word.strip()} {format_date(day)}"
    try:
        day = parse_date(raw, now=now, tz=tz, terms=terms)
    except UserError as exc:
        raise UserError(f"I can't read {text!r} as a period.", example=example) from exc
    return day, day, format_date(day)


def period_bounds(first: date, last: date, *, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a span of local days covers: its first midnight to the midnight after
    its last day (a meeting at 23:30 on the last day is inside)."""
    start = local_to_utc(datetime.combine(first, time(0, 0)), tz)
    end = local_to_utc(datetime.combine(last + timedelta(days=1), time(0, 0)), tz)
    return start, end
