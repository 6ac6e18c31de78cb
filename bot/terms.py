"""The school year: terms, half terms, bank holidays and INSET days.

Reminders, nudges and bulletins respect it ("never in school holidays"), and "end of term"
works as a date everywhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from bot.errors import UserError

KINDS = ("term", "half_term", "bank_holiday", "inset", "holiday")


@dataclass(frozen=True)
class Period:
    name: str
    start: date
    end: date
    kind: str

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


class TermCalendar:
    """Answers school-day questions from a list of periods."""

    def __init__(self, periods: list[Period]) -> None:
        self.periods = sorted(periods, key=lambda p: (p.start, p.kind != "term"))
        self.terms = [p for p in self.periods if p.kind == "term"]
        self.breaks = [p for p in self.periods if p.kind != "term"]

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
        return self._next_term(day).end

    def start_of_next_term(self, day: date) -> date:
        current = self.term_of(day)
        after = current.end if current else day
        nxt = next((t for t in self.terms if t.start > after), None)
        if nxt is None:
            raise UserError(
                "The term calendar has no next term yet.", example="terms import terms.csv"
            )
        return nxt.start

    def next_half_term(self, day: date) -> date:
        half = next((b for b in self.breaks if b.kind == "half_term" and b.start > day), None)
        if half is None:
            raise UserError("The term calendar has no half term after that date.")
        return half.start

    def end_of_half_term(self, day: date) -> date:
        """The last school day before the next half term or holiday."""
        half = self.next_half_term(day)
        return self.previous_school_day(min(half, self.end_of_term(day)) - timedelta(days=0))

    def half_terms_ended(self, after: date, until: date) -> list[Period]:
        """Half-term breaks that began in (after, until]."""
        return [b for b in self.breaks if b.kind == "half_term" and after < b.start <= until]


def read_periods(source: Path | str | None = None) -> list[Period]:
    """Read `name,start,end,kind` rows; None reads the shipped England defaults."""
    if source is None:
        text = resources.files("bot").joinpath("data/terms_england.csv").read_text("utf-8")
    else:
        text = Path(source).read_text("utf-8-sig")
    periods = []
    for line_no, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            start, end = date.fromisoformat(row["start"]), date.fromisoformat(row["end"])
        except (KeyError, TypeError, ValueError):
            raise UserError(
                f"Line {line_no}: start and end must be dates like 2024-09-03.",
                example="Autumn 2024,2024-09-03,2024-12-20,term",
            ) from None
        kind = (row.get("kind") or "").strip()
        if kind not in KINDS:
            raise UserError(
                f"Line {line_no}: kind {kind!r} is not one of {', '.join(KINDS)}.",
                example="Autumn 2024,2024-09-03,2024-12-20,term",
            )
        if end < start:
            raise UserError(f"Line {line_no}: end is before start.")
        periods.append(Period((row.get("name") or kind).strip(), start, end, kind))
    return periods


def default_calendar() -> TermCalendar:
    return TermCalendar(read_periods())
