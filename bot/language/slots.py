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
MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
# a day of the month as people write one alone: "the 18th", "18th" (not "the 2nd meeting")
ORDINAL_RE = (
    r"(?:the )?\d{1,2}(?:st|nd|rd|th)\b(?! (?:of (?!" + MONTH_RE + r")|time|one|meeting|item"
    r"|action|week|floor|year|place|day|round|draft|version|request|consultation))"
)
DATE_RE = (
    rf"(?:\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|(?:{DAY_RE} )?(?:the )?\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {MONTH_RE}(?: \d{{4}})?"
    rf"|(?:{DAY_RE} )?{MONTH_RE} (?:the )?\d{{1,2}}(?:st|nd|rd|th)?"
    rf"|{DAY_RE} (?:the )?\d{{1,2}}(?:st|nd|rd|th)\b|{DAY_RE} the \d{{1,2}}\b|{ORDINAL_RE}"
    rf"|(?:next |this )?{DAY_RE}|tomorrow|today"
    r"|end of (?:the |this |next )?(?:term|half term|week|month))"
)
# a number that is part of a date or a time, not an id: "9 jan", "9th", "10am", "10:30"
NOT_AN_ID = rf"(?!(?:st|nd|rd|th)\b|[:./]\d|\s*(?:am|pm)\b|\s+(?:of\s+)?{MONTH_RE}\b)"

# the end of this term as a deadline: "before we break up", "before the holidays", "by the
# end of term" (a period, not a question about term dates)
BY_END_OF_TERM = (
    r"\b(?:before|by|until|till) (?:the )?end of (?:the )?term\b"
    r"|\b(?:before|by|until|till) (?:we|they|the schools?|schools?|school) (?:break|finish)"
    r"(?: up)?\b|\b(?:before|by|until|till) the (?:summer |easter )?holidays\b"
)
# period phrases -> the value the period filters take (bot.dates.parse_period reads them)
PERIODS = [
    (r"\b(?:before|by|until) (?:christmas|xmas|the christmas holidays)\b", "before 24 december"),
    (
        r"\b(?:in|within|over) the next (?:two|2) weeks\b|\bnext (?:two|2|couple of) weeks\b"
        r"|\b(?:the |a |next |in a |within a )+fortnight\b|\bfortnight'?s? time\b",
        "2 weeks",
    ),
    (r"\b(?:in|within|over) the next (?:few|three|3) weeks\b", "3 weeks"),
    (r"\bsoon\b", "2 weeks"),
    (r"\b(?:before|by|until|till) (?:the )?(?:end of )?(?:the )?half term\b", "half term"),
    (BY_END_OF_TERM, "this term"),
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
    m = re.search(r"\b(\d+|a|an|another|one|two|three|four) ?(day|week|fortnight|month)s?\b", s)
    if m:
        n = {"a": 1, "an": 1, "another": 1, "one": 1, "two": 2, "three": 3, "four": 4}.get(
            m.group(1)
        )
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
            span = time_range(s)  # "fri 15th dec 10-12": it starts at 10
            return span[0] if span else None
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


def day_phrase(s: str, today: date | None = None) -> str | None:
    """The day a message names (`15 january`, `thursday`, `15/01/2024`, `the 18th`,
    `tuesday 19th dec`), as typed; or, given `today`, a day named by its number as the
    command writes it (`19/12/2023`, see `quick_date`), so the reading shows the very day."""
    m = re.search(rf"\b({DATE_RE})\b", s)
    if m is None:
        return None
    phrase = m.group(1)
    if today is not None and re.search(r"\d", phrase):
        found = quick_date(phrase, today)
        if found is not None:
            return f"{found:%d/%m/%Y}"
    return phrase


def moved_to(s: str) -> str:
    """The words after the `to` that names where a thing moves ("need to move the board
    meeting on the 14th to tuesday 19th dec" -> "tuesday 19th dec"): the first `to` followed
    by a day or a time, else the first `to`; "" when there is none."""
    found = [m.end() for m in re.finditer(r"\bto ", s)]
    for end in found:
        if re.match(rf"(?:on |the |next )*(?:{DATE_RE}|\d)", s[end:]):
            return s[end:]
    return s[found[0] :] if found else ""


def closing(s: str, today: date) -> str | None:
    """The closing date an opportunity or consultation is given ("closes 2nd feb", "closing
    date 19th jan", "deadline end of term", "until friday"), as the command writes it (see
    `day_phrase`), or None. Only a day right after the cue counts: a message's words run on
    without commas ("closes 2nd feb link https://...")."""
    m = re.search(
        r"\b(?:closing|closes|close|closed|deadline|ends?|until|till)(?: date)?(?: is)?"
        r"(?: on| by| at)? (?=(?:the |next |this )*(?:" + DATE_RE + r"))",
        s,
    )
    return day_phrase(s[m.end() :], today) if m else None


def closing_as_said(s: str, today: date) -> str | None:
    """`closing`, or else the words after the cue up to the next detail, as written ("closes
    end of the spring term, for heads" -> "end of the spring term"), for the command's own
    date words to read or refuse; None when no closing is said."""
    day = closing(s, today)
    if day is not None:
        return day
    found = re.search(
        r"\b(?:closing|closes|close|deadline|until)\s+(?:on\s+|by\s+)?(.+?)"
        r"(?:,|\s+for\b|\s+tagged\b|$)",
        s,
    )
    return found.group(1).strip() if found else None


def link(text: str) -> str | None:
    """The first web address in a message as typed (`https://example.org/c`), without the
    full stop or bracket that ends a sentence."""
    m = re.search(r"https?://[^\s<>\"']+", text)
    return m.group(0).rstrip(".,;:!?)]") if m else None


def _month_number(word: str) -> int | None:
    return next((i for i, name in enumerate(MONTHS, 1) if name.startswith(word[:3])), None)


def _day_of_month(day: int, today: date, weekday: int | None) -> date | None:
    """A day of the month named alone ("the 18th"): this month's if it is still to come, else
    next month's; with a weekday ("thurs 7th"), whichever of those two is on that weekday."""
    candidates = []
    year, month = today.year, today.month
    for _ in range(13):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= today:
            candidates.append(found)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not candidates:
        return None
    if weekday is not None:  # this month's or next: a year on is not what "thurs 7th" means
        agreeing = [d for d in candidates[:2] if d.weekday() == weekday]
        if agreeing:
            return agreeing[0]
    return candidates[0]


def quick_date(text: str, today: date) -> date | None:
    """`15 december`, `15th dec`, `15/12`, `15/12/2023`, `tuesday 19th dec`, `dec 19th`,
    `the 18th`, `thursday 7th`, `tomorrow` without dateparser (it costs milliseconds); the
    next such day from today (a date already past is next year's, a day of the month alone is
    this month's or next). None for anything else."""
    text = " ".join(text.split()).removeprefix("on ")
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    weekday = None
    m = re.match(rf"({DAY_RE}) (?:the )?(?=\d|{MONTH_RE})", text)
    if m:
        weekday = WEEKDAYS.index(m.group(1))
        text = text[m.end() :]
    text = text.removeprefix("the ")
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", text)
    if m:
        return _day_of_month(int(m.group(1)), today, weekday)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?", text)
    day_month = None
    year = None
    if m:
        day_month = (int(m.group(1)), int(m.group(2)))
        year = int(m.group(3)) if m.group(3) else None
    else:
        m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+)(?: (\d{4}))?", text)
        m2 = re.fullmatch(r"([a-z]+) (?:the )?(\d{1,2})(?:st|nd|rd|th)?(?: (\d{4}))?", text)
        if m or m2:
            day_text, month_text = (m.group(1), m.group(2)) if m else (m2.group(2), m2.group(1))
            month = _month_number(month_text)
            if month is None:
                return None
            day_month = (int(day_text), month)
            year_text = (m or m2).group(3)
            year = int(year_text) if year_text else None
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


def time_range(s: str) -> tuple[str, str] | None:
    """A meeting's span of the day: `10-12`, `10 till 12`, `9.30 to 11`, `2-4pm`, `10am -
    12.30pm` -> (`10:00`, `12:00`)...; hours without am/pm before 7 are the afternoon (a
    working day), and the end must come after the start. None when there is no such span."""
    m = re.search(
        r"(?<![\d/:.-])(?<!year )(?<!years )(\d{1,2})(?:[:.](\d\d))?\s*(am|pm)?"
        r"\s*(?:-|to|till|until|til)\s*(\d{1,2})(?:[:.](\d\d))?\s*(am|pm)?(?![\d/:-])",
        s,
    )
    if m is None:
        return None
    start_h, start_m, start_ampm, end_h, end_m, end_ampm = m.groups()

    def hour(h: str, ampm: str | None) -> int:
        value = int(h)
        if ampm == "pm" and value < 12 or ampm is None and value < 7:
            value += 12
        if ampm == "am" and value == 12:
            value = 0
        return value

    end = hour(end_h, end_ampm)
    start = hour(start_h, start_ampm)
    if start_ampm is None and end_ampm == "pm" and start + 12 < end:
        start += 12  # "2-4pm"
    if not (0 <= start < end <= 23 and int(start_m or 0) < 60 and int(end_m or 0) < 60):
        return None
    return f"{start:02d}:{int(start_m or 0):02d}", f"{end:02d}:{int(end_m or 0):02d}"


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
