"""Reading opportunities: the open ones for your school's phase, and one in full."""

from __future__ import annotations

from bot.dates import format_date, parse_period
from bot.errors import UserError
from bot.policy import Facts, Loaded
from bot.registry import CommandSet
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from handlers.opportunities.kernel import (
    TOPIC,
    opp_fields,
    parse_phases,
    today_of,
)
from storage import opportunities as repo
from storage.directory import person_by_id

commands = CommandSet(*TOPIC)


@commands.command(
    "opps",
    summary="Open opportunities for your school's phase, closing soonest first; "
    "closing:<period> those closing by then",
    usage='opps [phase:<phase>] [tag:<tag>] [closing:<period>] ["search words"]',
    examples=[
        "opps",
        "opps phase:primary",
        'opps tag:training "leadership"',
        'opps closing:"this month"',
    ],
    options={"phase", "tag", "closing"},
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
    closing_by = None
    if req.args.opt("closing") is not None:
        _, closing_by, _ = parse_period(
            req.args.opt("closing") or "",
            now=req.now,
            tz=svc.tz,
            terms=await svc.terms(),
            example='opps closing:"this month"',
        )
    found = [
        o
        for o in await repo.open_opportunities(svc.session, today=today_of(req, svc))
        if audience.sees(o)
        and repo.matches(o, tag=tag, words=words)
        and (closing_by is None or (o.closes_on is not None and o.closes_on <= closing_by))
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
        [
            f", tag {tag}" if tag else "",
            f", matching {' '.join(words)!r}" if words else "",
            f", closing by {format_date(closing_by)}" if closing_by else "",
        ]
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


async def load_opp(req: Request, svc: Services) -> Loaded:
    """`opp <id>`: the opportunity, and whether it is meant for the asker (a subscribers-only
    one is not, for someone whose organisation does not subscribe)."""
    first = req.args.words[0].lstrip("#") if req.args.words else ""
    if not (first.isascii() and first.isdigit()):
        raise UserError(
            "Which opportunity? opp commands: opp <id>, opp add, opp edit, opp withdraw; "
            "opps lists the open ones.",
            example="opp 1",
        )
    opp = await repo.get_opportunity(svc.session, int(first[:9]))
    audience = repo.STAFF_AUDIENCE if req.actor.is_staff else repo.audience_of(req.actor)
    return Loaded(
        opp,
        Facts(in_audience=audience.subscriber or not opp.subscribers_only),
        refusal=f"Opportunity #{opp.id} is offered to subscribing organisations only.",
        hint="Type `opps` for the ones open to you.",
    )


@commands.command(
    "opp",
    summary="One opportunity in full",
    usage="opp <id>",
    examples=["opp 1"],
    options=set(),
    loads=load_opp,
)
async def opp_show(req: Request, svc: Services) -> Reply:
    opp: repo.Opportunity = req.item
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
