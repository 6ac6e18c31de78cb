"""The school year: terms, half terms, bank holidays and INSET days.

Reminders, nudges and bulletins respect it ("never in school holidays"), and "end of term"
works as a date everywhere.

Two shipped calendars (setting `PARTNERSHIP_CALENDAR`): `sheffield` (the default; Sheffield City
Council's published dates, bot/data/terms_sheffield.csv, with the source of each row, and for the
school years after them an estimate from Sheffield's usual pattern, each row named "(estimated)")
and `england` (a generic England calendar). Bank holidays come from the `holidays` library
(England) for every year the calendar covers, never from a hand-written list.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path

import holidays

from bot import csvfile
from bot.csvfile import CsvFile
from bot.errors import UserError

KINDS = ("term", "half_term", "bank_holiday", "inset", "holiday")
CALENDARS = ("sheffield", "england")
ESTIMATED = "estimated"
BANK_HOLIDAY_SOURCE = "holidays library (England)"
# School years estimated after the last shipped Sheffield year: far enough for any plan the bot
# makes (repeats, retention dates), near enough that nobody mistakes them for published dates.
ESTIMATE_YEARS = 5


@dataclass(frozen=True)
class Period:
    """One term, break or closure day, inclusive of both ends.

    `source` says where the dates come from (a URL or document, "imported", or an estimate);
    `estimated` is true when they are not published dates, and then `name` ends "(estimated)".
    """

    name: str
    start: date
    end: date
    kind: str
    source: str = ""
    organisation: str = ""  # one school's own row (its name, as the file gave it); "" the city's

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def estimated(self) -> bool:
        return ESTIMATED in self.source.lower()


class TermCalendar:
    """Answers school-day questions from a list of periods.

    The date words ("end of term", "next half term", "start of next term") note each day they
    answer from estimated term dates in `estimated_answers`, so the reply that used one can say
    so (the router adds the note; one calendar is loaded per event).
    """

    def __init__(self, periods: list[Period]) -> None:
        self.periods = sorted(periods, key=lambda p: (p.start, p.kind != "term"))
        self.terms = [p for p in self.periods if p.kind == "term"]
        self.breaks = [p for p in self.periods if p.kind != "term"]
        self.estimated_answers: list[date] = []

    def _answer(self, day: date) -> date:
        if self.estimated_on(day) and day not in self.estimated_answers:
            self.estimated_answers.append(day)
        return day

    def term_of(self, day: date) -> Period | None:
        return next((t for t in self.terms if day in t), None)

    def closure(self, day: date) -> Period | None:
        """The half term, bank holiday or INSET day covering `day`, if any."""
        return next((b for b in self.breaks if day in b), None)

    def is_school_day(self, day: date) -> bool:
        if day.weekday() >= 5 or self.term_of(day) is None:
            return False
        return self.closure(day) is None

    def in_term_week(self, day: date) -> bool:
        """True when the Monday-Friday week of `day` has at least one school day."""
        monday = day - timedelta(days=day.weekday())
        return any(self.is_school_day(monday + timedelta(days=i)) for i in range(5))

    def previous_school_day(self, day: date) -> date:
        """`day` itself if it is a school day, else the closest school day before it."""
        for _ in range(400):
            if self.is_school_day(day):
                return day
            day -= timedelta(days=1)
        raise UserError("No school day found before that date in the term calendar.")

    def next_school_day(self, day: date) -> date:
        for _ in range(400):
            if self.is_school_day(day):
                return day
            day += timedelta(days=1)
        raise UserError(
            "No school day found after that date: the term calendar ends too soon.",
            example="terms import terms.csv",
        )

    def add_school_days(self, day: date, n: int) -> date:
        """The n-th school day after `day`."""
        while n > 0:
            day = self.next_school_day(day + timedelta(days=1))
            n -= 1
        return day

    def _next_term(self, day: date) -> Period:
        term = self.term_of(day) or next((t for t in self.terms if t.start > day), None)
        if term is None:
            raise UserError(
                f"The term calendar has no term after {day:%d/%m/%Y}.",
                hint="Ask staff to import the next year's dates.",
                example="terms import terms.csv",
            )
        return term

    def end_of_term(self, day: date) -> date:
        return self._answer(self._next_term(day).end)

    def start_of_next_term(self, day: date) -> date:
        current = self.term_of(day)
        after = current.end if current else day
        nxt = next((t for t in self.terms if t.start > after), None)
        if nxt is None:
            raise UserError(
                "The term calendar has no next term yet.", example="terms import terms.csv"
            )
        return self._answer(nxt.start)

    def next_half_term(self, day: date) -> date:
        half = next((b for b in self.breaks if b.kind == "half_term" and b.start > day), None)
        if half is None:
            raise UserError("The term calendar has no half term after that date.")
        return self._answer(half.start)

    def end_of_half_term(self, day: date) -> date:
        """The last school day before the next half term or holiday."""
        half = self.next_half_term(day)
        return self._answer(self.previous_school_day(min(half, self.end_of_term(day))))

    def half_terms_ended(self, after: date, until: date) -> list[Period]:
        """Half-term breaks that began in (after, until]."""
        return [b for b in self.breaks if b.kind == "half_term" and after < b.start <= until]

    def estimated_on(self, day: date) -> bool:
        """Whether what the calendar says about `day` rests on estimated dates: a term or half
        term covering it is estimated, or, in the holidays, the term before or after it is."""
        covering = [p for p in self.periods if p.kind in ("term", "half_term") and day in p]
        if covering:
            return any(p.estimated for p in covering)
        before = next((t for t in reversed(self.terms) if t.end < day), None)
        after = next((t for t in self.terms if t.start > day), None)
        return any(t is not None and t.estimated for t in (before, after))

    def half_term_starts(self, first: date, last: date, *, halves: bool) -> list[date]:
        """The first school day of each term (and with `halves`, of each half term: the first
        school day after each half-term break) that falls in [first, last]."""
        starts: list[date] = []
        for term in self.terms:
            if term.end < first or term.start > last:
                continue
            openings = [term.start]
            if halves:
                openings += [
                    b.end + timedelta(days=1)
                    for b in self.breaks
                    if b.kind == "half_term" and term.start < b.start <= term.end
                ]
            for opening in openings:
                day = opening
                while day <= term.end and not self.is_school_day(day):
                    day += timedelta(days=1)
                if day <= term.end and first <= day <= last:
                    starts.append(day)
        return sorted(set(starts))


def school_year_of(day: date) -> int:
    """The calendar year the school year holding `day` began in (September to August)."""
    return day.year if day.month >= 9 else day.year - 1


def replace_years(base: list[Period], newer: list[Period]) -> list[Period]:
    """`newer` in place of `base` for the school years newer's terms cover.

    Imported dates replace the shipped (or estimated) ones only for the years they give, so a
    file of next year's dates leaves this year's and the estimates after it in place. Bank
    holidays are left out: `with_bank_holidays` adds them once for the whole result.
    """
    years = {school_year_of(p.start) for p in newer if p.kind == "term"}
    kept = [p for p in base if p.kind != "bank_holiday" and school_year_of(p.start) not in years]
    return kept + list(newer)


class Calendars:
    """The city's calendar and each school's own (its terms where it set them, its INSET days).

    `own` maps an organisation id to that school's rows. A school's term rows replace the
    city's terms and half terms in the school years they cover; its other rows (INSET days,
    closures) are added to whichever terms apply. A school with no rows has the city's.
    """

    def __init__(self, city: TermCalendar, own: dict[int, list[Period]] | None = None) -> None:
        self.city = city
        self.own = own or {}
        self._made: dict[int, TermCalendar] = {}

    def anyone_in_school(self, day: date) -> bool:
        """Whether `day` is a school day for the city or any school with its own dates."""
        return any(self.of(org).is_school_day(day) for org in [None, *self.own])

    def of(self, organisation_id: int | None) -> TermCalendar:
        """The calendar for people of `organisation_id` (None, or no own rows: the city's)."""
        if organisation_id is None or organisation_id not in self.own:
            return self.city
        if organisation_id not in self._made:
            own = self.own[organisation_id]
            base = [p for p in self.city.periods if p.kind != "bank_holiday"]
            merged = replace_years(base, own) if any(p.kind == "term" for p in own) else base + own
            self._made[organisation_id] = TermCalendar(with_bank_holidays(merged))
        return self._made[organisation_id]


TERMS_HEADER = ("name", "start", "end", "kind")
TERMS_EXAMPLE = "Autumn 2027,06/09/2027,17/12/2027,term"


def read_periods(
    source: CsvFile | Path | str | None = None, *, calendar: str = "england"
) -> list[Period]:
    """Read `name,start,end,kind[,source][,organisation]` rows (dates UK order or ISO) from a
    file read with `bot.csvfile` or a path; None reads the shipped `calendar`. A row with an
    `organisation` is that school's own (an academy's terms, its INSET days); without one it is
    the city's.

    Raises UserError for an unreadable file (named) or a bad row (its line named).
    """
    if source is None:
        name = f"data/terms_{calendar}.csv"
        data = resources.files("bot").joinpath(name).read_bytes()
        file = csvfile.from_bytes(data, name=name, example=TERMS_EXAMPLE)
        default_source = f"shipped {calendar} calendar"
    else:
        file = (
            source
            if isinstance(source, CsvFile)
            else csvfile.read_file(source, example=TERMS_EXAMPLE)
        )
        default_source = "imported"
    periods = []
    for line_no, row in csvfile.rows(file, required=TERMS_HEADER[1:], example=TERMS_EXAMPLE):
        start, end = (
            csvfile.day(row[c], line=line_no, column=c, example=TERMS_EXAMPLE)
            for c in ("start", "end")
        )
        kind = row["kind"]
        if kind not in KINDS:
            raise UserError(
                f"Line {line_no}: kind {kind!r} is not one of {', '.join(KINDS)}.",
                example=TERMS_EXAMPLE,
            )
        if end < start:
            raise UserError(f"Line {line_no}: end is before start.", example=TERMS_EXAMPLE)
        where = row.get("source") or default_source
        label = row.get("name") or kind
        if ESTIMATED in where.lower() and ESTIMATED not in label.lower():
            label += " (estimated)"
        organisation = " ".join((row.get("organisation") or "").split())
        periods.append(Period(label, start, end, kind, where, organisation))
    return periods


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def _friday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def estimate_sheffield_year(year: int) -> list[Period]:
    """Sheffield's usual pattern for the school year starting in September `year`.

    Learned from the published years 2023/24 and 2025/26: the year starts on the first Monday
    of September; October half term is the last Monday-Friday week inside October; autumn ends
    on the last Friday on or before 22 December and spring starts 17 days later (a Monday);
    February half term starts on the first Monday on or after 11 February; spring ends on the
    last Friday of March (the Thursday when that is Good Friday) and summer starts 17 days after
    that Friday; May half term is the week of the Spring bank holiday (last Monday of May);
    summer ends on the weekday on or before 21 July. Every period's source says "estimated".
    """
    source = f"{ESTIMATED} from Sheffield's usual pattern (not published)"
    start = _monday_on_or_after(date(year, 9, 1))
    october = _friday_on_or_before(date(year, 10, 31)) - timedelta(days=4)
    autumn_end = _friday_on_or_before(date(year, 12, 22))
    spring_start = autumn_end + timedelta(days=17)
    february = _monday_on_or_after(date(year + 1, 2, 11))
    march_friday = _friday_on_or_before(date(year + 1, 3, 31))
    good_friday = next(
        d
        for d, name in holidays.country_holidays("GB", subdiv="ENG", years=year + 1).items()
        if name == "Good Friday"
    )
    spring_end = march_friday - timedelta(days=1 if march_friday == good_friday else 0)
    summer_start = march_friday + timedelta(days=17)
    may = _friday_on_or_before(date(year + 1, 5, 31)) - timedelta(days=4)
    summer_end = _friday_on_or_before(date(year + 1, 7, 21))
    if date(year + 1, 7, 21).weekday() < 5:
        summer_end = date(year + 1, 7, 21)
    rows = [
        (f"Autumn {year}", start, autumn_end, "term"),
        (f"Autumn half term {year}", october, october + timedelta(days=4), "half_term"),
        (f"Spring {year + 1}", spring_start, spring_end, "term"),
        (f"Spring half term {year + 1}", february, february + timedelta(days=4), "half_term"),
        (f"Summer {year + 1}", summer_start, summer_end, "term"),
        (f"Summer half term {year + 1}", may, may + timedelta(days=4), "half_term"),
    ]
    return [Period(f"{n} (estimated)", a, b, k, source) for n, a, b, k in rows]


def bank_holidays(first: date, last: date) -> list[Period]:
    """England's bank holidays from `first` to `last` inclusive, from the `holidays` library."""
    found = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 1))
    return [
        Period(str(name), day, day, "bank_holiday", BANK_HOLIDAY_SOURCE)
        for day, name in sorted(found.items())
        if first <= day <= last
    ]


def with_bank_holidays(periods: list[Period]) -> list[Period]:
    """`periods` plus every England bank holiday in the school years they span.

    Bank holidays already in `periods` (an imported file may list them) are not repeated.
    """
    if not periods:
        return []
    first = date(min(p.start for p in periods).year - 1, 9, 1)
    last = date(max(p.end for p in periods).year, 8, 31)
    have = {p.start for p in periods if p.kind == "bank_holiday"}
    return periods + [b for b in bank_holidays(first, last) if b.start not in have]


def shipped_periods(calendar: str = "sheffield") -> list[Period]:
    """The shipped calendar's periods with bank holidays; Sheffield's with estimated years after.

    Raises ValueError for a calendar name not in CALENDARS.
    """
    return list(_shipped(calendar))


@functools.cache  # read once per process: every event asks for the calendar
def _shipped(calendar: str) -> tuple[Period, ...]:
    if calendar not in CALENDARS:
        raise ValueError(f"unknown calendar {calendar!r} (use sheffield or england)")
    periods = read_periods(calendar=calendar)
    if calendar == "sheffield":
        last = max(p.start.year for p in periods if p.kind == "term" and p.start.month >= 9)
        for year in range(last + 1, last + 1 + ESTIMATE_YEARS):
            periods += estimate_sheffield_year(year)
    return tuple(with_bank_holidays(periods))


def default_calendar(calendar: str = "sheffield") -> TermCalendar:
    """The shipped calendar named by the PARTNERSHIP_CALENDAR setting (sheffield or england)."""
    return TermCalendar(shipped_periods(calendar))


@dataclass(frozen=True)
class OfficeHours:
    """Learn Sheffield's working time, which support targets count (not a school's days).

    Open `opens`-`closes` local time on weekdays that are not England bank holidays (from the
    `holidays` library) and not inside the optional yearly `closure`, a pair of (month, day)
    that may run over New Year, both ends closed. Settings SUPPORT_OFFICE_HOURS and
    SUPPORT_OFFICE_CLOSURE; `parse_office_hours` reads them.
    """

    opens: time = time(8, 0)
    closes: time = time(18, 0)
    closure: tuple[tuple[int, int], tuple[int, int]] | None = None

    @property
    def hours_per_day(self) -> float:
        """Length of one working day in hours (10 for 08:00-18:00)."""
        today = date(2000, 1, 3)
        span = datetime.combine(today, self.closes) - datetime.combine(today, self.opens)
        return span.total_seconds() / 3600

    def words(self) -> str:
        """`08:00-18:00 on weekdays that are not bank holidays (closed 24/12-01/01)`."""
        text = f"{self.opens:%H:%M}-{self.closes:%H:%M} on weekdays that are not bank holidays"
        if self.closure:
            (m1, d1), (m2, d2) = self.closure
            text += f" (closed {d1:02d}/{m1:02d}-{d2:02d}/{m2:02d})"
        return text

    def is_open_day(self, day: date) -> bool:
        """A weekday, not a bank holiday in England, not in the closure period."""
        if day.weekday() >= 5 or day in _england_bank_holidays(day.year):
            return False
        if self.closure is None:
            return True
        first, last = self.closure
        here = (day.month, day.day)
        if first <= last:
            return not first <= here <= last
        return not (here >= first or here <= last)  # runs over New Year, e.g. 24/12-01/01


@functools.cache
def _england_bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def parse_office_hours(hours: str, closure: str = "") -> OfficeHours:
    """`hours` like "08:00-18:00"; `closure` like "24/12-01/01" (day/month) or "" for none.

    Raises ValueError with a correct example for anything else, or when closing is not after
    opening.
    """
    try:
        opens, closes = (time.fromisoformat(t.strip()) for t in hours.split("-"))
    except ValueError:
        raise ValueError(f"{hours!r} is not opening hours like 08:00-18:00") from None
    if closes <= opens:
        raise ValueError(f"{hours!r}: closing must be after opening, e.g. 08:00-18:00")
    if not closure.strip():
        return OfficeHours(opens, closes)
    try:
        ends = []
        for part in closure.split("-"):
            day, month = (int(x) for x in part.strip().split("/"))
            date(2000, month, day)  # a real day (2000 is a leap year: 29/02 is allowed)
            ends.append((month, day))
        first, last = ends
    except ValueError:
        raise ValueError(f"{closure!r} is not a closure like 24/12-01/01 (day/month)") from None
    return OfficeHours(opens, closes, (first, last))
