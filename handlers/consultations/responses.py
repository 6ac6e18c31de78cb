"""Who has responded to a consultation: heads mark their school's response, staff see the gaps.

Responses are per organisation (a school answers once, whoever marks it), so the nudges stop
for everyone at a school as soon as one person says it has responded.
"""

from __future__ import annotations

from bot.dates import format_when
from bot.errors import UserError
from bot.policy import Facts, Loaded
from bot.registry import CommandSet, FormSpec
from bot.reply import Reply, Table
from bot.services import Request, Services
from handlers.consultations.kernel import CONSULTATION, TOPIC, audience_words, consultation_at
from storage import consultations as repo
from storage.directory import person_by_id

commands = CommandSet(*TOPIC)


async def load_responding_to(req: Request, svc: Services) -> Loaded:
    """`consultation responded <id>`: the consultation and whether the asker is in its
    audience. A closed one asks no relation: it is closed to everyone (the handler says so)."""
    c = await consultation_at(req, svc, 0, "consultation responded 2")
    if not c.is_open(req.now):
        return Loaded(c, None)
    people = await repo.audience_people(svc.session, c.audience)
    return Loaded(
        c,
        Facts(in_audience=any(p.id == req.actor.id for p in people)),
        refusal=f"Consultation #{c.id} is for {audience_words(c.audience)}, which does not "
        "include you.",
        hint="Type `consultations` for the ones that are for you.",
    )


@commands.command(
    "consultation responded",
    summary="Say your school (or organisation) has responded, so the nudges stop",
    usage="consultation responded <id>",
    examples=["consultation responded 2"],
    writes=True,
    loads=load_responding_to,
    form=FormSpec(
        title="We have responded to consultation {id}",
        submit="We have responded",
        fields=(CONSULTATION,),
    ),
)
async def consultation_responded(req: Request, svc: Services) -> Reply:
    c: repo.Consultation = req.item
    if not c.is_open(req.now):
        raise UserError(
            f"Consultation #{c.id} closed {format_when(c.ended_at(), svc.tz)}.",
            hint="Contact the organisers if your response was late.",
        )
    me = req.actor
    unit = me.organisation.name if me.organisation else me.name
    found = await repo.response_of(
        svc.session, consultation_id=c.id, responder=repo.responder_of(me)
    )
    if found is not None:
        by = await person_by_id(svc.session, found.person_id) if found.person_id else None
        return Reply(
            text=f"{unit}'s response to consultation #{c.id} was already recorded "
            f"{format_when(found.responded_at, svc.tz)}" + (f" by {by.name}." if by else ".")
        )
    await repo.record_response(svc.session, consultation=c, person=me, at=req.now)
    return Reply(
        text=f'Thank you: recorded {unit}\'s response to consultation #{c.id} "{c.title}".',
        subject=("consultation", c.id),
    )


@commands.command(
    "consultation responses",
    summary="Who has and has not responded to a consultation",
    usage="consultation responses <id>",
    examples=["consultation responses 2"],
)
async def consultation_responses(req: Request, svc: Services) -> Reply:
    c = await consultation_at(req, svc, 0, "consultation responses 2")
    responses = {r.responder: r for r in await repo.responses_to(svc.session, c.id)}
    units: dict[str, str] = {}
    for p in await repo.audience_people(svc.session, c.audience):
        units.setdefault(repo.responder_of(p), p.organisation.name if p.organisation else p.name)
    rows = []
    for responder, name in sorted(units.items(), key=lambda kv: kv[1]):
        r = responses.get(responder)
        if r is None:
            rows.append([name, "not yet", "", ""])
            continue
        by = await person_by_id(svc.session, r.person_id) if r.person_id else None
        rows.append([name, "responded", by.name if by else "", format_when(r.responded_at, svc.tz)])
    done = sum(1 for r in rows if r[1] == "responded")
    extra = len([k for k in responses if k not in units])  # people who left the audience since
    text = f'Consultation #{c.id} "{c.title}": {done} of {len(units)} have responded'
    text += f" (and {extra} from outside the audience)." if extra else "."
    return Reply(text=text).add(Table(columns=["organisation", "status", "by", "when"], rows=rows))
