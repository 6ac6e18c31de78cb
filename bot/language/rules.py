"""The phrase rules: each reads one kind of message into one command.

A rule is an async function (Context) -> Interpretation | None, registered with the score it
earns when it matches (how sure that reading is). The interpreter runs them all and takes the
best; near ties become a question. To add phrases, add to a rule's pattern; to add a reading,
add a rule (docs/language.md).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.dates import to_local
from bot.language import slots
from bot.language.context import Context, q, reason_after
from bot.language.model import Interpretation, Kind

Rule = Callable[[Context], Awaitable[Interpretation | str | None]]
RULES: list[tuple[str, Kind, float, Rule]] = []


def rule(name: str, kind: Kind, score: float) -> Callable[[Rule], Rule]:
    def add(fn: Rule) -> Rule:
        RULES.append((name, kind, score, fn))
        return fn

    return add


# a link as typed, without the comma or full stop that follows it in a sentence
URL = re.compile(r"https?://[^\s,;]+[^\s,;.!?)]")


def opt(key: str, value: str | None) -> str:
    return f" {key}:{q(value)}" if value else ""


# --- small talk ---------------------------------------------------------------------------

GREETING = (
    r"^(?:hi+|hello|hey|hiya|morning|good (?:morning|afternoon|evening)|afternoon|yo|howdy)\b"
)
THANKS = r"\b(?:thanks|thank you|many thanks|brilliant|perfect|lovely|great|ace|champion)\b"
ABOUT = (
    r"\b(?:what can you do|what do you do|what are you|who are you|"
    r"what can i (?:ask|do)|what (?:should|can) i (?:ask|type|say)|"
    r"getting started|what is this|what (?:can|does) (?:this|the) bot do|what are you for)\b"
)


@rule("smalltalk", "smalltalk", 0.6)
async def smalltalk(ctx: Context) -> str | None:
    if ctx.has(ABOUT):
        return "about"
    if len(ctx.words) <= 5 and ctx.has(GREETING):
        return "hello"
    if len(ctx.words) <= 6 and ctx.has(THANKS):
        return "thanks"
    return None


# --- help and the directory ---------------------------------------------------------------

TOPICS = [
    (r"\bmeetings?\b|\brsvp\b|\bapologies\b|\bagenda\b|\bminutes\b", "meetings"),
    (r"\bactions?\b|\btasks?\b", "actions"),
    (r"\bopportunit(?:y|ies)\b|\bbulletin\b", "opportunities"),
    (r"\btriage\b|\bsupport\b|\b(?:request|ask for|get|raise) (?:some )?help\b", "support"),
    (r"\battendance\b|\babsence\b", "attendance"),
    (r"\bconsultations?\b", "consultations"),
    (r"\bterms?\b|\bholidays\b", "terms"),
    (r"\bgroups?\b|\bpeople\b|\bdirectory\b", "directory"),
]


HOW_TO = [
    (r"\badd (?:an |a new )?action\b|\brecord an action\b", "action add"),
    (r"\b(?:schedule|book|add|set up|arrange) (?:a |an )?(?:\w+ )?meeting\b", "meeting add"),
    (r"\brsvp\b|\breply to (?:a )?meeting\b", "rsvp"),
    (r"\b(?:send|give) (?:my )?apologies\b", "apologies"),
    (r"\bsnooze\b", "action snooze"),
]


@rule("help", "read", 0.86)
async def help_topic(ctx: Context) -> str | None:
    if not ctx.has(
        r"^help\b|\bhow (?:do|can|should) (?:i|we)\b|\bhelp (?:me )?(?:with|on)\b|\bhow does this work\b"
        r"|\bhow do you work\b|\bhow do (?:\w+ )?\w+ work\b|^explain\b|\bhow to use\b"
    ):
        return None
    with_what = re.search(r"\bhelp (?:me )?(?:with|on)\b(.*)$", ctx.s)
    if not ctx.has(r"^help\b|\bhow\b|^explain\b") and not slots.first(
        TOPICS, with_what.group(1) if with_what else ctx.s
    ):
        # "we need some help with a staffing issue", "...the meeting with the LA. Is that
        # something you can help with?": a request, not a question about the bot
        return None
    if ctx.has(
        r"\bhow (?:do|can) (?:i|we) (?:find out|see|check|know|tell)"
        r" (?:what|which|when|where|who|how many|how much|if|whether)\b"
    ):
        return None  # "how do I find out what we are entitled to" asks for the answer itself
    for pattern, command in HOW_TO:
        if ctx.has(pattern):
            return f"help {command}"
    topic = slots.first(TOPICS, ctx.s)
    return f"help {topic}" if topic else "help"


# "anything overdue across my groups": the groups are where to look, not what is asked
ACROSS_MY_GROUPS = r"\b(?:across|in|for|from|of|on) (?:all |each of |any of )?my groups\b"


@rule("whoami", "read", 0.8)
async def whoami(ctx: Context) -> str | None:
    if ctx.has(ACROSS_MY_GROUPS) and ctx.has(r"\bactions?\b|\bdue\b|\boverdue\b|\bmeetings?\b"):
        return None
    if ctx.has(r"\bgroups (?:are there|exist)\b"):
        return None  # "what groups are there? i've been asked to join one": the list
    if ctx.has(
        r"\bwho am i\b|\bmy (?:details|profile|role|account)\b|\bwhat (?:groups|role) (?:am i|do i)|"
        r"\bwhich groups (?:am i|do i)\b|\bmy groups\b|\bwhat am i (?:on|in)\b|\bwhoami\b"
        r"|\bknow about me\b|\bwhich organisation am i\b|\bwhat organisation am i\b"
        r"|\bmy email\b|\bam i (?:on|in|a member of) the\b|\bwhat is my (?:email|organisation|school)\b"
        r"|\bam i set up\b|\bset up (?:right|properly|correctly)\b"
        r"|\bwhat (?:role|groups?|organisation)\b.*\b(?:have i|am i|do i|i am|i have|me)\b"
        r"|\bam i (?:registered|on (?:here|the system|the bot)|in the (?:system|directory))\b"
    ):
        return "whoami"
    return None


@rule("groups", "read", 0.65)
async def groups(ctx: Context) -> str | None:
    if ctx.has(ACROSS_MY_GROUPS) and ctx.has(r"\bactions?\b|\bdue\b|\boverdue\b|\bmeetings?\b"):
        return None
    if ctx.has(r"\b(?:groups|sub-groups|subgroups)\b") and not ctx.groups():
        return "groups"
    return None


WHO_ATTENDS = (
    r"\bwho (?:is|are|has|have|else is)(?: not)? (?:going|coming|attending|replied|responded"
    r"|sent apologies|said yes|said no)\b"
)


@rule("group", "read", 0.75)
async def group(ctx: Context) -> str | None:
    name = ctx.group()
    if ctx.has(WHO_ATTENDS):
        return None  # who is coming to a meeting, not who is in the group
    if ctx.has(r"\b(?:as|i am) (?:the )?(?:vice )?(?:chair|member|officer) of\b") and ctx.has(
        r"\bactions?\b|\bmeetings?\b|\bminutes\b|\bagenda\b"
    ):
        return None  # "as chair of inclusion I'd like to see the actions": who asks, not what
    if name and ctx.has(
        r"\bwho (?:is|are|sits|chairs|runs|leads)\b|\bmembers?\b|\bmembership\b|\bwho else\b|"
        r"\bwho chairs\b|\bchair of\b|\bthe chair\b|\bchaired\b|\bpeople (?:on|in)\b|\b(?:tell me about|what is|what does) the \w+ (?:sub-?)?group\b"
    ):
        return f"group {name}"
    return None


# --- meetings -----------------------------------------------------------------------------

MEETING = r"\b(?:meetings?|mtgs?)\b"


@rule("meetings", "read", 0.55)
async def meetings(ctx: Context) -> str | None:
    diary = ctx.has(
        r"\bwhat is on\b|\bwhat have i got\b|\bam i (?:busy|free)\b|\bdiary\b|\bcoming up\b"
        r"|\banything on\b|\bnext needed\b|\bwhen am i (?:next|needed)\b"
        r"|\b(?:need|have|got) to (?:be at|attend|go to)\b"
    )
    if not ctx.has(MEETING) and ctx.has(r"\bdue\b|\boverdue\b|\bactions?\b|\bto ?do\b"):
        return None  # "what have I got due this week" is about actions
    if (
        not ctx.has(MEETING)
        and not diary
        and not (ctx.group() and ctx.has(r"\bwhen (?:is|does|do|are)\b|\bnext\b|\bmeet\w*\b"))
    ):
        return None
    if ctx.has(r"\bmeeting #?\d+\b"):
        return None
    group = ctx.group()
    asked = ctx.clause(MEETING + r"|\bdiary\b|\bon\b|\bbusy\b|\bfree\b|\bmeets?\b")
    # "the next board meeting" is one meeting, not a period; "the next fortnight" is one
    nxt = ctx.has(
        r"\bnext (?:(?!fortnight\b|weeks?\b|months?\b|term\b)\w+ )?meeting\b"
        r"|\bnext meets?\b|\bmeets? next\b"
    )
    period = slots.period(asked) if not nxt else None
    return "meetings" + opt("group", group) + opt("within", period)


@rule("meeting", "read", 0.7)
async def meeting_detail(ctx: Context) -> Interpretation | str | None:
    if ctx.has(r"\bmeeting #?\d+\b") and not ctx.has(r"\bagenda\b|\bpapers\b|\bminutes\b"):
        mid = slots.number_after(ctx.s, "meeting")
        return f"meeting {mid}"
    if (
        (ctx.has(r"\bwhat time\b|\bwhere is\b") and ctx.group())
        or ctx.has(
            r"\bwhere is\b|\bdetails\b|\bwhat time\b|\bin person\b|\bonline\b|\bvirtual\b"
            r"|\bhybrid\b|\bon (?:teams|zoom)\b|\bvenue\b|\b(?:which|what) room\b|\bhow long\b"
        )
        and ctx.has(MEETING)
        or ctx.has(WHO_ATTENDS)
        and (ctx.has(MEETING) or ctx.group() is not None)
    ):
        return await ctx.meeting_or_ask("meeting {id}", what="", kind="read", label="See")
    return None


@rule("agenda", "read", 0.75)
async def agenda(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(r"\bagenda\b") or ctx.has(r"\badd\b|\bput\b|\braise\b|\bonto\b"):
        return None
    return await ctx.meeting_or_ask(
        "agenda {id} list", what="'s agenda", kind="read", label="Agenda"
    )


@rule("papers", "read", 0.75)
async def papers(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(r"\bpapers\b|\bdocuments\b|\bpre-?reading\b") or ctx.has(r"\badd\b|\bhttps?:"):
        return None
    return await ctx.meeting_or_ask("papers {id}", what="'s papers", kind="read", label="Papers")


@rule("minutes", "read", 0.7)
async def minutes(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(r"\bminutes\b") or ctx.has(r"\baction:"):
        return None
    return await ctx.meeting_or_ask("minutes {id}", what="'s minutes", kind="read", label="Minutes")


@rule("calendar", "read", 0.87)
async def calendar(ctx: Context) -> str | None:
    if ctx.has(r"\b(?:calendar|outlook|google calendar|ical|ics|diary feed)\b") and not ctx.has(
        r"\bterm\b"
    ):
        if ctx.has(r"\bleak\w*|\breset\b|\bnew (?:one|link)\b|\bchange (?:my|the) link\b"):
            return Interpretation(command="calendar reset", kind="write")  # it changes the link
        if ctx.has(r"\bmeeting #?\d+\b") or (ctx.group() and ctx.has(MEETING)):
            return None  # one meeting's calendar file (meeting ics)
        return "calendar"
    return None


@rule("meeting ics", "read", 0.8)
async def meeting_ics(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(
        r"\bics\b|\bcalendar (?:file|invite)\b|\binvite for\b|\bto my (?:calendar|diary|outlook)\b"
        r"|\bin(?:to)? my (?:calendar|diary|outlook)\b"
    ):
        return None
    if not (ctx.has(MEETING) or ctx.group()):
        return None
    return await ctx.meeting_or_ask("meeting ics {id}", what="", kind="read", label="Calendar file")


@rule("minutes record", "write", 0.85)
async def minutes_record(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(r"\bminutes\b"):
        return None
    m = re.search(r"(https?://\S+)", ctx.text) or re.search(
        r"minutes[^:]*:\s*(.+)$", ctx.text, flags=re.IGNORECASE | re.DOTALL
    )
    if not m:
        return None
    return await ctx.meeting_or_ask(
        "minutes {id} " + q(m.group(1).strip()), what="", kind="write", label="Minutes for"
    )


@rule("papers add", "write", 0.85)
async def papers_add(ctx: Context) -> Interpretation | str | None:
    m = URL.search(ctx.text)
    if not m or not ctx.has(r"\bpapers?\b|\bdocument\b|\bpack\b|\bslides\b"):
        return None
    if ctx.has(r"\bminutes\b"):
        return None
    return await ctx.meeting_or_ask(
        "papers {id} add " + m.group(0), what="", kind="write", label="Add to"
    )


@rule("terms", "read", 0.75)
async def terms(ctx: Context) -> str | None:
    # "anything due before we break up" names a deadline, it does not ask for the dates
    if re.search(
        r"\bterm dates\b|\bwhen (?:is|does) (?:the )?(?:half term|term|holidays?|christmas|easter)"
        r"|\b(?:when|what|which|dates?|list)\b[^,.;]*\bholidays\b|^(?:the )?holidays\b"
        r"|\binset\b|\bbank holidays?\b|\bwhen does term\b|\bschool calendar\b"
        r"|\bbreak up\b|\bterm (?:start|end)s?\b",
        re.sub(slots.BY_END_OF_TERM, " ", ctx.s),
    ):
        return "terms all" if ctx.has(r"\bnext (?:school |academic )?year\b") else "terms"
    return None


@rule("apologies", "write", 0.9)
async def apologies(ctx: Context) -> Interpretation | str | None:
    if ctx.has(
        r"^(?:please |can you |could you )?(?:cancel|call off|move|reschedule|book) (?!my )"
    ):
        return None  # "cancel tuesday's meeting, too many apologies": the verb says what to do
    if ctx.has(
        r"^(?:who(?: is| has| have)?|who s|how many|has anyone|have any|any|are there|were there"
        r"|did anyone|list|show)\b.*\bapologies\b|\bapologies (?:so far|received|in)\b"
    ):
        return None  # "who's sent apologies for the board": a question about the meeting
    if not ctx.has(
        r"\bcan not (?:make|come|attend|be there|do)\b|\bapologies\b|\bunable to (?:make|attend|come)"
        r"|\bwill not be (?:there|able|at|coming)\b|\bnot (?:be )?able to (?:make|attend|come)\b"
        r"|\b(?:will|would|could) not (?:make|come|attend|join|be at)\b"
        r"|\bsorry,? i can not\b|\bmiss(?:ing)? (?:the )?\w* ?meeting\b|\bnot going to make\b"
        r"|\bcount me out\b|\b(?:off sick|unwell|on leave|on holiday|away) .*\bmeeting\b"
        r"|\bnot (?:coming|attending|going to (?:be there|come|attend|go)|be (?:coming|attending))\b"
        r"|\bcan not (?:go|get)\b"
    ):
        return None
    reason = reason_after(ctx.text)
    tail = f" {q(reason)}" if reason else ""
    return await ctx.meeting_or_ask(
        "apologies {id}" + tail, what="", kind="write", label="Apologies for"
    )


@rule("rsvp", "write", 0.85)
async def rsvp(ctx: Context) -> Interpretation | str | None:
    if ctx.has(
        r"\bmaybe\b|\bmight(?: not)? (?:make|come|be|attend|get)\b|\bnot sure (?:if|whether) i\b"
        r"|\btentative|\bwill (?:confirm|let you know)\b|\bpossibly\b"
    ):
        answer = "maybe"
    elif ctx.has(r"\bcan not\b|\bnot\b"):
        return None
    elif ctx.has(
        r"\bi will (?:\w+ )?be (?:there|at|coming)\b|^will (?:\w+ )?be (?:there|at)\b|\bcount me in\b|\bi can (?:make|come|attend)\b"
        r"|\bput me down (?:as|for) (?:attending|coming|a yes|yes)\b"
        r"|\bi(?: will|ll)? attend\b|\bsee you (?:at|there|on)\b|\byes (?:to|for)\b|\bi am coming\b"
        r"|\bi am attending\b|\bwill attend\b|\brsvp yes\b|\bi will come\b"
    ):
        answer = "yes"
    else:
        return None
    return await ctx.meeting_or_ask(
        "rsvp {id} " + answer, what="", kind="write", label=f"RSVP {answer} to"
    )


# "at Albion House", "in the Town Hall": a place written with capitals, as places are
PLACE = re.compile(
    r"\b(?:at|in|venue:?|location:?)\s+((?:the\s+)?(?:[A-Z][\w'&.-]*)(?:\s+(?:[A-Z][\w'&.-]*|of|on))*)"
)
NOT_PLACES = set(slots.WEEKDAYS) | {"teams", "zoom", "the morning", "the afternoon"}


def place_in(ctx: Context) -> str | None:
    """Where a meeting is to be: "at Albion House"; "at Don Valley" is the one organisation
    whose name begins so (Don Valley Special School)."""
    for m in PLACE.finditer(ctx.text):
        place = m.group(1).strip()
        words = place.lower().split()
        if words[0] == "the" and len(words) > 1 and words[1] in ("morning", "afternoon"):
            continue
        if words[0] == "the" and len(words) > 1:  # "at the Town Hall": the place is Town Hall
            place, words = place.split(None, 1)[1], words[1:]
        if set(words) & NOT_PLACES or re.match(slots.MONTH_RE + "$", words[0]):
            continue
        named = [o for o in ctx.know.organisations if o.lower().startswith(place.lower())]
        return named[0] if len(named) == 1 else place
    return None


@rule("meeting add", "write", 0.85)
async def meeting_add(ctx: Context) -> str | None:
    if not ctx.has(
        r"\b(?:book|schedule|arrange|set (?:one |it |this |that )?up|organise|organize|add|call"
        r"|put in)\b|^(?:a )?new\b.*\bmeeting\b"
    ):
        return None
    if ctx.has(r"\bmy (?:calendar|diary|outlook)\b"):
        return None
    group = ctx.group()
    if group is None or not (
        ctx.has(MEETING) or ctx.has(r"\b(?:book|schedule|arrange)\b|\bto meet\b")
    ):
        return None
    if ctx.has(r"\bagenda\b|\baction\b"):
        return None
    day = slots.day_phrase(ctx.s, ctx.today)
    span = slots.time_range(ctx.s)  # "10-12": until:12:00
    # a span's start, not the first clock time: "1-3pm" starts at 13:00, not at "3pm"
    when = " ".join(x for x in (day, span[0] if span else slots.clock_time(ctx.s)) if x)
    title = ctx.know.titles.get(group, group)
    return (
        f"meeting add {q(title)} group:{group}"
        + opt("on", when)
        + opt("until", span[1] if span else None)
        + opt("for", None if span else slots.length(ctx.s))
        + opt("place", place_in(ctx))
    )


@rule("meeting move", "write", 0.85)
async def meeting_move(ctx: Context) -> Interpretation | str | None:
    target = slots.moved_to(ctx.s)  # "...on the 14th to tuesday 19th dec": the new day
    day = slots.day_phrase(target, ctx.today) or ""
    if not ctx.has(
        r"\b(?:move|reschedule|re-schedule|change the (?:time|date|day))\b"
        r"|\b(?:push|put|bring|shift)\b(?: \w+){0,5} (?:back|forward|later|earlier)\b"
    ) and not (day and ctx.has(r"\b(?:push|bring|shift|switch)\b")):
        return None
    if not ctx.has(MEETING) and not ctx.group():
        return None
    clock = slots.clock_time(target)
    if day and clock is None:  # "to thurs 7th (same time)": it keeps its hour
        mid, _ = await ctx.meeting(by_day=False)
        brief = next((b for b in await ctx.upcoming() if b.id == mid), None)
        if brief is not None:
            clock = f"{to_local(brief.starts_at, ctx.services.tz):%H:%M}"
    when = " ".join(x for x in (day, clock) if x)
    return await ctx.meeting_or_ask(
        "meeting move {id}" + opt("on", when),
        what=" to move",
        kind="write",
        label="Move",
        by_day=False,
    )


@rule("meeting cancel", "write", 0.85)
async def meeting_cancel(ctx: Context) -> Interpretation | str | None:
    if not (ctx.has(r"\bcancel\b|\bcall off\b") and (ctx.has(MEETING) or ctx.group())):
        return None
    reason = reason_after(ctx.text)
    return await ctx.meeting_or_ask(
        "meeting cancel {id}" + (f" {q(reason)}" if reason else ""),
        what=" to cancel",
        kind="write",
        label="Cancel",
    )


@rule("agenda add", "write", 0.85)
async def agenda_add(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(r"\bagenda\b") or not ctx.has(r"\badd\b|\bput\b|\braise\b|\bonto\b|\bon the\b"):
        return None
    # "add X to the design group agenda", "put X on the agenda for the board"
    m = re.search(
        r"(?:add|put|raise)\s+(.+?)\s+(?:on|to|onto)\s+(?:the\s+)?(?:next\s+)?(?:\S+\s+){0,3}?agenda",
        ctx.text,
        flags=re.IGNORECASE,
    )
    item = m.group(1).strip(" \"'\u201c\u201d") if m else None
    if not item:
        return None
    return await ctx.meeting_or_ask(
        "agenda {id} add " + q(item), what="'s agenda", kind="write", label="Add to"
    )
