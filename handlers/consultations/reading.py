"""Reading consultations: the open ones with the days left, and one in full with the posts
still to come.
"""

from __future__ import annotations

from bot.dates import format_when
from bot.errors import UserError
from bot.registry import CommandSet
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from handlers.consultations.kernel import (
    TOPIC,
    audience_words,
    consultation_at,
    days_left,
    plan_section,
)
from storage import consultations as repo
from storage.directory import person_by_id

commands = CommandSet(*TOPIC)


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
