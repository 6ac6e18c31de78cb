"""Scheduled posts to channels: staff set a message to go to a group once or on a repeat.

Changes take effect while a schedule runs: `schedule edit` withdraws anything queued and the
next occurrence follows the new text and time. The clock (`scheduled/schedules.py`) posts.
"""

from __future__ import annotations

from datetime import datetime

from bot import forms
from bot.dates import Resolved, format_when, parse_instant, to_local, wants_later
from bot.errors import UserError
from bot.parsing import yes_no
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Reply, Section, Table
from bot.services import Request, Services
from bot.terms import TermCalendar
from storage import consultations as repo
from storage.consultations import ScheduledPost
from storage.directory import Person, group_by_name
from storage.outbox import cancel_pending
from storage.schedule_times import REPEATS, TERMLY, next_run, pauses_in_holidays

commands = CommandSet("schedules", "Scheduled posts to channels")
register = commands.register

ADD_EXAMPLE = 'schedule add "Board papers are out" channel:board on:"Mon 09:00" every:week'
EDIT_EXAMPLE = 'schedule edit 3 on:"Tue 09:00"'
NEVER = {"none", "never", "once", "no"}
ALIASES = {
    "daily": "day",
    "weekly": "week",
    "fortnightly": "fortnight",
    "monthly": "month",
    "termly": "term",
    "halfterm": "half-term",
    "half_term": "half-term",
    "half-termly": "half-term",
}
TERMLY_EXAMPLE = (
    'schedule add "Welcome back: this term\'s dates are on the website" channel:board '
    'on:"09:00" every:term'
)
WORDS = {"term": "every term", "half-term": "every half term"}


def parse_every(value: str | None) -> str | None:
    """`week`, `weekly`, `every:day` ... -> a repeat name, or None for a one-off."""
    if value is None or value.lower() in NEVER:
        return None
    key = ALIASES.get(value.lower(), value.lower())
    if key not in REPEATS:
        raise UserError(
            f"every:{value} is not a repeat I know: use {', '.join(REPEATS)} (or none).",
            example=ADD_EXAMPLE,
            field="every",
        )
    return key


def parse_term_time(value: str | None) -> bool | None:
    """`term-time:yes|no` -> True/False; not given -> None (the repeat's default)."""
    if value is None:
        return None
    return yes_no(value, field="term-time", example=ADD_EXAMPLE + " term-time:no")


async def parse_when(
    text: str, *, req: Request, svc: Services, every: str | None = None
) -> Resolved:
    """The first time a post goes (UTC), read like every typed time: a time the clocks skip is
    refused, one they repeat is the first unless `confirm:later` (the note says which). For a
    termly post only its time of day and the day to start from count, so a time earlier today
    is kept (`on:"09:00" every:term`: the next first school day)."""
    when, _ = parse_instant(
        text,
        now=req.now,
        tz=svc.tz,
        terms=await svc.terms(),
        later=wants_later(req.args.opt("confirm")),
        option="on",
    )
    today = to_local(req.now, svc.tz).date()
    if every in TERMLY and to_local(when.at, svc.tz).date() >= today:
        return when
    if when.at <= req.now:
        raise UserError(
            f"on:{text} ({format_when(when.at, svc.tz)}) has already passed; a schedule must "
            "start in the future.",
            example=ADD_EXAMPLE,
            field="on",
        )
    return when


def repeat_words(post: ScheduledPost) -> str:
    """`once`, `every week in term time`, `every term (first school day)`, ..."""
    if not post.every:
        return "once"
    if post.every in TERMLY:
        return f"{WORDS[post.every]} (first school day)"
    return f"every {post.every}" + (" in term time" if pauses_in_holidays(post) else "")


def next_words(post: ScheduledPost, *, now: datetime, svc: Services, cal: TermCalendar) -> str:
    """The next run, marked when it rests on estimated term dates; or why there is none."""
    if post.cancelled_at is not None:
        return "cancelled"
    when = next_run(post, now=now, tz=svc.tz, terms=cal)
    if when is None:
        if post.every in TERMLY:
            return "none: the term calendar has no later terms (staff: terms import)"
        return "done"
    estimated = (post.every in TERMLY or pauses_in_holidays(post)) and cal.estimated_on(
        to_local(when, svc.tz).date()
    )
    return format_when(when, svc.tz) + (" (by estimated term dates)" if estimated else "")


async def describe(post: ScheduledPost, *, now: datetime, svc: Services) -> str:
    cal = await svc.terms()
    return (
        f'"{post.text}" to {post.channel}, {repeat_words(post)}; '
        f"next: {next_words(post, now=now, svc=svc, cal=cal)}"
    )


async def post_choices(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """The scheduled-post picker: those still to run."""
    found = await repo.live_scheduled_posts(svc.session, now=svc.now())
    return [(str(p.id), f"#{p.id} {p.text[:50]} ({p.channel})") for p in found[:60]]


POST = Field("post", "Scheduled post", required=True, positional=True, id=True, picker=post_choices)
EVERY = Field("every", "Repeat", options=("none", *REPEATS))
TERM_TIME = Field(
    "term-time",
    "Pause in the school holidays",
    options=("yes", "no"),
    hint="Left unchosen: weekly and fortnightly posts pause, others do not. Termly posts are "
    "in term anyway.",
)


async def post_now(svc: Services, values: dict[str, str]) -> dict[str, str]:
    """The present values of the scheduled post `values` names, to edit (its time only while
    still to come)."""
    if not values.get("post"):
        return {}
    post = await repo.get_scheduled_post(svc.session, int(values["post"]))
    found = {"text": post.text, "channel": post.channel, "every": post.every or "none"}
    if post.term_time is not None:
        found["term-time"] = "yes" if post.term_time else "no"
    if post.first_at > svc.now():
        found["on"] = f"{to_local(post.first_at, svc.tz):%d/%m/%Y %H:%M}"
    return found


@commands.command(
    "schedule add",
    summary="Post a message to a group's channel at a time, once or on a repeat; "
    "with nothing after it, a form",
    usage='schedule add "text" channel:<group> on:<when> '
    "[every:day|week|fortnight|month|term|half-term] [term-time:yes|no] [confirm:later]",
    examples=[ADD_EXAMPLE, TERMLY_EXAMPLE],
    options={"channel", "on", "every", "term-time", "confirm"},
    writes=True,
    form=FormSpec(
        title="Schedule a post",
        submit="Schedule",
        fields=(
            Field("text", "Message", kind="textarea", required=True, positional=True),
            Field(
                "channel", "Group (its channel gets the post)", required=True, picker=forms.groups
            ),
            Field(
                "on",
                "When (the first time)",
                kind="when",
                required=True,
                hint="Mon 09:00, 15/12/2023 09:00, tomorrow 09:00 or next Friday 16:00",
            ),
            EVERY,
            TERM_TIME,
        ),
    ),
)
async def schedule_add(req: Request, svc: Services) -> Reply:
    text = req.args.text()
    if not text:
        raise UserError("Give the message in quotes.", example=ADD_EXAMPLE, field="text")
    if not req.args.opt("channel"):
        raise UserError(
            "Which group's channel? Give channel:", example=ADD_EXAMPLE, field="channel"
        )
    if not req.args.opt("on"):
        raise UserError("When? Give on: a date and time.", example=ADD_EXAMPLE, field="on")
    group = await group_by_name(svc.session, req.args.opt("channel") or "")
    every = parse_every(req.args.opt("every"))
    term_time = parse_term_time(req.args.opt("term-time"))
    first_time = await parse_when(req.args.opt("on") or "", req=req, svc=svc, every=every)
    first = first_time.at
    post = await repo.add_scheduled_post(
        svc.session,
        text=text,
        channel=group.name,
        first_at=first,
        every=every,
        term_time=term_time,
        owner_id=req.actor.id,
        planned_since=req.now,
        created_at=req.now,
    )
    return Reply(
        text=f"Scheduled post #{post.id}: {await describe(post, now=req.now, svc=svc)}."
        + (f" {first_time.note}" if first_time.note else ""),
        subject=("schedule", post.id),
    )


@commands.command(
    "schedules",
    summary="Scheduled posts with their next run",
    usage="schedules",
    examples=["schedules"],
)
async def schedules(req: Request, svc: Services) -> Reply:
    rows = []
    cal = await svc.terms()
    for post in await repo.live_scheduled_posts(svc.session, now=req.now):
        rows.append(
            [
                f"#{post.id}",
                post.text,
                post.channel,
                repeat_words(post),
                next_words(post, now=req.now, svc=svc, cal=cal),
            ]
        )
    if not rows:
        return Reply(text="No scheduled posts.").add(Section(text=f"Add one: {ADD_EXAMPLE}"))
    return Reply(text=f"Scheduled posts: {len(rows)}").add(
        Table(columns=["#", "text", "channel", "repeats", "next"], rows=rows)
    )


@commands.command(
    "schedule edit",
    summary="Change a scheduled post's text, channel, time or repeat while it runs",
    usage='schedule edit <id> ["new text"] [channel:<group>] [on:<when>] '
    "[every:week|term|none] [term-time:yes|no] [confirm:later]",
    examples=[EDIT_EXAMPLE, 'schedule edit 3 "Board papers are out: see the agenda"'],
    options={"channel", "on", "every", "term-time", "confirm"},
    writes=True,
    form=FormSpec(
        title="Change scheduled post {id}",
        submit="Save changes",
        edit=True,
        fields=(
            POST,
            Field("text", "Message", kind="textarea", positional=True),
            Field("channel", "Group", picker=forms.groups),
            Field("on", "When", kind="when"),
            EVERY,
            TERM_TIME,
        ),
        current=post_now,
    ),
)
async def schedule_edit(req: Request, svc: Services) -> Reply:
    post = await repo.get_scheduled_post(
        svc.session, req.args.int_at(0, what="scheduled post", example=EDIT_EXAMPLE)
    )
    if post.cancelled_at is not None:
        raise UserError(f"Scheduled post #{post.id} was cancelled.", example=ADD_EXAMPLE)
    rest = req.args.words[1:]
    if not rest and not req.args.options:
        raise UserError(
            "What should change? Give new text, channel:, on:, every: or term-time:.",
            example=EDIT_EXAMPLE,
        )
    changed = []
    if rest:
        quoted = [w for w, q in zip(req.args.words[1:], req.args.quoted[1:], strict=True) if q]
        post.text = quoted[0] if quoted else " ".join(rest)
        changed.append("text")
    if req.args.opt("channel"):
        post.channel = (await group_by_name(svc.session, req.args.opt("channel") or "")).name
        changed.append("channel")
    if "every" in req.args.options:
        post.every = parse_every(req.args.opt("every"))
        changed.append("repeat")
    if "term-time" in req.args.options:
        post.term_time = parse_term_time(req.args.opt("term-time"))
        changed.append("holiday pause")
    time_note = None
    if req.args.opt("on"):
        first_time = await parse_when(req.args.opt("on") or "", req=req, svc=svc, every=post.every)
        post.first_at, time_note = first_time.at, first_time.note
        changed.append("time")
    elif post.every is None and post.first_at <= req.now:
        raise UserError(
            f"Scheduled post #{post.id} has already gone; give a new on: to send it again.",
            example=EDIT_EXAMPLE,
            field="on",
        )
    # what the old version queued is withdrawn; occurrences before now are not re-sent
    withdrawn = await cancel_pending(
        svc.session, prefix=post.key_prefix, reason="scheduled post edited"
    )
    post.planned_since = req.now
    note = f" ({withdrawn} queued post withdrawn)" if withdrawn else ""
    return Reply(
        text=f"Scheduled post #{post.id} changed ({', '.join(changed)}){note}: "
        f"{await describe(post, now=req.now, svc=svc)}." + (f" {time_note}" if time_note else ""),
        subject=("schedule", post.id),
    )


@commands.command(
    "schedule cancel",
    summary="Stop a scheduled post",
    usage="schedule cancel <id> [confirm:yes]",
    examples=["schedule cancel 3 confirm:yes"],
    writes=True,
    form=FormSpec(
        title="Cancel scheduled post {id}",
        submit="Stop it",
        asks=True,
        fields=(POST,),
    ),
)
async def schedule_cancel(req: Request, svc: Services) -> Reply:
    post = await repo.get_scheduled_post(
        svc.session, req.args.int_at(0, what="scheduled post", example="schedule cancel 3")
    )
    if post.cancelled_at is not None:
        return Reply(text=f"Scheduled post #{post.id} was already cancelled.")
    post.cancelled_at = req.now
    await cancel_pending(svc.session, prefix=post.key_prefix, reason="scheduled post cancelled")
    return Reply(
        text=f'Scheduled post #{post.id} cancelled: "{post.text}" will not go again.',
        subject=("schedule", post.id),
    )
