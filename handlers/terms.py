"""The school term calendar: what the terms are, and importing next year's dates.

Meetings use it to ask before booking a holiday or weekend, and to repeat termly
("the first Friday of each term").
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from pathlib import Path

from dateutil.relativedelta import weekday as rweekday
from dateutil.rrule import MONTHLY, WEEKLY, rrule
from sqlalchemy.ext.asyncio import AsyncSession

from bot.csvfile import CsvFile
from bot.dates import format_date, to_local
from bot.errors import UserError
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Reply, Section, Table
from bot.services import Request, Services
from bot.terms import Period, TermCalendar, read_periods
from storage.directory import organisation_by_name
from storage.system import calendars, replace_terms, term_calendar

commands = CommandSet("terms", "The school term calendar")
register = commands.register

KIND_LABELS = {
    "term": "term",
    "half_term": "half term",
    "bank_holiday": "bank holiday",
    "inset": "INSET day",
    "holiday": "holiday",
}


def school_year_start(day: date) -> date:
    """1 September of the school year `day` falls in."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def _estimated_note(cal: TermCalendar, day: date) -> str:
    """ " (estimated)" when `day` comes from an estimated term or half term, else ""."""
    covering = [p for p in cal.periods if p.kind in ("term", "half_term") and day in p]
    return " (estimated)" if any(p.estimated for p in covering) else ""


def closure_words(closure: Period) -> str:
    """`is a bank holiday (May Day)`, `is an INSET day`, `is in Spring half term 2026 (half
    term)`: how a closure reads after a date."""
    if closure.kind == "bank_holiday":
        return f"is a bank holiday ({closure.name})"
    if closure.kind == "inset":
        named = closure.name.lower().startswith("inset")
        return "is an INSET day" + ("" if named else f" ({closure.name})")
    return f"is in {closure.name} ({KIND_LABELS.get(closure.kind, '')})"


def closed_reason(cal: TermCalendar, day: date) -> str | None:
    """Why `day` is not a school day (weekend, half term, holiday), or None when it is one.

    Days outside the calendar's range are not questioned: there is nothing to check against.
    """
    if day.weekday() >= 5:
        return f"{format_date(day)} is a {day:%A}"
    closure = cal.closure(day)
    if closure is not None and cal.term_of(day) is not None:
        return f"{format_date(day)} {closure_words(closure)}"
    if cal.term_of(day) is None and cal.terms and cal.terms[0].start <= day <= cal.terms[-1].end:
        return f"{format_date(day)} is in the school holidays"
    return None


def closed_note(cal: TermCalendar, day: date) -> str | None:
    """Why schools are closed on `day` (a weekend, a bank holiday, an INSET day, the school
    holidays), marked when it rests on estimated term dates; None on a school day.

    For deadlines: a date schools are closed on is accepted, and the reply says so.
    """
    reason = closed_reason(cal, day)
    closure = cal.closure(day)
    bank_holiday = closure is not None and closure.kind == "bank_holiday"
    if reason is None:
        if closure is None:
            return None
        reason = f"{format_date(day)} {closure_words(closure)}"  # a bank holiday beyond the terms
        on_term_dates = False
    else:
        # a weekend, or a bank holiday in term (the holidays library), holds whatever the term
        # dates turn out to be: "a Saturday (by estimated term dates)" misled
        on_term_dates = day.weekday() < 5 and not (bank_holiday and cal.term_of(day) is not None)
    if on_term_dates and cal.estimated_on(day) and "estimated" not in reason:
        reason += " (by estimated term dates)"
    return reason


def deadline_note(cal: TermCalendar, day: date, *, then: str) -> str:
    """ " Note: <why schools are closed that day>. <then>" for a deadline on a day schools are
    closed, else "". The deadline is kept: a consultation may close on Christmas Eve."""
    reason = closed_note(cal, day)
    return f" Note: {reason}, when schools are closed. {then}" if reason else ""


def termly_dates(cal: TermCalendar, first: date, count: int) -> list[date]:
    """`first`, then the same school-day weekday slot in each later term.

    A meeting on the first Friday of a term repeats on the first Friday of each term after.
    """
    term = cal.term_of(first)
    if term is None:
        raise UserError(
            f"{format_date(first)} is not in a term, so I can't tell which week of term to repeat.",
            hint="Pick a date in term, e.g. the first Friday of term.",
            example='meeting add "Board" group:board on:"12/01/2024 14:00" every:term',
        )

    def slots(start: date, end: date) -> list[date]:
        days, day = [], start
        while day <= end:
            if day.weekday() == first.weekday() and cal.is_school_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    n = slots(term.start, first).__len__() or 1
    found = [first]
    for later in [t for t in cal.terms if t.start > term.end]:
        if len(found) >= count:
            break
        options = slots(later.start, later.end)
        if options:
            found.append(options[min(n, len(options)) - 1])
    return found


EVERY = {
    "week": "every week",
    "weekly": "every week",
    "fortnight": "every fortnight",
    "2w": "every fortnight",
    "fortnightly": "every fortnight",
    "month": "every month",
    "monthly": "every month",
    "term": "every term",
    "termly": "every term",
}
MAX_REPEATS = 40


def repeat_starts(
    cal: TermCalendar, start: datetime, *, every: str | None, count: str | None, example: str
) -> tuple[list[datetime], str, str]:
    """Local start times for `every:` and `count:`; the first is `start` itself.

    Returns the starts, the repeat in words, and a note for the reply: why fewer than `count`
    termly dates were found (the term calendar ends), and which rest on estimated term dates.
    """
    every = (every or "").lower()
    if not every:
        return [start], "", ""
    if every not in EVERY:
        raise UserError(
            f"every:{every} is not a repeat I know.",
            hint="Use every:week, every:fortnight, every:month or every:term.",
            example=example + " every:month count:6",
            field="every",
        )
    raw = count or "6"
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_REPEATS:
        raise UserError(f"count: must be a number from 1 to {MAX_REPEATS}.", example="count:6")
    label = EVERY[every]
    if label == "every term":
        days = termly_dates(cal, start.date(), int(raw))
        return (
            [datetime.combine(d, start.time()) for d in days],
            label,
            termly_note(cal, days, wanted=int(raw)),
        )
    if label == "every month":
        nth = (start.day - 1) // 7 + 1
        which = -1 if nth == 5 else nth
        rule = rrule(
            MONTHLY, dtstart=start, count=int(raw), byweekday=rweekday(start.weekday(), which)
        )
        ordinal = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}[which]
        label = f"every month ({ordinal} {start:%A})"
    else:
        rule = rrule(
            WEEKLY, dtstart=start, count=int(raw), interval=2 if "fortnight" in label else 1
        )
    return list(rule), label, ""


def termly_note(cal: TermCalendar, days: list[date], *, wanted: int) -> str:
    """Why fewer termly dates than asked for, and which rest on estimated term dates."""
    note = ""
    if len(days) < wanted:
        last = cal.terms[-1].end if cal.terms else days[-1]
        note += (
            f" Only {len(days)} of the {wanted} asked for: the term calendar has no terms after "
            f"{format_date(last)} yet. Staff can load the council's dates with `terms import`, "
            "then book the rest."
        )
    guessed = [d for d in days if cal.estimated_on(d)]
    if guessed:
        note += (
            f" From {format_date(guessed[0])} these follow estimated term dates (not yet "
            "published): check them when the council publishes its dates."
        )
    return note


@commands.command(
    "terms",
    summary="Terms, half terms, bank holidays and INSET days for this school year and next: "
    "your school's own where it has set them, or org:<school>'s",
    usage='terms [all] [org:"<school>"]',
    examples=["terms", 'terms org:"Parkwood Academy"'],
    options={"org"},
)
async def terms(req: Request, svc: Services) -> Reply:
    whose = ""
    if req.args.opt("org"):
        org = await organisation_by_name(svc.session, req.args.opt("org") or "")
        cal = await term_calendar(
            svc.session, svc.settings.partnership_calendar, organisation_id=org.id
        )
        whose = f" for {org.name}"
    elif req.actor.organisation_id is not None:
        everyone = await calendars(svc.session, svc.settings.partnership_calendar)
        if req.actor.organisation_id in everyone.own:
            cal = everyone.of(req.actor.organisation_id)
            whose = " for your school"
        else:
            cal = await svc.terms()
    else:
        cal = await svc.terms()
    today = to_local(req.now, svc.tz).date()
    show_all = bool(req.args.words and req.args.words[0].lower() == "all")
    start = school_year_start(today)
    end = date(start.year + 2, 8, 31)
    rows = [
        [
            p.name,
            format_date(p.start),
            format_date(p.end),
            KIND_LABELS.get(p.kind, p.kind),
            p.source,
        ]
        for p in cal.periods
        if show_all or (p.end >= start and p.start <= end)
    ]
    fields = []
    term = cal.term_of(today)
    if term:
        state = "a school day" if cal.is_school_day(today) else "not a school day"
        fields.append(("Today", f"{format_date(today)}: {term.name}, {state}"))
    else:
        fields.append(("Today", f"{format_date(today)}: school holidays"))
    for label, method in (("End of term", "end_of_term"), ("Next half term", "next_half_term")):
        with contextlib.suppress(UserError):
            day = getattr(cal, method)(today)
            fields.append((label, format_date(day) + _estimated_note(cal, day)))
    title = "The whole term calendar" if show_all else "This school year and next"
    reply = Reply(text=f"Term calendar{whose}: {title.lower()}.")
    return reply.add(
        Section(fields=fields),
        Table(columns=["name", "from", "to", "kind", "source"], rows=rows),
        Section(
            text='Dates like "end of term" and "next half term" work in any command. Rows '
            'marked "(estimated)" follow the usual pattern because no dates are published yet: '
            "staff can load the council's dates with `terms import`."
        ),
    )


@commands.command(
    "terms import",
    summary="Load term dates from a CSV on the server: name,start,end,kind and an optional "
    "organisation column for one school's own dates (staff)",
    usage="terms import <path to CSV with header name,start,end,kind[,organisation]>",
    examples=["terms import /srv/data/terms_2024.csv"],
    writes=True,
    form=FormSpec(
        title="Import the term calendar",
        submit="Import",
        intro="It replaces the term calendar from a CSV file on the server.",
        fields=(
            Field(
                "path",
                "Path of the CSV on the server",
                required=True,
                positional=True,
                placeholder="/srv/data/terms_2024.csv",
                hint="columns name,start,end,kind and optionally organisation (a school's own "
                "dates); dates like 05/01/2027 (5 January) or 2027-01-05",
            ),
        ),
    ),
)
async def terms_import(req: Request, svc: Services) -> Reply:
    example = "terms import /srv/data/terms_2024.csv"
    path = req.args.text()
    if not path:
        raise UserError(
            "Give the CSV file's path.",
            hint="Columns: name,start,end,kind and optionally organisation (a school's own "
            "dates); kind is term, half_term, bank_holiday, inset or holiday; dates like "
            "05/01/2027 (5 January) or 2027-01-05.",
            example=example,
            # a date format, not a date to use: moved with the clock it read "08/01/2030 (5 January)"
            example_is_dated=True,
        )
    periods = read_periods(path)  # bot.csvfile names a missing or unreadable file
    count, schools = await replace_terms(svc.session, periods, example=example)
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    own = f" (own dates for {', '.join(schools)})" if schools else ""
    return Reply(
        text=f"Imported {count} term calendar rows{own}, {format_date(first)} to "
        f"{format_date(last)}. They replace earlier dates for the school years they cover.",
        subject=("terms", None),
    )


async def import_terms_file(session: AsyncSession, source: CsvFile | Path | str) -> str:
    """`partnership-bot import terms PATH`: the same as the chat command, without a chat.

    `source` is a file read with `bot.csvfile` or a path; UserError (nothing saved) otherwise."""
    periods = read_periods(source)
    count, schools = await replace_terms(
        session, periods, example="partnership-bot import terms /srv/data/terms_2024.csv"
    )
    return f"{count} rows" + (f" (own dates for {', '.join(schools)})" if schools else "")
