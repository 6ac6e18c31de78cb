"""Consultations and their deadlines: staff open them, heads say when their school responded.

The posts (launch, countdown, close) are made by `scheduled/consultations.py` as they fall
due; this module only records the consultation and, on extend or close, cancels what the old
plan had queued.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.dates import format_when, local_to_utc, parse_local, to_local
from bot.errors import UserError
from bot.parsing import split_list, yes_no
from bot.registry import STAFF, CommandSet, Registry
from bot.reply import Actions, Button, Form, FormField, Reply, Section, Table
from bot.services import Request, Services
from scheduled import consultations as plan
from storage import consultations as repo
from storage.consultations import Consultation
from storage.directory import PHASES, all_groups, person_by_id

commands = CommandSet("consultations", "Consultations and their deadlines")


def register(registry: Registry) -> None:
    """Adding and reading here; extend and close, and responses, in their own modules."""
    from handlers import consultations_changes, consultations_responses

    commands.register(registry)
    consultations_changes.commands.register(registry)
    consultations_responses.commands.register(registry)


ADD_EXAMPLE = (
    'consultation add "Partnership design" closes:"end of term" audience:board '
    "link:https://example.org/c"
)
CLOSE_TIME = time(17, 0)  # a closing date without a time closes at the end of the working day


async def parse_closing(text: str, *, req: Request, svc: Services, option: str) -> datetime:
    """A closing instant: a date (17:00 that day), a date and time, or "end of term"."""
    local, _ = parse_local(
        text, now=req.now, tz=svc.tz, terms=await svc.terms(), default_time=CLOSE_TIME
    )
    closes = local_to_utc(local, svc.tz)
    if closes <= req.now:
        raise UserError(
            f"{option}:{text} has already passed ({format_when(closes, svc.tz)}).",
            example=ADD_EXAMPLE,
            field=option,
        )
    return closes


async def parse_opening(text: str | None, *, req: Request, svc: Services) -> datetime:
    """Now, or 09:00 on a later day (the launch post goes then)."""
    if not text:
        return req.now
    local, has_time = parse_local(
        text, now=req.now, tz=svc.tz, terms=await svc.terms(), default_time=plan.POST_TIME
    )
    today = to_local(req.now, svc.tz).date()
    if local.date() < today:
        raise UserError(
            f"opens:{text} is in the past.", hint="Leave opens: out to open it now.", field="opens"
        )
    if local.date() == today and not has_time:
        return req.now
    return max(local_to_utc(local, svc.tz), req.now)


async def parse_audience(svc: Services, value: str | None) -> list[str]:
    """`board,primary` -> ['group:board', 'phase:primary']; anything unknown is refused."""
    groups = await all_groups(svc.session)
    by_name = {g.name.lower(): g.name for g in groups} | {g.title.lower(): g.name for g in groups}
    audience, unknown = [], []
    for item in split_list(value or "everyone"):
        key = item.lower().lstrip("#")
        if key in ("everyone", "all"):
            audience.append("everyone")
        elif key in PHASES:
            audience.append(f"phase:{key}")
        elif key in by_name:
            audience.append(f"group:{by_name[key]}")
        else:
            unknown.append(item)
    if unknown:
        raise UserError(
            f"I don't know the audience {', '.join(unknown)}. An audience is groups "
            f"({', '.join(sorted(g.name for g in groups)) or 'none yet'}), "
            f"phases ({', '.join(PHASES)}) or everyone.",
            example=ADD_EXAMPLE,
            field="audience",
        )
    return list(dict.fromkeys(audience))


def audience_words(audience: list[str]) -> str:
    words = []
    for a in audience:
        if a == "everyone":
            words.append("everyone")
        elif a.startswith("phase:"):
            words.append(f"{a.split(':', 1)[1]} schools")
        else:
            words.append(a.split(":", 1)[1])
    return ", ".join(words)


def parse_reminders(value: str | None) -> str:
    if value is None:
        return repo.DEFAULT_REMINDERS
    try:
        days = plan.reminder_days(value)
    except ValueError as exc:
        raise UserError(
            f"reminders:{value} - {exc} is not a number of days before the close.",
            hint="Use days or weeks, comma-separated; the closing morning is always included.",
            example="reminders:14d,7d,2d,1d",
            field="reminders",
        ) from None
    return ",".join(f"{d}d" for d in days) or "none"


def parse_yes_no(value: str | None, *, option: str) -> bool:
    return yes_no(value, field=option, default=False)


async def consultation_at(req: Request, svc: Services, index: int, example: str) -> Consultation:
    number = req.args.int_at(index, what="consultation", example=example)
    return await repo.get_consultation(svc.session, number)


def days_left(c: Consultation, *, now: datetime, svc: Services) -> str:
    if not c.is_open(now):
        return "closed"
    days = (to_local(c.closes_at, svc.tz).date() - to_local(now, svc.tz).date()).days
    return "today" if days == 0 else "1 day" if days == 1 else f"{days} days"


def add_form() -> Form:
    """The same command as typing `consultation add ...`, as a form for every door."""
    return Form(
        title="Open a consultation",
        command="consultation add",
        submit_label="Open",
        fields=[
            FormField("title", "Title", required=True, positional=True),
            FormField("closes", "Closes (a date, or end of term)", required=True),
            FormField("audience", "Audience (groups, phases or everyone)", value="everyone"),
            FormField("link", "Where to respond", placeholder="https://example.org/c"),
            FormField("summary", "Summary", kind="textarea"),
            FormField("opens", "Opens (leave empty for now)", kind="date"),
            FormField("reminders", "Reminders before the close", value=repo.DEFAULT_REMINDERS),
            FormField("nudge", "Nudge those not yet responded by direct message", kind="checkbox"),
        ],
    )


@commands.command(
    "consultation add",
    summary="Open a consultation: posts at launch, countdown reminders, and at close "
    "(staff); with nothing after it, a form",
    usage='consultation add "Title" closes:<date|"end of term"> [audience:<groups, phases or '
    'everyone>] [link:<url>] [summary:"..."] [opens:<date>] [reminders:14d,7d,2d,1d] '
    "[nudge:yes|no]",
    examples=[ADD_EXAMPLE],
    roles=STAFF,
    options={"closes", "opens", "audience", "link", "summary", "reminders", "nudge"},
    writes=True,
)
async def consultation_add(req: Request, svc: Services) -> Reply:
    if not req.args.words and not req.args.options:
        return Reply(text="Open a consultation: fill this in, or type the command.").add(add_form())
    title = (req.args.text() or "").strip()
    if not title:
        raise UserError(
            "Give the consultation a title in quotes.", example=ADD_EXAMPLE, field="title"
        )
    if len(title) > 200:
        raise UserError("The title is too long (at most 200 characters).", field="title")
    if not req.args.opt("closes"):
        raise UserError(
            'When does it close? Give closes: a date, or "end of term".',
            example=ADD_EXAMPLE,
            field="closes",
        )
    link = req.args.opt("link")
    if link and (not link.startswith(("http://", "https://")) or len(link) > 1000):
        raise UserError(
            f"link:{link} is not a web address.", example="link:https://example.org/c", field="link"
        )
    audience = await parse_audience(svc, req.args.opt("audience"))
    opens = await parse_opening(req.args.opt("opens"), req=req, svc=svc)
    closes_text = req.args.opt("closes") or ""
    closes = await parse_closing(closes_text, req=req, svc=svc, option="closes")
    if closes <= opens:
        raise UserError(
            f"closes:{closes_text} ({format_when(closes, svc.tz)}) is before the consultation "
            f"opens ({format_when(opens, svc.tz)}).",
            example=ADD_EXAMPLE,
            field="closes",
        )
    c = await repo.add_consultation(
        svc.session,
        title=title,
        summary=req.args.opt("summary"),
        link=link,
        opens_at=opens,
        closes_at=closes,
        audience=audience,
        owner_id=req.actor.id,
        reminders=parse_reminders(req.args.opt("reminders")),
        nudge=parse_yes_no(req.args.opt("nudge"), option="nudge"),
        revision=1,
        planned_since=req.now,
        created_at=req.now,
    )
    reply = Reply(
        text=f'Consultation #{c.id} added: "{c.title}", closes {format_when(c.closes_at, svc.tz)}'
        f" ({days_left(c, now=req.now, svc=svc)} left). Audience: {audience_words(audience)}."
    )
    return reply.add(await plan_section(c, req=req, svc=svc, launching=opens <= req.now))


async def plan_section(
    c: Consultation, *, req: Request, svc: Services, launching: bool = False
) -> Section:
    """The posts still to come, so staff can see what the bot will say and when."""
    posts = plan.upcoming(c, now=req.now, tz=svc.tz, terms=await svc.terms())
    if launching:
        posts.insert(0, plan.PlannedPost("launch", req.now))
    channels = ", ".join(plan.channels_for(c.audience, svc.settings))
    lines = [plan.describe_post(p, svc.tz) for p in posts]
    if c.nudge:
        lines.append("Each reminder also nudges, by direct message, those not yet responded.")
    return Section(title=f"Posts to {channels}", text="\n".join(lines) or "none still to come")


@commands.command(
    "consultations",
    summary="Open consultations with the days left",
    usage="consultations",
    examples=["consultations"],
)
async def consultations(req: Request, svc: Services) -> Reply:
    rows = []
    for c in await repo.open_consultations(svc.session, now=req.now):
        people = await repo.audience_people(svc.session, c.audience)
        you = ""
        if any(p.id == req.actor.id for p in people):
            done = await repo.response_of(
                svc.session, consultation_id=c.id, responder=repo.responder_of(req.actor)
            )
            you = "responded" if done else "not yet"
        if c.opens_at > req.now:
            you = f"opens {format_when(c.opens_at, svc.tz)}"
        rows.append(
            [
                f"#{c.id}",
                c.title,
                format_when(c.closes_at, svc.tz),
                days_left(c, now=req.now, svc=svc),
                audience_words(c.audience),
                you,
            ]
        )
    if not rows:
        return Reply(text="No consultations are open.")
    return Reply(text=f"Open consultations: {len(rows)}").add(
        Table(columns=["#", "title", "closes", "left", "audience", "you"], rows=rows)
    )


@commands.command(
    "consultation",
    summary="One consultation: dates, audience, link, responses and the posts to come",
    usage="consultation <id>",
    examples=["consultation 2"],
)
async def consultation(req: Request, svc: Services) -> Reply:
    if req.args.words and not req.args.words[0].lstrip("#").isdigit():
        verbs = "add, extend, close, responded, responses"
        raise UserError(
            f"I don't know `consultation {req.args.words[0]}`. consultation commands: {verbs}.",
            example="consultation 2",
        )
    c = await consultation_at(req, svc, 0, "consultation 2")
    owner = await person_by_id(svc.session, c.owner_id) if c.owner_id else None
    responses = await repo.responses_to(svc.session, c.id)
    if c.closed_at is not None:
        status = f"closed early {format_when(c.closed_at, svc.tz)}"
    elif c.closes_at <= req.now:
        status = "closed"
    elif c.opens_at > req.now:
        status = "not open yet"
    else:
        status = f"open, {days_left(c, now=req.now, svc=svc)} left"
    fields = [
        ("Status", status),
        ("Opens", format_when(c.opens_at, svc.tz)),
        ("Closes", format_when(c.closes_at, svc.tz)),
        ("Audience", audience_words(c.audience)),
        ("Respond", c.link or "ask the organisers"),
        ("Responses", str(len(responses))),
        ("Owner", owner.name if owner else "-"),
        ("Reminders", f"{c.reminders} before, and 09:00 on the closing day"),
    ]
    reply = Reply(text=f'Consultation #{c.id}: "{c.title}"').add(
        Section(text=c.summary or "", fields=fields)
    )
    if c.is_open(req.now):
        reply.add(await plan_section(c, req=req, svc=svc))
        reply.add(
            Actions([Button("We have responded", f"consultation responded {c.id}", "primary")])
        )
    return reply


def demo_commands(now: datetime) -> list[tuple[str, str]]:
    """One open consultation, so `consultation add` in the examples makes #2."""
    closes = (now + timedelta(days=24)).strftime("%d/%m/%Y")
    return [
        (
            "stella@learnsheffield.co.uk",
            'consultation add "Education and skills partnership framework" '
            f"closes:{closes} audience:primary,secondary,special "
            'summary:"How should schools, colleges and the council work together?" '
            "link:https://example.org/framework nudge:yes",
        ),
    ]
