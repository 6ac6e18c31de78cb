"""Details read out of a message's words: ids, periods, phases, years, support kind, urgency.

Each function takes the normalised words joined by spaces (`s`) and returns the detail as the
command language writes it, or None.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from bot.language.text import wordlist

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = wordlist(
    "january february march april may june july august september october november december"
)
DAY_RE = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
MONTH_RE = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
DATE_RE = (
    rf"(?:\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {MONTH_RE}(?: \d{{4}})?"
    rf"|{MONTH_RE} \d{{1,2}}(?:st|nd|rd|th)?"
    rf"|(?:next |this )?{DAY_RE}|tomorrow|today"
    r"|end of (?:the |this |next )?(?:term|half term|week|month))"
)
# a number that is part of a date or a time, not an id: "9 jan", "9th", "10am", "10:30"
NOT_AN_ID = rf"(?!(?:st|nd|rd|th)\b|[:./]\d|\s*(?:am|pm)\b|\s+(?:of\s+)?{MONTH_RE}\b)"

# period phrases -> the value the period filters take (bot.dates.parse_period reads them)
PERIODS = [
    (r"\b(?:before|by|until) (?:christmas|xmas|the christmas holidays)\b", "before 24 december"),
    (r"\b(?:in|within) the next (?:two|2) weeks\b|\bnext (?:two|2|couple of) weeks\b", "2 weeks"),
    (r"\b(?:in|within) the next (?:few|three|3) weeks\b", "3 weeks"),
    (r"\bsoon\b", "2 weeks"),
    (r"\b(?:before|by) (?:the )?half term\b", "half term"),
    (r"\b(?:before|by) (?:the )?end of (?:the )?term\b", "this term"),
    (r"\b(?:this|current) half term\b", "this half term"),
    (r"\bthis term\b", "this term"),
    (r"\bnext term\b", "next term"),
    (r"\bnext weekend\b", "next weekend"),
    (r"(?<!before )\b(?:this|the) weekend\b", "this weekend"),
    (r"\b(?:this|current) week\b|\bthe week\b|\bend of (?:the )?week\b", "this week"),
    (r"\bnext week\b", "next week"),
    (r"\b(?:this|current) month\b|\bend of (?:the )?month\b", "this month"),
    (r"\bnext month\b", "next month"),
    (r"\btomorrow\b", "tomorrow"),
    (r"\btoday\b|\btonight\b", "today"),
]
PHASES = [
    (r"\bprimar(?:y|ies)\b|\binfants?\b|\bjuniors?\b", "primary"),
    (r"\bsecondar(?:y|ies)\b|\bhigh schools?\b", "secondary"),
    (r"\bspecial(?: schools?)?\b|\bsend schools\b", "special"),
    (r"\bnurser(?:y|ies)\b|\bearly years\b", "nursery"),
    (r"\bpost[- ]?16\b|\bsixth forms?\b|\bcolleges?\b", "post-16"),
    (r"\ball[- ]through\b", "all-through"),
]
# Said to play urgency down ("not urgent", "no rush", "I don't need anything today but..."):
# these words are taken out before the kind and urgency are read, so "urgent" and "today" in
# them count for nothing, and a request that says one of them is never read as for today.
CALM = (
    r"\b(?:not (?:urgent\w*|an emergency|a crisis|desperate|pressing|time[- ]critical"
    r"|(?:for |needed |required )?(?:today|now|immediately|straight away|right away))"
    r"|no (?:rush|hurry|panic|urgency|great rush)|not in a (?:rush|hurry)|whenever"
    r"|when(?:ever)? (?:you|someone|one of you) (?:can|get a chance|has time|have time)"
    r"|in (?:the|your) own time|is fine|would be fine"
    r"|(?:do|does|did) not (?:need|want|expect) (?:\w+ ){0,3}(?:today|now|immediately)"
    r"|no need (?:\w+ ){0,3}(?:today|now|immediately))\b"
)
# The kinds of point-of-need support (seed 003; storage.support.KIND_DESCRIPTIONS): what is
# asked decides the kind, the first that fits in this order.
SUPPORT_KINDS = [
    (
        # something serious has happened and a leader's help is needed today
        r"\b(?:crisis|emergency|taken ill|seriously ill|died|death|passed away|bereave\w*|"
        r"off sick|signed off|suspended|safeguarding|serious incident|incident|police|"
        r"intruder|lock ?down|injur\w*|assault\w*|arrested|flood\w*|fire|urgent\w*|resigned|"
        r"head is off|immediate effect|unannounced|ofsted (?:are|have|is) (?:in|here|arrived|"
        r"called|coming tomorrow)|unexpectedly absent|no head|without a head|collapsed|"
        r"hospital|allegation)\b",
        "crisis",
    ),
    (
        # someone to speak up for the school: with the council, the DfE, a panel, the press
        r"\b(?:advocacy|advocate|speak (?:up|for)|represent\w*|on (?:our|my) behalf|push back|"
        r"appeal|tribunal|panel|hearing|exclusion|complaint|escalated|the press|journalists?|"
        r"in (?:my|our) corner|on (?:my|our) side|back (?:me|us) up|stand up for|fight (?:our|my)"
        r" corner|(?:with|alongside) (?:me|us) (?:at|in|to)|come (?:to|with) (?:a|an|the|me|us))\b",
        "advocacy",
    ),
    (
        # finding and agreeing support from another school, trust or provider
        r"\b(?:broker\w*|find (?:us )?(?:a|an|someone|another)|partner (?:school|with)|supply|"
        r"interim|recruit\w*|match (?:us|me)|put (?:us|me) in touch|mentor|coach|find us|"
        r"providers?|link (?:us|me) up)\b",
        "brokerage",
    ),
    (
        # where to find guidance or whom to ask
        r"\b(?:signpost\w*|who (?:do|should|would|can) (?:i|we) (?:contact|ask|speak|talk|go)|"
        r"where (?:can|do|should|would) (?:i|we) (?:find|get|go|look)|who deals with|"
        r"is there (?:any )?guidance)\b",
        "signposting",
    ),
    (
        # expert advice or a review for planned work
        r"\b(?:consultancy|consultants?|review|curriculum|advice|advis\w+|training|"
        r"ofsted prep\w*|coaching|audit|mock|expert\w*|a second pair of eyes|second opinion|"
        r"look (?:over|through)|go(?:ing)? (?:through|over))\b",
        "consultancy",
    ),
]
URGENCY = [
    (
        r"\b(?:today|immediately|urgent\w*|asap|straight away|right away|this morning|"
        r"this afternoon|tonight|emergency|crisis|right now|now please)\b"
        r"|\b(?:need|needs|needed|want|come|call|ring|help|someone)\b(?: \w+){0,3} now\b|\bnow$",
        "today",
    ),
    (r"\b(?:this week|next week|next few days|in a few days|by friday|soon)\b", "this week"),
    (
        r"\b(?:this half term|half term|next few weeks)\b",
        "this half term",
    ),
]
YEAR_RE = re.compile(r"\b(20\d\d)[/-](\d\d(?:\d\d)?)\b|\b(20\d\d)(\d\d)\b")


def first(patterns: list[tuple[str, str]], s: str) -> str | None:
    for rx, value in patterns:
        if re.search(rx, s):
            return value
    return None


def period(s: str) -> str | None:
    """`this week`, `next month`, `half term`, or a day (`friday`, `15/12`) after by/before/on."""
    found = first(PERIODS, s)
    if found:
        return found
    m = re.search(rf"\b(?:by|before|due|on|for|until|till) ({DATE_RE})\b", s)
    if m:
        return m.group(1)
    m = re.search(rf"\b({DAY_RE})\b", s)
    return m.group(1) if m else None


def phase(s: str) -> str | None:
    return first(PHASES, s)


def phases(s: str) -> list[str]:
    """Every phase named (`for primary and secondary` -> primary, secondary)."""
    return [value for rx, value in PHASES if re.search(rx, s)]


def calm(s: str) -> bool:
    """Whether the message plays its urgency down ("not urgent", "no rush", "sometime this
    half term is fine", "I don't need anything today but...")."""
    return re.search(CALM, s) is not None


def support_kind(s: str) -> str | None:
    """The kind of support asked for (`crisis`, `advocacy`, `brokerage`, `signposting`,
    `consultancy`), or None; "not urgent" and the like never make a crisis."""
    return first(SUPPORT_KINDS, re.sub(CALM, " ", s))


def urgency(s: str) -> str | None:
    """How soon support is wanted, as `support urgency:` takes it (`today`, `this week`,
    `this half term`), or None when the message does not say.

    A request that plays urgency down is never `today`: it is `this week` when it names this
    or next week, else `this half term` ("no rush", "not urgent, sometime this half term is
    fine", "I don't need anything today but could someone advise before half term")."""
    if calm(s):
        rest = re.sub(CALM, " ", s)
        return "this week" if re.search(URGENCY[1][0], rest) else "this half term"
    return first(URGENCY, s)


def academic_year(s: str, now: datetime) -> str | None:
    """`2018/19`, `2018-2019`, `201819`, `last year`, `this year` -> `2018/19`."""
    m = YEAR_RE.search(s)
    if m:
        start = int(m.group(1) or m.group(3))
        return f"{start}/{(start + 1) % 100:02d}"
    this = now.year if now.month >= 9 else now.year - 1
    if re.search(r"\blast (?:school |academic )?year\b", s):
        return f"{this - 1}/{this % 100:02d}"
    if re.search(r"\bthis (?:school |academic )?year\b", s):
        return f"{this}/{(this + 1) % 100:02d}"
    return None


def number_after(s: str, *nouns: str) -> int | None:
    """`meeting 3`, `meeting #3`, `meeting no. 3` -> 3 (for any of the nouns)."""
    alt = "|".join(nouns)
    m = re.search(rf"\b(?:{alt})s? (?:no\.? |number |num )?#?(\d{{1,9}})\b{NOT_AN_ID}", s)
    return int(m.group(1)) if m else None


def any_number(s: str) -> int | None:
    m = re.search(rf"(?:^|\s)#?(\d{{1,6}})(?=\s|$){NOT_AN_ID}", s)
    return int(m.group(1)) if m else None


def duration(s: str) -> str | None:
    """`a week`, `2 weeks`, `3 days`, `a fortnight` -> `1w`, `2w`, `3d`, `2w`."""
    m = re.search(r"\b(\d+|a|an|one|two|three|four) ?(day|week|fortnight|month)s?\b", s)
    if m:
        n = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}.get(m.group(1))
        count = n if n is not None else int(m.group(1))
        unit = m.group(2)
        if unit == "fortnight":
            return f"{2 * count}w"
        if unit == "month":
            return f"{4 * count}w"
        return f"{count}{unit[0]}"
    m = re.search(r"\b(\d+[dw])\b", s)
    return m.group(1) if m else None


def clock_time(s: str) -> str | None:
    """`at 10`, `10am`, `2pm`, `14:30`, `10.30` -> `10:00`, `14:00`, `14:30`, `10:30`."""
    m = re.search(r"\b(\d{1,2})[:.](\d\d)\s*(am|pm)?\b", s) or re.search(
        r"\b(\d{1,2})\s*(am|pm)\b", s
    )
    if m is None:
        m2 = re.search(r"\bat (\d{1,2})\b(?!/)", s)
        if m2 is None:
            return None
        hour = int(m2.group(1))
        if hour < 7:  # "at 2" in a working day means the afternoon
            hour += 12
        return f"{hour:02d}:00"
    groups = m.groups()
    hour = int(groups[0])
    minute = int(groups[1]) if len(groups) == 3 and groups[1] and groups[1].isdigit() else 0
    ampm = groups[-1]
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if ampm is None and hour < 7:
        hour += 12
    return f"{hour:02d}:{minute:02d}"


def day_phrase(s: str) -> str | None:
    """The day a message names (`15 january`, `thursday`, `15/01/2024`), as typed."""
    m = re.search(rf"\b({DATE_RE})\b", s)
    return m.group(1) if m else None


def quick_date(text: str, today: date) -> date | None:
    """`15 december`, `15th dec`, `15/12`, `15/12/2023`, `tomorrow` without dateparser (it
    costs milliseconds); the next such day from today. None for anything else."""
    text = text.strip()
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?", text)
    day_month = None
    year = None
    if m:
        day_month = (int(m.group(1)), int(m.group(2)))
        year = int(m.group(3)) if m.group(3) else None
    else:
        m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+)(?: (\d{4}))?", text)
        if m:
            month = next(
                (i for i, name in enumerate(MONTHS, 1) if name.startswith(m.group(2)[:3])), None
            )
            if month is None:
                return None
            day_month = (int(m.group(1)), month)
            year = int(m.group(3)) if m.group(3) else None
    if day_month is None:
        return None
    if year is not None and year < 100:
        year += 2000
    try:
        found = date(year or today.year, day_month[1], day_month[0])
        if year is None and found < today:
            found = date(today.year + 1, day_month[1], day_month[0])
    except ValueError:
        return None
    return found


def length(s: str) -> str | None:
    """How long a meeting runs: `for 90 minutes`, `for an hour`, `for 2 hours`, `for half an
    hour`, `for an hour and a half` -> `90m`, `1h`, `2h`, `30m`, `1h30m` (the for: option)."""
    if re.search(r"\bfor half an hour\b", s):
        return "30m"
    m = re.search(r"\bfor (an?|one|two|three|\d+(?:\.5)?) (hour|minute)s?( and a half)?\b", s)
    if m is None:
        return None
    words = {"a": "1", "an": "1", "one": "1", "two": "2", "three": "3"}
    count = float(words.get(m.group(1), m.group(1))) + (0.5 if m.group(3) else 0)
    if m.group(2) == "minute":
        return f"{int(count)}m"
    hours, half = int(count), count % 1
    return f"{hours}h" + ("30m" if half else "")
