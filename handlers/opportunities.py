"""Opportunities and the bulletin: staff post them, everyone sees those meant for their school."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlparse

from bot.dates import format_date, parse_date
from bot.errors import NotAllowed, UserError
from bot.parsing import split_list, yes_no
from bot.policy import may_see_audience_item
from bot.registry import STAFF, CommandSet, Registry
from bot.reply import Actions, Button, Form, FormField, Reply, Section, Table
from bot.services import Request, Services
from storage import opportunities as repo
from storage.directory import person_by_id
from storage.outbox import cancel_pending

commands = CommandSet("opportunities", "Opportunities and the bulletin")


def register(registry: Registry) -> None:
    """Opportunity commands here; the bulletin's in handlers/opportunities_bulletin.py."""
    from handlers import opportunities_bulletin

    commands.register(registry)
    opportunities_bulletin.commands.register(registry)


ADD_EXAMPLE = (
    'opp add "Funded NPQ places" closes:31/01/2024 phase:primary,secondary tags:training '
    "link:https://example.org/npq"
)
LENGTH_EXAMPLES = {
    "title": "Funded NPQ places",
    "summary": "Fully funded places for 2024 cohorts",
    "provider": "Learn Sheffield",
}
ADD_OPTIONS = {"closes", "phase", "tags", "link", "subscribers", "summary", "provider"}
PHASE_ALIASES = {"all-through": ["primary", "secondary"], "post16": ["post-16"]}


# --- reading what people typed ---------------------------------------------------------


def parse_phases(value: str) -> list[str]:
    """`primary,secondary` -> a checked list; `all` alone stands for every phase."""
    phases: list[str] = []
    for raw in split_list(value.lower()):
        for phase in PHASE_ALIASES.get(raw, [raw]):
            if phase not in repo.PHASES:
                raise UserError(
                    f"{raw!r} is not a phase. Phases: {', '.join(repo.PHASES)}.",
                    example="phase:primary,secondary (or phase:all)",
                    field="phase",
                )
            if phase not in phases:
                phases.append(phase)
    if not phases:
        raise UserError(f"Give a phase: {', '.join(repo.PHASES)}.", example="phase:all")
    return ["all"] if "all" in phases else phases


def parse_link(value: str) -> str:
    parsed = urlparse(value.strip())
    host = parsed.hostname or ""
    if parsed.scheme not in ("http", "https") or "." not in host or " " in value.strip():
        raise UserError(
            f"{value!r} is not a web link. Give the full address, starting https://",
            example="link:https://example.org/npq",
            field="link",
        )
    return value.strip()


async def parse_closes(value: str, req: Request, svc: Services) -> date | None:
    if value.strip().lower() in ("none", "never", "-"):
        return None
    day = parse_date(value, now=req.now, tz=svc.tz, terms=await svc.terms())
    today = req.now.astimezone(svc.tz).date()
    if day < today:
        raise UserError(
            f"The closing date {day:%d/%m/%Y} is in the past (today is {today:%d/%m/%Y}).",
            example="closes:31/01/2024",
            field="closes",
        )
    return day


def parse_subscribers(value: str) -> bool:
    """`subscribers:only` (or any yes word) -> True; `subscribers:all`/`everyone`/no -> False."""
    return yes_no(
        value,
        field="subscribers",
        yes=("only",),
        no=("all", "everyone"),
        example='opp add "Leadership network" phase:all subscribers:only',
    )


async def apply_options(opp: repo.Opportunity, req: Request, svc: Services) -> list[str]:
    """Set the fields given as key:value; returns what changed, for the reply."""
    opts, changed = req.args.options, []
    if "closes" in opts:
        opp.closes_on = await parse_closes(opts["closes"], req, svc)
        changed.append("closing date")
    if "phase" in opts:
        opp.phases = parse_phases(opts["phase"])
        changed.append("phases")
    if "tags" in opts:
        opp.tags = [t.lower()[:40] for t in split_list(opts["tags"])][:10]
        changed.append("tags")
    if "link" in opts:
        opp.link = parse_link(opts["link"])
        changed.append("link")
    if "subscribers" in opts:
        opp.subscribers_only = parse_subscribers(opts["subscribers"])
        changed.append("who it is for")
    for name, limit in (("summary", 2000), ("provider", 200), ("title", 200)):
        if name in opts:
            if len(opts[name]) > limit:
                raise UserError(
                    f"{name} is too long (at most {limit} characters).",
                    example=f'{name}:"{LENGTH_EXAMPLES[name]}"',
                    hint="Put the full details behind the link." if name != "title" else None,
                    field=name,
                )
            value = opts[name].strip()
            setattr(opp, name, value if name == "title" else value or None)
            changed.append(name)
    return changed


def today_of(req: Request, svc: Services) -> date:
    return req.now.astimezone(svc.tz).date()


def who_for(opp: repo.Opportunity) -> str:
    return "subscribing organisations only" if opp.subscribers_only else "everyone"


def opp_fields(opp: repo.Opportunity) -> list[tuple[str, str]]:
    fields = [
        ("Closes", format_date(opp.closes_on) if opp.closes_on else "no closing date"),
        ("Phases", ", ".join(opp.phases)),
        ("Tags", ", ".join(opp.tags) or "none"),
        ("For", who_for(opp)),
    ]
    if opp.provider:
        fields.append(("Provider", opp.provider))
    if opp.link:
        fields.append(("Link", opp.link))
    return fields


def add_form() -> Form:
    """The same command as typing `opp add ...`, as a form for every door."""
    phases = ", ".join(repo.PHASES)
    return Form(
        title="Post an opportunity",
        command="opp add",
        submit_label="Post",
        fields=[
            FormField("title", "Title", required=True, positional=True, placeholder="NPQ places"),
            FormField("summary", "Summary", kind="textarea"),
            FormField("link", "Link", placeholder="https://example.org/npq"),
            FormField("provider", "Provider", placeholder="Learn Sheffield"),
            FormField("closes", "Closing date", kind="date"),
            FormField("phase", f"Phases ({phases})", value="all", placeholder="primary,secondary"),
            FormField("tags", "Tags", placeholder="training,networks"),
            FormField("subscribers", "Subscribing organisations only", kind="checkbox"),
        ],
    )


# --- opportunities ---------------------------------------------------------------------


@commands.command(
    "opp add",
    summary="Post an opportunity (staff); with nothing after it, a form",
    usage='opp add "Title" [closes:<date>] [phase:primary,secondary|all] [tags:a,b] '
    '[link:<url>] [subscribers:only] [summary:"..."] [provider:"..."]',
    examples=[
        ADD_EXAMPLE,
        'opp add "Leadership network" closes:28/02/2024 phase:all subscribers:only '
        "link:https://example.org/n",
    ],
    roles=STAFF,
    options=ADD_OPTIONS,
    writes=True,
)
async def opp_add(req: Request, svc: Services) -> Reply:
    if not req.args.words and not req.args.options:
        return Reply(text="Post an opportunity: fill this in, or type the command.").add(add_form())
    title = (req.args.text() or "").strip()
    if not title:
        raise UserError(
            "Give the opportunity a title in quotes.", example=ADD_EXAMPLE, field="title"
        )
    if len(title) > 200:
        raise UserError(
            f"The title is {len(title)} characters; keep it to 200 at most.",
            example=ADD_EXAMPLE,
            hint='Put the detail in summary:"..." or behind the link.',
            field="title",
        )
    opp = repo.Opportunity(
        title=title,
        phases=["all"],
        tags=[],
        subscribers_only=False,
        status="open",
        posted_by_id=req.actor.id,
        created_at=req.now,
        updated_at=req.now,
    )
    await apply_options(opp, req, svc)
    svc.session.add(opp)
    await svc.session.flush()
    return Reply(text=f"Added opportunity #{opp.id}: {opp.title}.").add(
        Section(fields=opp_fields(opp)),
        Actions(
            [
                Button("View", f"opp {opp.id}"),
                Button("Withdraw", f"opp withdraw {opp.id}", "danger"),
            ]
        ),
    )


@commands.command(
    "opps",
    summary="Open opportunities for your school's phase, closing soonest first",
    usage='opps [phase:<phase>] [tag:<tag>] ["search words"]',
    examples=["opps", "opps phase:primary", 'opps tag:training "leadership"'],
    options={"phase", "tag"},
)
async def opps(req: Request, svc: Services) -> Reply:
    audience = repo.STAFF_AUDIENCE if req.actor.is_staff else repo.audience_of(req.actor)
    described = f"you ({audience.label})"
    if "phase" in req.args.options:
        phases = parse_phases(req.args.options["phase"])
        wanted = frozenset() if phases == ["all"] else frozenset(phases)
        audience = repo.Audience(wanted, audience.subscriber, audience.label)
        described = ", ".join(phases) + ("" if phases == ["all"] else " and all-phase")
    tag = req.args.opt("tag")
    words = " ".join(req.args.words).split()
    found = [
        o
        for o in await repo.open_opportunities(svc.session, today=today_of(req, svc))
        if audience.sees(o) and repo.matches(o, tag=tag, words=words)
    ]
    rows = [
        [
            f"#{o.id}",
            o.title,
            format_date(o.closes_on) if o.closes_on else "-",
            ", ".join(o.phases),
            ", ".join(o.tags),
            "subscribers" if o.subscribers_only else "",
        ]
        for o in found
    ]
    filters = "".join(
        [f", tag {tag}" if tag else "", f", matching {' '.join(words)!r}" if words else ""]
    )
    if not rows:
        return Reply(
            text=f"No open opportunities for {described}{filters} right now.\n"
            "Try `opps phase:all`, or check back: new ones come in the weekly bulletin."
        )
    return Reply(text=f"Open opportunities for {described}{filters}, closing soonest first:").add(
        Table(columns=["#", "title", "closes", "phases", "tags", "only for"], rows=rows),
        Actions([Button(f"#{o.id}", f"opp {o.id}") for o in found[:5]]),
    )


@commands.command(
    "opp",
    summary="One opportunity in full",
    usage="opp <id>",
    examples=["opp 1"],
    options=set(),
)
async def opp_show(req: Request, svc: Services) -> Reply:
    first = req.args.words[0].lstrip("#") if req.args.words else ""
    if not (first.isascii() and first.isdigit()):
        raise UserError(
            "Which opportunity? opp commands: opp <id>, opp add, opp edit, opp withdraw; "
            "opps lists the open ones.",
            example="opp 1",
        )
    opp = await repo.get_opportunity(svc.session, int(first[:9]))
    audience = repo.STAFF_AUDIENCE if req.actor.is_staff else repo.audience_of(req.actor)
    if not may_see_audience_item(
        req.actor, in_audience=audience.subscriber or not opp.subscribers_only
    ):
        raise NotAllowed(
            f"Opportunity #{opp.id} is offered to subscribing organisations only.",
            hint="Type `opps` for the ones open to you.",
        )
    today = today_of(req, svc)
    status = "open" if opp.is_open(today) else ("expired" if opp.status == "open" else opp.status)
    fields = [*opp_fields(opp), ("Status", status)]
    poster = await person_by_id(svc.session, opp.posted_by_id) if opp.posted_by_id else None
    if poster:
        fields.append(("Posted by", f"{poster.name}, {format_date(opp.created_at.date())}"))
    reply = Reply(text=f"Opportunity #{opp.id}: {opp.title}").add(
        Section(text=opp.summary or "", fields=fields)
    )
    if req.actor.is_staff and status == "open":
        reply.add(Actions([Button("Withdraw", f"opp withdraw {opp.id}", "danger")]))
    return reply


@commands.command(
    "opp edit",
    summary="Change an opportunity (staff)",
    usage='opp edit <id> [title:"..."] [closes:<date>|none] [phase:...] [tags:...] [link:...] '
    '[subscribers:only|no] [summary:"..."] [provider:"..."]',
    examples=["opp edit 1 closes:14/02/2024", "opp edit 1 phase:all subscribers:no"],
    roles=STAFF,
    options=ADD_OPTIONS | {"title"},
    writes=True,
)
async def opp_edit(req: Request, svc: Services) -> Reply:
    example = "opp edit 1 closes:14/02/2024"
    opp = await repo.get_opportunity(
        svc.session, req.args.int_at(0, what="opportunity", example=example)
    )
    changed = await apply_options(opp, req, svc)
    if not changed:
        raise UserError("Say what to change, as key:value.", example=example)
    if not opp.title.strip():
        raise UserError("The title cannot be empty.", example=example, field="title")
    today = today_of(req, svc)
    if opp.status == "expired" and (opp.closes_on is None or opp.closes_on >= today):
        opp.status = "open"  # a new closing date reopens an expired opportunity
    opp.updated_at = req.now
    await svc.session.flush()
    return Reply(text=f"Updated opportunity #{opp.id} ({', '.join(changed)}): {opp.title}.").add(
        Section(fields=[*opp_fields(opp), ("Status", opp.status)])
    )


@commands.command(
    "opp withdraw",
    summary="Withdraw an opportunity (staff): it leaves listings, bulletins and nudges",
    usage='opp withdraw <id> ["reason"]',
    examples=["opp withdraw 1", 'opp withdraw 1 "Places filled"'],
    roles=STAFF,
    options=set(),
    writes=True,
)
async def opp_withdraw(req: Request, svc: Services) -> Reply:
    opp = await repo.get_opportunity(
        svc.session, req.args.int_at(0, what="opportunity", example="opp withdraw 1")
    )
    if opp.status == "withdrawn":
        return Reply(text=f"Opportunity #{opp.id} was already withdrawn.")
    opp.status, opp.updated_at = "withdrawn", req.now
    await cancel_pending(svc.session, prefix=f"opp:{opp.id}:", reason="withdrawn")
    await svc.session.flush()
    return Reply(text=f"Withdrew opportunity #{opp.id}: {opp.title}.")


def demo_commands(now: datetime) -> list[tuple[str, str]]:
    """A handful of opportunities closing over the coming weeks, posted by staff."""

    def on(days: int) -> str:
        return f"{(now + timedelta(days=days)):%d/%m/%Y}"

    sam = "sam@learnsheffield.co.uk"
    return [
        (
            sam,
            f'opp add "Funded NPQ places" closes:{on(40)} phase:primary,secondary tags:training '
            'link:https://example.org/npq provider:"Learn Sheffield" '
            'summary:"Fully funded National Professional Qualification places for 2024."',
        ),
        (
            sam,
            f'opp add "Leadership network" closes:{on(60)} phase:all subscribers:only '
            'tags:networks link:https://example.org/n summary:"Termly network for headteachers."',
        ),
        (
            sam,
            f'opp add "Reading fluency project" closes:{on(5)} phase:primary tags:projects '
            "link:https://example.org/reading",
        ),
        (
            sam,
            f'opp add "Attendance champions training" closes:{on(20)} phase:all tags:training '
            "link:https://example.org/attendance",
        ),
        (
            sam,
            'opp add "Post-16 transition network" phase:secondary,post-16 tags:networks '
            "link:https://example.org/post16",
        ),
    ]
