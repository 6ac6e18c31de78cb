"""Phrase rules for actions, opportunities and the bulletin."""

from __future__ import annotations

import re

from bot.language import slots
from bot.language.context import Context, q, reason_after
from bot.language.model import Interpretation
from bot.language.rules import opt, rule

ACTION = r"\b(?:actions?|tasks?|to ?dos?)\b"
TODO = (
    r"\bwhat (?:do|have|should|must) (?:i|we) (?:need to |got to |have to |still )?(?:get )?(?:do|doing|done|owe)\b"
    r"|\bwhat is on my (?:plate|list)\b|\bmy (?:list|jobs|to ?do)\b|\bwhat am i (?:meant|supposed) to\b"
    r"|\bwhat is outstanding\b|\bwhat do i owe\b|\bwhat needs doing\b|\bon my plate\b"
    r"|\boutstanding\b|\boverdue\b|\bwhat is due\b|\bgot on (?:his|her|their|my) list\b"
    r"|\bi owe\b|\bdo i need to do anything\b|\banything due\b|\bwhat is due\b|\bdue (?:today|tomorrow)\b"
    r"|\b(?:what|anything|have i got|got|i have) (?:\w+ ){0,3}due\b"
    r"|\bwhat am i (?:chasing|working on|doing|on the hook for)\b"
)


# "including the ones I've finished", "incl closed ones", "done ones too": the all option
WITH_CLOSED = (
    r"\b(?:includ\w*|incl|inc|with|and|plus|even|also) (?:the |those |all )?(?:ones |ones that )?"
    r"(?:i have |we have |that are |that have been |which are )?(?:closed|done|finished|completed"
    r"|complete)\b|\b(?:closed|done|finished|completed) (?:ones|actions|tasks) (?:too|as well)\b"
    r"|\b(?:open and closed|closed and open|old and new|every single)\b"
)
EXPORT = r"\bexport\b|\bspreadsheet\b|\bcsv\b|\bexcel\b|\bdownload\b"


def _still_open_for_group(ctx: Context) -> bool:
    """ "whats still open for attendance group": a group's open actions."""
    return ctx.group() is not None and ctx.has(r"\bstill (?:open|outstanding|to do)\b")


@rule("actions", "read", 0.6)
async def actions(ctx: Context) -> str | None:
    if not (ctx.has(ACTION) or ctx.has(TODO) or _still_open_for_group(ctx)):
        return None
    if ctx.has(r"\baction #?\d+\b"):
        return None
    group = ctx.group()
    who = None
    m = (
        re.search(r"\b(?:actions|tasks) (?:for|of|owned by|has) (\w+(?: \w+)?)", ctx.s)
        or re.search(
            r"\b(?:what (?:does|has)|what is) (\w+(?: \w+)?) (?:got|need|have|on)\b", ctx.s
        )
        or re.search(r"\b(\w+) (?:actions|tasks)\b", ctx.s)
        or re.search(r"\bwhat (?:actions|tasks) (?:has|does) (\w+)\b", ctx.s)
    )
    if m and not group:
        for phrase in (m.group(1), m.group(1).split()[0]):
            who = ctx.handle_of(phrase) if phrase not in ("me", "the", "my") else None
            if who:
                break
    if ctx.has(r"\boverdue\b|\blate\b|\bbehind\b|\bmissed\b"):
        return "actions overdue" + opt("group", group)
    words = ["actions"]
    if who and who != "@" + ctx.actor.email.split("@", 1)[0]:
        words.append(who)
    if group and ctx.has(EXPORT):
        return f"actions group:{group} export"
    if (
        ctx.has(WITH_CLOSED)
        or ctx.has(r"\ball (?:of )?(?:my|our|the|\w+) (?:group )?actions\b")
        and (ctx.has(r"\b(?:closed|done|finished|completed|complete)\b"))
    ):
        words.append("all")
    command = " ".join(words) + opt("group", group)
    period = slots.period(ctx.clause(ACTION + "|" + TODO))
    if period:
        command += opt("by", period)
    return command


@rule("actions export", "read", 0.8)
async def actions_export(ctx: Context) -> str | None:
    """ "can I get the design group's actions as a spreadsheet for the minutes": a file of a
    group's actions is a specific ask, worth more than the words it shares with others."""
    group = ctx.group()
    if group and ctx.has(ACTION) and ctx.has(EXPORT):
        return f"actions group:{group} export"
    return None


@rule("action", "read", 0.7)
async def action_detail(ctx: Context) -> str | None:
    n = slots.number_after(ctx.s, "action", "task")
    if n is None:
        return None
    if not ctx.asks_state and ctx.has(
        r"\b(?:done|complete|completed|finished|sorted|snooze|reassign|give|hand|drop|reopen|note|"
        r"move|push|change|delete|remove|cancel)\b"
    ):
        return None
    return f"action {n}"


def _action_id(ctx: Context) -> int | None:
    return slots.number_after(ctx.s, "action", "task") or slots.any_number(ctx.s)


def _needs_action(verb: str) -> Interpretation:
    return Interpretation(
        command=None,
        kind="clarify",
        question=f"Which action? Give its number, e.g. `action {verb} 7`; `actions` lists yours.",
        choices=["actions"],
        labels=["My actions"],
        intent="missing",
    )


@rule("action done", "write", 0.9)
async def action_done(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(
        r"\b(?:done|complete|completed|finished|sorted|ticked off|tick off|closed|close it)\b"
    ):
        return None
    if not ctx.has(
        ACTION + r"|\b#\d+|\bi (?:have )?(?:done|finished|completed)\b|\bmark #?\d+\b|\btick off\b"
    ):
        return None
    if ctx.has(WITH_CLOSED):
        return None  # "my actions including the ones I've finished": a list, not a change
    n = _action_id(ctx) or await ctx.my_action()
    return f"action done {n}" if n else _needs_action("done")


@rule("action done (described)", "write", 0.82)
async def action_done_described(ctx: Context) -> str | None:
    """ "I've circulated the PA figures": an own open action, named by what it says."""
    if not ctx.has(
        r"^(?:i have|we have|i|we|just|have|all)?\s*(?:\w+ed|sent|done|sorted|finished|written|"
        r"made|given|shared)\b|\bi have done it\b|\btick off\b|\b(?:is|are) done\b"
        r"|\b(?:have|has|is|are) (?:now |all |just )?(?:gone out|been (?:\w+ed|sent|done|shared"
        r"|written|given)|done|sorted|finished)\b|\b(?:done|sorted|finished|complete)(?: now)?$"
    ):
        return None
    if ctx.has(r"\b(?:action|task) #?\d+\b|\?$") or ctx.text.rstrip().endswith("?"):
        return None
    if ctx.has(r"\bbeen (?:asked|told|invited|meaning|trying|wanting) to\b"):
        return None  # "I've been asked to join one" is something to do, not done
    n = await ctx.my_action()
    return f"action done {n}" if n else None


@rule("action snooze", "write", 0.9)
async def action_snooze(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(
        r"\bsnooze\b|\bremind me (?:later|again|in|next|about)\b|\bput off\b|\bpush\b.*\bback\b"
        r"|\bmore time\b|\banother (?:week|few days|day|fortnight)\b|\bextension\b"
        r"|\bstop (?:nudging|nagging|reminding)\b"
    ) or not ctx.has(ACTION + r"|#\d+|\bsnooze\b"):
        return None
    n = _action_id(ctx)
    if n is None:
        return _needs_action("snooze")
    couple = re.search(r"\ba couple of (day|week)s?\b", ctx.s)
    span = (
        (f"2{couple.group(1)[0]}" if couple else None)
        or slots.duration(ctx.s)
        or slots.day_phrase(ctx.s, ctx.today)
        or "1w"
    )
    return f"action snooze {n} {q(span)}"


@rule("action reassign", "write", 0.9)
async def action_reassign(ctx: Context) -> Interpretation | str | None:
    m = re.search(
        r"\b(?:reassign|give|hand|pass|transfer|move)\b.*?\bto (\w+(?: \w+)?)\s*$", ctx.s
    ) or re.search(
        r"^(?:can|could)? ?(\w+) (?:should |can |will |to )?(?:take|have|pick up|do|take over)"
        r"(?: over)? (?:action|task) #?\d+",
        ctx.s,
    )
    if not m or not ctx.has(ACTION):
        return None
    n = _action_id(ctx)
    who = ctx.handle_of(m.group(1)) or ctx.handle_of(m.group(1).split()[0])
    if n is None:
        return _needs_action("reassign")
    if who is None:
        return None
    return f"action reassign {n} {who}"


@rule("action drop", "write", 0.85)
async def action_drop(ctx: Context) -> Interpretation | str | None:
    if not (ctx.has(r"\b(?:drop|delete|remove|cancel|scrap|bin)\b") and ctx.has(ACTION)):
        return None
    n = _action_id(ctx)
    reason = reason_after(ctx.text)
    return f"action drop {n}" + (f" {q(reason)}" if reason else "") if n else _needs_action("drop")


@rule("action reopen", "write", 0.9)
async def action_reopen(ctx: Context) -> str | None:
    if ctx.has(r"\breopen\b|\bre-open\b|\bopen (?:action|task) \d+ again\b") and ctx.has(ACTION):
        n = _action_id(ctx)
        return f"action reopen {n}" if n else None
    return None


@rule("action due", "write", 0.85)
async def action_due(ctx: Context) -> str | None:
    if not ctx.has(ACTION) or not ctx.has(
        r"\b(?:change|move|push|extend)\b.*\b(?:due|deadline|date|to)\b"
    ):
        return None
    n = _action_id(ctx)
    day = slots.day_phrase(slots.moved_to(ctx.s), ctx.today)
    return f"action due {n} {q(day)}" if n and day else None


@rule("action note", "write", 0.85)
async def action_note(ctx: Context) -> str | None:
    if not (ctx.has(r"\bnote\b|\bupdate\b|\bprogress\b") and ctx.has(ACTION)):
        return None
    n = _action_id(ctx)
    note = reason_after(ctx.text, ":", " - ", " that ", ",")
    return f"action note {n} {q(note)}" if n and note else None


LEAD = (
    r"^(?:(?:can you |could you |please )*(?:add|record|log|note|put in) (?:an |a new )?action"
    r"(?: for)?[:\s-]*|new action(?: for)?[:\s-]*|action:?\s+|please\s+"
    r"|(?:following on from the meeting,? )?can we record that\s+)?"
)
OWNER_TASK = re.compile(
    LEAD + r"(?:can\s+)?(?P<who>[A-Za-z][\w.'-]*(?:\s[A-Z][\w'-]*)?)"
    r"\s+(?:to|will|needs to|should|must|is going to|can)\s+(?P<what>.+?)[\s.!?]*$",
    re.IGNORECASE,
)
REMIND_ME = re.compile(
    r"^(?:please\s+)?(?:remind me to|i need to|i must|i will|i'll|add an action(?: for me)? to"
    r"|new action for me[:\s-]*)\s*(?P<what>.+?)[\s.!?]*$",
    re.IGNORECASE,
)
CAN_TASK = re.compile(
    r"^(?:can|could) (?P<who>[A-Za-z][\w'-]*) (?!take\b|have\b)(?P<what>.+\s(?:by|before)\s.+?)"
    r"[\s.!?]*$",
    re.IGNORECASE,
)
DUE_SPLIT = re.compile(r"\s+(?:by|before|due(?: by| on)?)\s+(?P<due>[^,.;]+?)[\s.!?]*$", re.I)
NOT_TASKS = re.compile(
    r"^(?:be|attend|come|make it|go|take over|take action|have action)\b|\bapolog", re.I
)
FOR_OWNER = re.compile(
    r"^(?:new |add an? )?action for (?P<who>[A-Za-z][\w'-]*)\s*[:\-]\s*(?P<what>.+?)[\s.!?]*$", re.I
)


@rule("action add", "write", 0.8)
async def action_add(ctx: Context) -> str | None:
    text = ctx.text.strip().rstrip("?")
    owner = None
    m = FOR_OWNER.match(text) or OWNER_TASK.match(text) or CAN_TASK.match(text)
    if m and m.group("who").lower() not in ("i", "we", "you", "it", "what", "how", "when", "who"):
        owner = ctx.handle_of(m.group("who")) or ctx.handle_of(m.group("who").split()[0])
    if owner is None:
        m = REMIND_ME.match(text)
        if m is None:
            return None
        owner = "@" + ctx.actor.email.split("@", 1)[0]
    what = m.group("what").strip(" \"'")
    if not what or len(what) < 4 or NOT_TASKS.search(what):
        return None
    split = DUE_SPLIT.search(what)
    due = None
    if split:
        due, what = split.group("due"), what[: split.start()].strip(" \"'")
        due = re.sub(r"^the\s+", "", due, flags=re.I)
        if due.lower() == "end of next week":
            due = "next friday"
    elif owner == "@" + ctx.actor.email.split("@", 1)[0] and not ctx.has(r"\baction\b"):
        return None
    group = ctx.group()
    return (
        f"action add {q(what[0].upper() + what[1:])} owner:{owner}"
        + opt("due", due.strip() if due else None)
        + opt("group", group)
    )
