"""Phrase rules for support, triage, attendance, consultations and the rest."""

from __future__ import annotations

import re

from bot.language import slots
from bot.language.context import Context, q
from bot.language.model import Interpretation
from bot.language.rules import opt, rule

# --- support ------------------------------------------------------------------------------

NEED_HELP = (
    r"\b(?:need|needs|needing|want|get|request|could (?:we|i) (?:have|get)|can (?:we|i|someone) "
    r"(?:have|get|help))\b.*\b(?:help|support|advice|adviser|advisor|someone|cover|consultancy)\b"
    r"|\b(?:help|support) (?:urgently|today|please|needed)\b|\bask (?:for|learn sheffield)\b"
    r"|\b(?:crisis|emergency)\b|\btaken ill\b|\bstruggling\b|\braise a\b"
    r"|\bwould like (?:some )?(?:advice|support|help)\b|\blooking for (?:a|an|some)\b"
    r"|\bwhere can (?:i|we) find\b|\bcan someone (?:come|help|talk|visit)\b"
    r"|\bwe need (?:a|an|some|advocacy|advice|someone)\b|\bneed someone to\b"
    r"|\bcan you find\b|\bfind us\b|\bwho (?:should|do|can) (?:i|we) (?:talk|speak|contact|ask|go)\b"
    r"|\b(?:can|could) (?:someone|somebody|anyone|one of your team|learn sheffield|a consultant"
    r"|an adviser|an advisor|one of your advisers)(?: from (?:learn sheffield|your team))?"
    r" (?:please )?"
    r"(?:come|help|talk|visit|review|look (?:at|over)|check|audit|advise|support|speak|sit in"
    r"|ring|call|phone|go through)\b"
    r"|\b(?:would|really) like (?:someone|somebody|a|an)\b"
    r"|\bwould (?:really )?appreciate (?:some|someone|a|an|help|advice|support)\b"
    # asking for a person or for help in other words ("I could do with someone in my corner",
    # "is that something you can help with?")
    r"|\bcould (?:do with|use) (?:some|someone|somebody|a|an|help|advice|support)\b"
    r"|\b(?:something|anything) (?:you|learn sheffield|your team) (?:can|could) help with\b"
    r"|\b(?:can|could) you help\b|\bin (?:my|our) corner\b"
)


# asking about requests already made ("any crisis requests today?", "our open requests"):
# a question about the queue or one's own, never a new request
ABOUT_REQUESTS = (
    r"\b(?:my|our|open|any|new|outstanding) (?:(?:support|crisis|consultancy|advocacy|brokerage"
    r"|signposting|urgent) )?requests\b"
)


@rule("support", "support", 0.8)
async def support(ctx: Context) -> Interpretation | None:
    if not ctx.has(NEED_HELP) or ctx.has(
        ABOUT_REQUESTS + r"|\bentitlement\b|\brequests? #?\d+\b"
        r"|\brequests have\b|\bhow do i\b|\bwhat support have\b"
        # asking what may be asked for is a question about entitlement, not a request
        r"|\bwhat (?:(?:can|could|may|am|are) (?:i|we)|(?:i|we) (?:can|could|may|am|are))\b"
        r"(?: \w+){0,3} ask\b"
    ):
        return None
    if ctx.has(r"^help\b|\bhelp (?:me )?with (?:the )?(?:bot|commands?|meetings|actions)\b"):
        return None
    kind = slots.support_kind(ctx.s)
    urgency = slots.urgency(ctx.s)  # only when said: the command's default depends on the kind
    command = "support" + (f" {kind}" if kind else "") + f" {q(ctx.text.strip())}"
    command += opt("urgency", urgency)
    return Interpretation(command=command, kind="support")


@rule("support mine", "read", 0.85)
async def support_mine(ctx: Context) -> str | None:
    if ctx.actor.is_staff and ctx.has(
        r"\b(?:open|new|waiting|outstanding|any) (?:support )?requests\b"
    ):
        return None  # staff mean the triage queue
    if ctx.has(
        r"\bmy (?:support )?requests?\b|\bour (?:support )?requests?\b|\bstatus of (?:my|our)\b"
        r"|\bwhat (?:is )?happen\w* (?:with|to) (?:my|our)\b|\bhave you (?:got|seen) (?:my|our)\b"
        r"|\brequests have (?:we|i) (?:made|raised|sent)\b|\bwhat support have (?:we|i) had\b"
        r"|\bsupport mine\b|\bmy support\b"
        r"|\brequests? (?:has|have) (?:\w+ ){1,3}(?:made|raised|sent|put in|asked for)\b"
        r"|\b(?:my|our) (?:request|ask) for (?:help|support|a|an)\b"
    ):
        return "support mine"
    return None


@rule("support detail", "read", 0.75)
async def support_detail(ctx: Context) -> Interpretation | str | None:
    n = slots.number_after(ctx.s, "support request", "request", "support")
    if ctx.has(r"\btriage\b|\back\w*\b|\bassign\b|\bresolve\b"):
        return None
    if n is None and not ctx.has(
        r"\b(?:request|case)\b.*\b(?:got to|update|latest|news|happen\w*|status|where|progress)\b"
        r"|\b(?:got to|update|latest|news|happen\w*|status|where|progress)\b.*\b(?:request|case)\b"
    ):
        return None
    verb = "triage " if ctx.actor.is_staff and ctx.actor.role != "admin" else "support "
    return await ctx.refer("request", verb + "{id}", number=n, label="See")


@rule("entitlement", "read", 0.85)
async def entitlement(ctx: Context) -> str | None:
    if ctx.has(
        r"\bentitle\w*\b|\bhow (?:many|much) (?:days|support)\b(?!.*\brequests\b).*\b(?:left|have|got|use)\b"
        r"|\bdays (?:left|remaining|used)\b|\ballowance\b|\bsafety net\b"
        r"|\bwhat can (?:\w+ ){1,3}get from (?:learn sheffield|you)\b"
    ):
        org = await ctx.organisation()
        return "entitlement" + opt("org", org)
    return None


# --- triage (staff) -----------------------------------------------------------------------


@rule("triage", "read", 0.7)
async def triage(ctx: Context) -> str | None:
    staff = ctx.actor.is_staff
    if not (
        ctx.has(r"\btriage\b|\bqueue\b|\bunacknowledged\b|\bnew (?:support )?requests\b")
        or (
            staff
            and ctx.has(
                ABOUT_REQUESTS + r"|\bwaiting to be\b"
                r"|\banything new\b|\bcome in\b|\bcome through\b|\brequests waiting\b"
                r"|\backnowledge?ment times\b|\bsupport requests have we had\b"
                r"|^(?:so |and )?what is (?:still )?waiting\b"
            )
        )
    ):
        return None
    if ctx.has(STATS):
        return "triage stats"
    return "triage"


STATS = (
    r"\bstats\b|\bstatistics\b|\bnumbers\b|\bhow many\b|\bfigures\b|\bsummary\b"
    r"|\bhow are we doing\b|\btimes\b|\btargets?\b|\bperformance\b|\bhow (?:are|have) we done\b"
)


@rule("triage stats", "read", 0.72)
async def triage_stats(ctx: Context) -> str | None:
    """ "how are we doing against targets on support this term" (staff): the support
    service's own figures, asked without the word triage."""
    if ctx.actor.is_staff and ctx.has(r"\bsupport\b|\brequests\b") and ctx.has(STATS):
        return "triage stats"
    return None


@rule("triage ack", "write", 0.9)
async def triage_ack(ctx: Context) -> str | None:
    if not ctx.has(r"\back\b|\backnowledge\w*\b|\bpicked up\b|\bseen request\b"):
        return None
    n = slots.any_number(ctx.s)
    return f"triage ack {n}" if n else None


async def _request_id(ctx: Context) -> int | None:
    """The support request a staff message means: its number, or one named by what it asks
    for or who asked ("the parkwood maths exchange one")."""
    return slots.any_number(ctx.s) or await ctx.support_request()


# "I'll take X", "leave it with me": the asker takes it on ("I've picked up request 11"
# alone is an acknowledgement: triage ack)
TAKE_IT = (
    r"\bi (?:have |will |am going to )?(?:take|taking|taken|grab|grabbed)\b"
    r"|\b(?:put|leave) (?:it|this|that|them) with me\b|\bassign (?:it|this|that) to me\b"
)


@rule("triage assign", "write", 0.9)
async def triage_assign(ctx: Context) -> str | None:
    verb = re.search(r"\b(?:assign|give|pass|allocate|hand|put|send)\b", ctx.s)
    asked = re.search(
        r"^(?:can|could) (\w+) (?:take|have|pick up|look at) (?:request|case|support request) #?\d+",
        ctx.s,
    )
    mine = ctx.actor.is_staff and ctx.has(TAKE_IT)
    if not (verb or asked or mine) or not (
        ctx.has(r"\brequest\b|\btriage\b|\bsupport\b|\bcase\b")
        or (
            ctx.actor.is_staff
            and not ctx.has(
                r"\bactions?\b|\bagenda\b|\bmeetings?\b|\bopportunit|\bconsultation|\bbulletin\b"
                r"|\bschedule|\bpapers\b|\bminutes\b|\bposts?\b"
            )
        )
    ):
        return None
    who = None
    if asked:
        who = ctx.handle_of(asked.group(1))
    elif verb:
        # the first "to <name>" / "with <name>" after the verb that names one person
        # ("assign 9 to fiona pls, she knows the pool", "put it with me")
        for m in re.finditer(r"\b(?:to|with) (\w+)", ctx.s[verb.end() :]):
            who = ctx.handle_of(m.group(1))
            if who:
                break
    if who is None and mine:
        who = ctx.handle_of("me")
    if who is None:
        return None
    n = await _request_id(ctx)
    return f"triage assign {n} {who}" if n else None


@rule("triage escalate", "write", 0.88)
async def triage_escalate(ctx: Context) -> str | None:
    if not ctx.has(r"\bescalate\b") or not ctx.actor.is_staff:
        return None
    n = slots.any_number(ctx.s)
    m = re.search(r"(?:,|:| - | because )\s*(.+)$", ctx.text)
    return f"triage escalate {n}" + (f" {q(m.group(1).strip())}" if m else "") if n else None


@rule("triage signpost", "write", 0.88)
async def triage_signpost(ctx: Context) -> str | None:
    if not ctx.actor.is_staff:
        return None
    m = re.search(
        r"\bsignpost(?:ed)?\b(?:\s+(?:request|case))?\s+#?(\d+)\s+(?:to\s+)?(.+)$", ctx.text, re.I
    )
    if m is not None:
        return f"triage signpost {m.group(1)} {q(m.group(2).strip())}"
    # "signpost the staffing restructure one to the LA HR team": named, where to after "to"
    m = re.search(r"\bsignpost(?:ed)?\b.*?\s(?:to|towards)\s+(.+?)[\s.!]*$", ctx.text, re.I)
    n = await ctx.support_request() if m else None
    return f"triage signpost {n} {q(m.group(1).strip())}" if m and n else None


KINDS = r"\b(crisis|consultancy|advocacy|brokerage|signposting)\b"


@rule("triage kind", "write", 0.88)
async def triage_kind(ctx: Context) -> str | None:
    """ "reclassify 9 as consultancy", "request 11 is really brokerage, not a crisis": the
    last kind named is the new one ("not a crisis, it's advocacy")."""
    if not ctx.actor.is_staff or not ctx.has(
        r"\bre-?(?:classify|categori[sz]e)\b|\bchange (?:the |its )?(?:kind|type|category)\b"
        r"|\b(?:is|it is|should be|that is) (?:really|actually|more) (?:a |an )?\w+\b"
        r"|\bshould be (?:a |an )?(?:crisis|consultancy|advocacy|brokerage|signposting)\b"
        r"|\bmake (?:it|that|this|\w+ \d+) (?:a |an )?"
        r"(?:crisis|consultancy|advocacy|brokerage|signposting)\b"
    ):
        return None
    kinds = [k for k in re.findall(KINDS, ctx.s)]
    negated = set(
        re.findall(r"\bnot (?:a |an )?(crisis|consultancy|advocacy|brokerage|signposting)", ctx.s)
    )
    kinds = [k for k in kinds if k not in negated]
    if not kinds:
        return None
    n = await _request_id(ctx)
    return f"triage kind {n} {kinds[-1]}" if n else None


@rule("triage log-days", "write", 0.88)
async def triage_log_days(ctx: Context) -> str | None:
    m = re.search(
        r"\blog (\d+(?:\.\d+)?|a|one|half a) days? (?:on|against|for) (?:request |case )?#?(\d+)",
        ctx.s,
    )
    if m is None or not ctx.actor.is_staff:
        return None
    days = {"a": "1", "one": "1", "half a": "0.5"}.get(m.group(1), m.group(1))
    return f"triage log-days {m.group(2)} {days}"


@rule("triage reopen", "write", 0.88)
async def triage_reopen(ctx: Context) -> str | None:
    if not ctx.has(r"\bre-?open\b") or not ctx.has(r"\brequest\b|\bcase\b|\btriage\b"):
        return None
    n = slots.any_number(ctx.s)
    return f"triage reopen {n}" if n else None


# "... close it off", "mark it resolved": the order at the end is not what was done
CLOSE_ORDER = re.compile(
    r"[\s,.;:-]*(?:(?:so|please|pls|can you|could you)\s+)*(?:close|resolve|mark)\b"
    r"(?:\s+(?:it|this|that|the request|them))?(?:\s+(?:off|down|as resolved|resolved|as done))?"
    r"[\s,.!]*(?:please|pls|thanks)?[\s.!]*$",
    re.I,
)


@rule("triage resolve", "write", 0.85)
async def triage_resolve(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(
        r"\b(?:resolve|resolved|close|closed|sorted|dealt with|fixed|done|complete|completed)\b"
    ) or not (
        ctx.has(r"\brequest\b|\btriage\b|\bcase\b")
        or (ctx.actor.is_staff and not ctx.has(r"\baction\b|\bconsultation\b"))
    ):
        return None
    n = await _request_id(ctx)
    # what was done: the words after the first comma, colon or dash, less a closing order
    m = re.search(r"(?:,|:| - )\s*(.+)$", ctx.text, re.S)
    note = CLOSE_ORDER.sub("", m.group(1)).strip(" ,.;:-") if m else ""
    return f"triage resolve {n} {q(note)}" if n and note else None


# --- attendance ---------------------------------------------------------------------------

ATTENDANCE = r"\b(?:attendance|absence|absent|persistent absence|pa|attending school|truancy)\b"


@rule("attendance", "read", 0.7)
async def attendance(ctx: Context) -> str | None:
    core = ctx.has(r"\bcore cit(?:y|ies)\b") or ctx.has(r"\brank(?:ing|ed|s)?\b|\bleague table\b")
    areas = ctx.know.areas_in(ctx.words)
    compare = ctx.has(r"\bcompar\w*\b|\bversus\b|\bvs\b|\bagainst\b|\bbetter than\b|\bworse than\b")
    if not (
        ctx.has(ATTENDANCE) or (areas and compare) or (core and (areas or ctx.has(r"\bcore\b")))
    ):
        return None
    if ctx.group() == "attendance" and ctx.has(
        r"\bmeetings?\b|\bactions?\b|\bmembers?\b|\battendance (?:sub-?group|group|sub group)\b"
        r"|\boverdue\b|\bdue\b"
    ):
        return None
    phase = slots.phase(ctx.s)
    phase = phase if phase in ("primary", "secondary", "special") else None
    year = slots.academic_year(ctx.s, ctx.now)
    tail = (f" {phase}" if phase else "") + (f" {year}" if year else "")
    if core and len(areas) < 2:
        return "attendance core-cities" + tail
    if len(areas) >= 2:
        return f"attendance compare {areas[0]} {areas[1]}" + tail
    if compare and areas:
        home = ctx.services.settings.attendance_area
        if areas[0].lower() != home.lower():
            return f"attendance compare {home} {areas[0]}" + tail
    home = ctx.services.settings.attendance_area
    if areas:
        return f"attendance {areas[0]}" + tail
    return Interpretation(command=f"attendance {home}" + tail, kind="read", guessed=True)


# --- consultations, schedules, privacy ----------------------------------------------------


@rule("consultations", "read", 0.7)
async def consultations(ctx: Context) -> str | None:
    if not ctx.has(
        r"\bconsultations?\b|\bsurveys?\b|\bconsulted\b|\bneed to respond to\b"
        r"|\bframework\b"
    ):
        return None
    if not ctx.asks_state and (
        ctx.has(r"\bextend\b|\bpush\b|\bsubmitted\b|^(?:just |all )?done\b")
        or (ctx.has(r"\bclose\b|\bresponded\b") and not ctx.has(r"\bwhen\b|\bwho\b"))
    ):
        return None
    n = slots.number_after(ctx.s, "consultation") or (
        await ctx.titled("consultation") if ctx.has(r"\bthe \w+") else None
    )
    if n is not None:
        if ctx.has(
            r"\bresponses\b|\bwho (?:has|have|is)(?: not)? (?:responded|replied)\b"
            r"|\bwho (?:responded|replied)\b"
        ):
            return f"consultation responses {n}"
        if not ctx.asks_state and ctx.has(
            r"\b(?:we|i) (?:have )?(?:responded|replied|answered|done|filled|completed)\b"
        ):
            return None
        return f"consultation {n}"
    return "consultations"


@rule("consultation responded", "write", 0.85)
async def consultation_responded(ctx: Context) -> str | None:
    if not ctx.has(
        r"\b(?:we|i) (?:have )?(?:responded|replied|answered|done|filled|completed|sent|submitted)\b"
        r"|\bresponded\b|^(?:just |all |have )?(?:done|completed|filled in|submitted|answered)\b"
    ) or ctx.has(r"\bwho (?:has|have|is)\b"):
        return None
    n = slots.number_after(ctx.s, "consultation") or await ctx.titled("consultation")
    if n is None and not ctx.has(r"\bconsultation\b"):
        return None
    return f"consultation responded {n}" if n else None


@rule("consultation extend", "write", 0.85)
async def consultation_extend(ctx: Context) -> str | None:
    if not ctx.has(r"\bconsultation\b") or not ctx.has(r"\bextend\b|\bpush\b|\bmove\b"):
        return None
    n = slots.number_after(ctx.s, "consultation") or await ctx.titled("consultation")
    day = slots.day_phrase(slots.moved_to(ctx.s), ctx.today)
    return f"consultation extend {n} closes:{q(day)}" if n and day else None


@rule("consultation close", "write", 0.85)
async def consultation_close(ctx: Context) -> str | None:
    if not ctx.has(r"\bclose\b|\bend\b") or not ctx.has(r"\bconsultation\b"):
        return None
    if ctx.has(r"\bwhen\b|\?$"):
        return None
    n = slots.number_after(ctx.s, "consultation") or await ctx.titled("consultation")
    return f"consultation close {n}" if n else None


@rule("schedules", "read", 0.7)
async def schedules(ctx: Context) -> str | None:
    if ctx.has(
        r"\bschedules\b|\bscheduled (?:posts|messages)\b|\brecurring posts\b"
        r"|\bposts (?:are )?scheduled\b|\bgoing out automatically\b|\bscheduled to\b"
        r"|\bgo(?:ing)? out (?:automatically|on a schedule|every)\b"
        # "whats on the schedule to go out to channels": posts to the groups' channels
        r"|\b(?:go|going|goes|sent|posted) (?:out )?(?:to|in) (?:the |our )?(?:channels?|groups?)\b"
    ):
        return "schedules"
    return None


DAYS = {d[:3]: d[:3].title() for d in slots.WEEKDAYS}


@rule("schedule add", "write", 0.88)
async def schedule_add(ctx: Context) -> str | None:
    if not ctx.actor.is_staff or not ctx.has(r"\bevery\b|\bschedule\b|\bchannel\b"):
        return None
    m = re.search(r"[\"\u201c](.+?)[\"\u201d]", ctx.text) or re.search(
        # "... every monday at 9 saying board papers are out": the words after the cue
        r"\b(?:saying|that says|to say|which says|reading|with the (?:text|message|words))\b"
        r"[\s:]*(.+?)[\s.!]*$",
        ctx.text,
        re.I | re.S,
    )
    group = ctx.group()
    if m is None or group is None:
        return None
    text = m.group(1).strip(" \"'")
    text = text[:1].upper() + text[1:]
    every = re.search(
        r"\bevery (half[- ]?term|term|day|week|fortnight|month|monday|tuesday|wednesday|thursday"
        r"|friday)\b",
        ctx.s,
    )
    day = re.search(r"\b(mon|tue|wed|thu|fri)\w*day\b", ctx.s)
    when = " ".join(x for x in (DAYS[day.group(1)] if day else None, slots.clock_time(ctx.s)) if x)
    repeat = None
    if every:
        word = every.group(1).replace(" ", "-")
        word = "half-term" if word.startswith("half") else word
        repeat = (
            word if word in ("day", "week", "fortnight", "month", "term", "half-term") else "week"
        )
    return f"schedule add {q(text)} channel:{group}" + opt("on", when) + opt("every", repeat)


@rule("schedule edit", "write", 0.87)
async def schedule_edit(ctx: Context) -> str | None:
    """ "move the bulletin reminder to friday at 8", "change schedule 1 to go out on tuesdays
    at 10" (staff): a running scheduled post, by number or by what it says, at a new time."""
    if not ctx.actor.is_staff or not ctx.has(
        r"\b(?:change|move|edit|switch|shift|make|push|put|update)\b"
    ):
        return None
    n = slots.number_after(ctx.s, "schedule", "scheduled post", "post")
    if n is None and ctx.has(r"\bposts?\b|\bschedule\w*\b|\breminder\b"):
        n = await ctx.scheduled_post()
    if n is None:
        return None
    after = re.search(r"\b(?:to|until|till|for|on) (.+)$", ctx.s)
    target = after.group(1) if after else ""
    day = re.search(r"\b(mon|tue|wed|thu|fri)\w*day", target)
    when = " ".join(x for x in (DAYS[day.group(1)] if day else None, slots.clock_time(target)) if x)
    every = re.search(
        r"\b(?:every|each) (day|week|fortnight|month|term)\b|\b(fortnightly|monthly|weekly|daily)\b",
        ctx.s,
    )
    repeat = None
    if every:
        word = every.group(1) or every.group(2)
        repeat = {
            "fortnightly": "fortnight",
            "monthly": "month",
            "weekly": "week",
            "daily": "day",
        }.get(word, word)
    if not when and not repeat:
        return None
    return f"schedule edit {n}" + opt("on", when) + opt("every", repeat)


@rule("schedule cancel", "write", 0.85)
async def schedule_cancel(ctx: Context) -> str | None:
    if not ctx.has(r"\bcancel\b|\bstop\b|\bdelete\b|\bremove\b"):
        return None
    n = slots.number_after(ctx.s, "schedule", "scheduled post", "post")
    if n is None and ctx.actor.is_staff and ctx.has(r"\bposts?\b|\bschedule\w*\b|\breminder\b"):
        n = await ctx.scheduled_post()  # "stop the weekly bulletin reminder post"
    return f"schedule cancel {n}" if n is not None else None


@rule("privacy export", "read", 0.75)
async def privacy(ctx: Context) -> str | None:
    if ctx.has(
        r"\bwhat (?:data|information|do you (?:hold|have|know|store)) (?:about|on) me\b"
        r"|\bmy (?:personal )?data\b|\bsubject access\b|\bgdpr\b"
    ):
        return "privacy export"
    return None


CONSULTATION_ADD = re.compile(
    r"^(?:please\s+)?(?:new|add|open|start|launch|set up|create)\s+(?:an?\s+)?consultation\b"
    r"[:\s-]*(?:on|about|into|for)?\s*(?P<rest>.+)$",
    re.IGNORECASE,
)


@rule("consultation add", "write", 0.88)
async def consultation_add(ctx: Context) -> str | None:
    """ "new consultation on school place planning for the board closing end of term" (staff)."""
    m = CONSULTATION_ADD.match(ctx.text.strip())
    if m is None or not ctx.actor.is_staff:
        return None
    rest = m.group("rest")
    quoted = re.search(r"[\"\u201c](.+?)[\"\u201d]", rest)
    title = (
        quoted.group(1)
        if quoted
        else re.split(
            r",|\s+(?:closing|closes|close|deadline|until|for (?:the|all|everyone|primary|"
            r"secondary|special|heads|schools))\b",
            rest,
            maxsplit=1,
            flags=re.IGNORECASE,
        )[0].strip(" :-")
    )
    if len(title) < 3:
        return None
    closes = slots.closing_as_said(ctx.s, ctx.today)
    # everyone it is for: groups and phases both ("the inclusion group and special schools")
    audience = ctx.groups() + slots.phases(ctx.s)
    if ctx.has(r"\bfor (?:everyone|all)\b"):
        audience = ["everyone"]
    return (
        f"consultation add {q(title)}"
        + opt("closes", closes)
        + opt("audience", ",".join(audience) if audience else None)
        + opt("link", slots.link(ctx.text))
    )
