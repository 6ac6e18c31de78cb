"""Phrase rules for actions, opportunities and the bulletin."""

from __future__ import annotations

import re

from bot.language import slots
from bot.language.context import Context, fill, q, reason_after
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


# a list asked for after a preamble naming one item: the details come from the asking clause
LIST_ASKED = (
    r"\bwhat else\b|\bremind me what\b|\bwhat (?:other|more) (?:actions|things)\b"
    r"|\banything else (?:i|we) (?:need|have|owe|should)\b"
)


@rule("actions (what else)", "read", 0.8)
async def actions_else(ctx: Context) -> str | None:
    """ "I know the PA figures are late - what else have I got?": the list is what is asked,
    whatever the preamble names (an action, a topic like attendance)."""
    if not ctx.has(LIST_ASKED) or not re.search(ACTION + "|" + TODO, ctx.clause(LIST_ASKED)):
        return None
    return await actions(ctx)


@rule("actions", "read", 0.6)
async def actions(ctx: Context) -> str | None:
    if not (ctx.has(ACTION) or ctx.has(TODO) or _still_open_for_group(ctx)):
        return None
    if ctx.has(r"\baction #?\d+\b"):
        return None
    group = ctx.group()
    asked = ctx.s
    if ctx.has(LIST_ASKED):  # "I know X is overdue ... remind me what else I've got": the list
        asked = ctx.clause(LIST_ASKED)
        group = next(iter(ctx.know.group_in(asked.split())), None)
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
    if re.search(r"\boverdue\b|\blate\b|\bbehind\b|\bmissed\b", asked):
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


# one action asked about by what it says: "the action about inviting health colleagues",
# "where are we with the letter template action" (not "my actions", a list)
ONE_ACTION = (
    r"\b(?:the|that|this) (?:\w+ ){0,6}(?:action|task)\b(?! (?:list|\w+s)\b)"
    r"|\b(?:action|task) (?:about|on|for|to)\b"
)


@rule("action", "read", 0.7)
async def action_detail(ctx: Context) -> Interpretation | str | None:
    n = slots.number_after(ctx.s, "action", "task")
    if n is None and not ctx.has(ONE_ACTION):
        return None
    if not ctx.asks_state and ctx.has(
        r"\b(?:done|complete|completed|finished|sorted|snooze|reassign|give|hand|drop|reopen|note|"
        r"move|push|change|delete|remove|cancel|pass|put)\b"
    ):
        return None
    return await ctx.refer("action", "action {id}", number=n, label="See")


def _action_id(ctx: Context) -> int | None:
    return slots.number_after(ctx.s, "action", "task") or slots.any_number(ctx.s)


async def _the_action(
    ctx: Context, build: str, *, label: str, ask: str | None = None
) -> Interpretation | str | None:
    """`build` for the action meant: `action 7` typed, else the action the words name ("the
    letter template action"), else a bare number ("snooze 8 1 wk"); else, with `ask`, the
    question for its number, or None."""
    explicit = slots.number_after(ctx.s, "action", "task")
    found = await ctx.refer("action", build, number=explicit, label=label)
    if found is None:
        n = slots.any_number(ctx.s)
        if n is not None:
            return fill(build, n)
    if found is None and ask:
        return _needs_action(ask)
    return found


async def _names_action(ctx: Context) -> bool:
    """Whether the message is about an action: says so, or names one by its title."""
    if ctx.has(ACTION + r"|#\d+"):
        return True
    found = await ctx.named("action")
    return bool(found.best or found.close)


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
        r"|^(?:all |it is |that is |now )?(?:done|finished|sorted|completed?)(?: now| it)?$"
    ):
        return None
    if ctx.has(WITH_CLOSED):
        return None  # "my actions including the ones I've finished": a list, not a change
    if ctx.has(PROMISED):
        return None  # "I'll have it done by then": not done yet
    found = await _the_action(ctx, "action done {id}", label="Done:")
    if found is not None:
        return found
    n = await ctx.my_action()
    return f"action done {n}" if n else _needs_action("done")


# done in the future ("I'll have it done by then", "should get it finished next week"), or a
# list asked for ("remind me what else I've got outstanding"): not a claim that one is done
PROMISED = (
    r"\b(?:will|going to|gonna|should|hope to|to) (?:\w+ )?(?:have|get) (?:it|this|that|them)"
    r" (?:all )?(?:done|finished|sorted|complete)\b|\bwhat else\b|\bremind me what\b"
)


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
    if ctx.has(PROMISED) or ctx.has(r"\b(?:i|we) (?:have|has) been \w+ed\b"):
        return None  # "I've been snowed under": about the person, not an action
    n = await ctx.my_action()
    return f"action done {n}" if n else None


@rule("action snooze", "write", 0.9)
async def action_snooze(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(
        r"\bsnooze\b|\bremind me (?:later|again|in|next|about)\b|\bput off\b"
        r"|\b(?:push|put|set|move)\b.*\bback\b"
        r"|\bmore time\b|\banother (?:week|few days|day|fortnight)\b|\bextension\b"
        r"|\bstop (?:nudging|nagging|reminding)\b"
    ) or not (ctx.has(r"\bsnooze\b") or await _names_action(ctx)):
        return None
    if ctx.has(MEETING_WORD) and not ctx.has(ACTION):
        return None  # "push the board meeting back": the meeting moves
    if ctx.has(r"\b(?:push|put|set|move)\b.*\bback to\b") and slots.day_phrase(ctx.s):
        return None  # "push it back to 12th jan": a new due date (action due)
    couple = re.search(r"\ba couple of (day|week)s?\b", ctx.s)
    span = (
        (f"2{couple.group(1)[0]}" if couple else None)
        or slots.duration(ctx.s)
        or slots.day_phrase(ctx.s, ctx.today)
        or "1w"
    )
    return await _the_action(ctx, "action snooze {id} " + q(span), label="Snooze", ask="snooze")


MEETING_WORD = r"\b(?:meetings?|mtgs?)\b"


def taker(ctx: Context, verbs: str) -> str | None:
    """`@handle` of whoever a thing passes to: "pass it over to amy", "reassign it to me",
    "put it with me", "can stella take action 2", "I'll take it", "I've picked it up"."""
    for m in re.finditer(rf"\b(?:{verbs})\b(?: \w+){{0,8}}? (?:over )?to (\w+(?: \w+)?)", ctx.s):
        who = ctx.handle_of(m.group(1)) or ctx.handle_of(m.group(1).split()[0])
        if who:
            return who
    m = re.search(r"\bput\b(?: \w+){1,7}? (?:with|under) (\w+(?: \w+)?)", ctx.s) or re.search(
        r"^(?:can|could)? ?(\w+) (?:should |can |will |to )?(?:take|have|pick up|do|take over)"
        r"(?: over)? (?:action|task|request|case) #?\d+",
        ctx.s,
    )
    if m:
        return ctx.handle_of(m.group(1)) or ctx.handle_of(m.group(1).split()[0])
    if ctx.has(r"^(?:ok |so )?i (?:will |am |can )?(?:take|taking)\b"):
        return ctx.handle_of("me")
    return None


@rule("action reassign", "write", 0.9)
async def action_reassign(ctx: Context) -> Interpretation | str | None:
    if not ctx.has(
        r"\b(?:reassign|give|hand|pass|transfer|move|put\b.* with|take|taking"
        r"|pick(?:ed|ing)? up)\b"
    ):
        return None
    who = taker(ctx, "reassign|give|hand|pass|transfer|move")
    if who is None or not await _names_action(ctx):
        return None
    return await _the_action(ctx, f"action reassign {{id}} {who}", label="Reassign", ask="reassign")


@rule("action drop", "write", 0.85)
async def action_drop(ctx: Context) -> Interpretation | str | None:
    if not (ctx.has(r"\b(?:drop|delete|remove|cancel|scrap|bin)\b") and ctx.has(ACTION)):
        return None
    reason = reason_after(ctx.text)
    return await _the_action(
        ctx, "action drop {id}" + (f" {q(reason)}" if reason else ""), label="Drop", ask="drop"
    )


@rule("action reopen", "write", 0.9)
async def action_reopen(ctx: Context) -> str | None:
    if ctx.has(r"\breopen\b|\bre-open\b|\bopen (?:action|task) \d+ again\b") and ctx.has(ACTION):
        n = _action_id(ctx)
        return f"action reopen {n}" if n else None
    return None


@rule("action due", "write", 0.85)
async def action_due(ctx: Context) -> Interpretation | str | None:
    # "I'll get the letter template done by next friday": a promise is a new due date
    promise = re.search(
        r"\b(?:will|going to) (?:get|have)\b.*\b(?:done|finished|sorted|completed?) by (.+)$", ctx.s
    )
    if not promise and not ctx.has(
        r"\b(?:change|move|push|put|extend)\b.*\b(?:due|deadline|date|to)\b"
    ):
        return None
    if ctx.has(MEETING_WORD) and not ctx.has(ACTION):
        return None
    target = promise.group(1) if promise else slots.moved_to(ctx.s)
    day = slots.day_phrase(target, ctx.today)
    if day is None or not await _names_action(ctx):
        return None
    return await _the_action(ctx, "action due {id} " + q(day), label="New date for")


@rule("action note", "write", 0.85)
async def action_note(ctx: Context) -> str | None:
    if not (ctx.has(r"\bnote\b|\bupdate\b|\bprogress\b") and ctx.has(ACTION)):
        return None
    note = reason_after(ctx.text, ":", " - ", " that ", ",")
    if not note:
        return None
    return await _the_action(ctx, "action note {id} " + q(note), label="Note on")


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


@rule("which one", "clarify", 0.5)
async def which_one(ctx: Context) -> Interpretation | None:
    """ "can you move it", "push it to next week": a change to something never named (the bot
    does not remember the previous message), so ask which, with the lists to pick from."""
    if not ctx.has(
        r"^(?:(?:can|could|would) (?:you|we|i) |please |pls )?(?:move|push|change|cancel"
        r"|reschedule|postpone|snooze|put (?:off|back)|bring forward|reassign|pass on|hand over)"
        r" (?:it|that|this|them)\b"
    ):
        return None
    return Interpretation(
        command=None,
        kind="clarify",
        question="Which one: a meeting or an action? Give its number, e.g. `meeting 2` or "
        "`action snooze 7 1w`; `meetings` and `actions` list yours.",
        choices=["meetings", "actions"],
        labels=["My meetings", "My actions"],
        intent="missing",
    )
