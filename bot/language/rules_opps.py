"""Phrase rules for opportunities and the bulletin."""

from __future__ import annotations

import re

from bot.language import slots
from bot.language.context import Context, q
from bot.language.rules import URL, opt, rule
from bot.language.text import KEEP, wordlist

OPPS = (
    r"\b(?:opportunit(?:y|ies)|funding|funded|grants?|training|cpd|courses?|programmes?|"
    r"npq|places|networks?|projects?)\b|\bwhat is open for\b|\bclosing soon\b"
    r"|\banything (?:closing|about)\b|\bis there anything (?:for|about|on)\b"
    # "any leadership stuff on at the minute?", "anything going for nursery schools?"
    r"|\b(?:any|anything) (?:\w+ )?(?:stuff|things|going|on offer)\b(?! (?:wrong|on with))"
)
# "training or anything": a hedge, not a filter
HEDGED = r"\b{word} or (?:anything|something|whatever|similar|the like)\b"
# "for nursery schools", "going for special": what they offer a phase
FOR_PHASE = (
    r"\b(?:anything|any(?: \w+)?|what is there|what have you got|what is (?:available|going|on)"
    r"|available|going|on offer)\b(?: \w+){0,2} for\b"
)
TAGS = {"training": "training", "network": "networks", "networks": "networks"}
TAGS |= {"networking": "networks"}
TAGS |= {"project": "projects", "projects": "projects"}
SEARCH_RE = re.compile(
    r"\b(?:about|around|on|re|regarding|in) (\w+)\b|\b(npq|npqs|leadership|maths|reading)\b"
)
FOR_RE = re.compile(
    r"\b(?:about|on|re|regarding|for) (\w+)\b|\b(npq|npqs|leadership|maths|reading)\b"
)


def _in_bulletin_for(ctx: Context) -> bool:
    """ "anything in the bulletin for secondary / about training": what it offers, i.e. the
    opportunities for that phase or kind."""
    return ctx.has(r"\bbulletin\b") and (
        slots.phase(ctx.s) is not None or any(w in TAGS for w in ctx.words)
    )


@rule("opps", "read", 0.6)
async def opps(ctx: Context) -> str | None:
    named_phase = ctx.has(FOR_PHASE) and slots.phase(ctx.s)
    if not (ctx.has(OPPS) or named_phase or _in_bulletin_for(ctx)) or ctx.has(
        r"\bopportunit(?:y|ies) #?\d+\b"
    ):
        return None
    if ctx.has(r"\bbulletin\b") and not _in_bulletin_for(ctx):
        return None
    if ctx.has(r"\b(?:add|post(?![- ]?16)|new|withdraw|extend)\b"):
        return None
    if ctx.has(r"\b(?:info|more|details|tell me)\b"):
        n = await ctx.titled("opportunity")
        if n:
            return f"opp {n}"
    if ctx.has(r"\bthe\b") and not ctx.has(r"\bopportunities\b"):
        n = await ctx.titled("opportunity", strict=True)  # "the npq places", "the reading project"
        if n:
            return f"opp {n}"
    phase = slots.phase(ctx.s)
    command = "opps" + opt("phase", phase)
    tag = next(
        (TAGS[w] for w in ctx.words if w in TAGS and not ctx.has(HEDGED.format(word=w))), None
    )
    command += opt("tag", tag)
    if tag is None:
        word = next(
            (
                w
                for rx in (SEARCH_RE, FOR_RE)
                for found in rx.finditer(ctx.s)
                if (w := found.group(1) or found.group(2))
                and w not in STOP_SEARCH
                and w not in KEEP
                and slots.phase(w) is None
            ),
            None,
        )
        if word:
            command += " " + q(word.rstrip("s") if word == "npqs" else word)
    if ctx.has(r"\bclos\w*|\bdeadline|\bends?\b|\bexpir"):
        command += opt("closing", slots.period(ctx.s))
    return command


STOP_SEARCH = set(
    wordlist(
        """the a an me us my our this next that it them primary secondary special schools school
        primaries secondaries heads week month today tomorrow closing all through nursery
        nurseries post 16 us them you offer"""
    )
)


@rule("opp withdraw", "write", 0.85)
async def opp_withdraw(ctx: Context) -> str | None:
    if not ctx.has(r"\bwithdraw\b|\btake (?:it |this |that )?down\b|\bremove\b|\bpull\b"):
        return None
    n = slots.number_after(ctx.s, "opportunity", "opp")
    if n is None and ctx.actor.is_staff:
        n = await ctx.titled("opportunity", strict=True)  # "the reading fluency project"
    return f"opp withdraw {n}" if n is not None else None


@rule("opp edit", "write", 0.85)
async def opp_extend(ctx: Context) -> str | None:
    n = slots.number_after(ctx.s, "opportunity", "opp")
    if n is None or not ctx.has(r"\bextend\b|\bpush\b|\bchange the closing\b|\bmove\b"):
        return None
    day = slots.day_phrase(slots.moved_to(ctx.s), ctx.today)
    return f"opp edit {n} closes:{q(day)}" if day else None


@rule("opp", "read", 0.7)
async def opp_detail(ctx: Context) -> str | None:
    n = slots.number_after(ctx.s, "opportunity", "opportunities", "opp")
    return f"opp {n}" if n is not None else None


NOT_NAMES = set(
    wordlist("me i us the this next my our your a an weekly opportunities week weeks latest last")
)


@rule("bulletin", "read", 0.65)
async def bulletin(ctx: Context) -> str | None:
    if (
        not ctx.has(r"\bbulletin\b")
        or _in_bulletin_for(ctx)
        or ctx.has(
            r"\bsubscri|\bstop\b|\bsign me\b|\bno more\b|\bnot want\b|\btake me off\b|\bsend\b"
            r"|\bpost\b|\bcan i get\b"
        )
    ):
        return None
    m = re.search(
        r"\bas @?(\w+) (?:would )?(?:see|get)|\bwhat (?:will|would|does) (\w+) get\b|\bfor @?(\w+)\b|\bas @?(\w+)$",
        ctx.s,
    )
    # "what jo's bulletin would look like": a person's name just before "bulletin"
    m = m or re.search(r"\b(\w+) bulletin\b", ctx.s)
    who = None
    if m:
        name = next(g for g in m.groups() if g)
        who = ctx.handle_of(name) if name not in NOT_NAMES else None
    if who or ctx.has(
        r"\bpreview\b|\bnext\b|\bwhat will\b|\bcoming\b|\bgoing (?:in|out)\b|\blook like\b"
        r"|\b(?:what is|anything|what have you got) (?:\w+ ){0,2}in (?:the |this |\w+ )?bulletin\b"
    ):
        return "bulletin preview" + (f" as:{who}" if who else "")
    return "bulletin"


@rule("bulletin send", "write", 0.85)
async def bulletin_send(ctx: Context) -> str | None:
    if ctx.has(r"\bbulletin\b") and ctx.has(r"^(?:please )?(?:send|post|publish|issue)\b"):
        return "bulletin send"
    return None


@rule("bulletin unsubscribe", "write", 0.9)
async def bulletin_unsubscribe(ctx: Context) -> str | None:
    if (
        ctx.has(
            r"\bunsubscribe\b|\bstop (?:\w+ing|the)\b|\bno more\b|\bopt out\b"
            r"|\bdo not want\b|\btake me off\b|\banymore\b"
        )
        and ctx.has(r"\bbulletin\b|\bunsubscribe\b|\bemails?\b|\bopportunit")
        and not ctx.has(r"\bpost\b|\breminder\b|\bschedule")
    ):
        return "bulletin unsubscribe"
    return None


@rule("bulletin subscribe", "write", 0.85)
async def bulletin_subscribe(ctx: Context) -> str | None:
    if ctx.has(r"\bunsubscribe\b|\bstop\b"):
        return None
    if (
        ctx.has(
            r"\bsubscribe\b|\bsign me up\b|\bopt in\b|\bsend me the\b|\bcan i (?:get|have|receive)\b"
        )
        and not ctx.has(r"\blearn sheffield\b|\bentitle")
        and ctx.has(r"\bbulletin\b|\bsubscribe\b")
    ):
        return "bulletin subscribe"
    return None


OPP_ADD = re.compile(
    r"^(?:(?:hi|hello|can you|could you|can we|please|pls)[\s,]+)*(?:add|post|put up|new|create)\s+"
    r"(?:an?\s+)?(?:new\s+)?(?:opportunity|opp)\b[:\s-]*(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)


def parts(text: str) -> list[str]:
    """A staff message's comma-separated details ("Title, closes 19th Jan, training, link
    https://..."), each stripped; a link's own punctuation is left alone."""
    return [p.strip(" .") for p in re.split(r"[;,\n]|\s-\s", text) if p.strip(" .")]


@rule("opp add", "write", 0.88)
async def opp_add(ctx: Context) -> str | None:
    m = OPP_ADD.match(ctx.text.strip())
    if m is None:
        return None
    rest = m.group("rest")
    quoted = re.search(r"[\"\u201c](.+?)[\"\u201d]", rest)
    pieces = parts(URL.sub("", rest))
    if quoted:
        title = quoted.group(1)
    elif "," in rest or ";" in rest:
        # "Attendance data workshop for secondary attendance leads, closes 19th Jan, ...":
        # the first detail is the title, whatever it says
        title = re.sub(
            r"^for [\w -]+?(?:schools)?:\s*", "", pieces[0] if pieces else "", flags=re.I
        )
    else:
        cut = re.split(
            r",|\s+(?:closing|closes|close|deadline|for (?:primary|secondary|special|all|nursery)"
            r"|tagged)\b",
            re.sub(r"^for [\w -]+?(?:schools)?:\s*", "", rest, flags=re.I),
            maxsplit=1,
            flags=re.IGNORECASE,
        )
        title = cut[0].strip(" :-")
    if len(title) < 3:
        return None
    phases = slots.phases(ctx.s)
    closes = slots.closing_as_said(ctx.s, ctx.today)
    tags = re.search(r"\btagged\s+(\w+)", ctx.s)
    tag = tags.group(1) if tags else None
    if tag is None:  # a detail of one word that is not a phase: "..., training, ..."
        tag = next(
            (
                p.lower()
                for p in pieces[1:]
                if re.fullmatch(r"[A-Za-z-]{3,30}", p) and slots.phase(p.lower()) is None
            ),
            None,
        )
    return (
        f"opp add {q(title)}"
        + opt("closes", closes)
        + opt("phase", ",".join(phases) if phases else None)
        + opt("tags", tag)
        + opt("link", slots.link(ctx.text))
    )


@rule("opp (named)", "read", 0.78)
async def opp_named(ctx: Context) -> str | None:
    """ "tell me about the attendance champions training": an open opportunity by its title,
    even when the title holds another topic's word (attendance, network, meeting)."""
    if not ctx.has(
        r"\btell me (?:more )?about\b|\bmore (?:info|information|details) (?:on|about)\b"
        r"|\bdetails (?:of|on|about)\b|\bwhat is the\b|\binfo (?:on|about)\b"
    ):
        return None
    n = await ctx.titled("opportunity", strict=True)
    return f"opp {n}" if n is not None else None
