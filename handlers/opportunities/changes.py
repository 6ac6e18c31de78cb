"""Changing an opportunity (staff): edit its fields, or withdraw it from listings, bulletins
and nudges."""

from __future__ import annotations

from bot.errors import UserError
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Reply, Section
from bot.services import Request, Services
from handlers.opportunities.kernel import (
    ADD_OPTIONS,
    OPP,
    TOPIC,
    apply_options,
    opp_fields,
    opp_form_fields,
    opp_now,
    today_of,
)
from storage import opportunities as repo
from storage.outbox import cancel_pending

commands = CommandSet(*TOPIC)


@commands.command(
    "opp edit",
    summary="Change an opportunity (staff)",
    usage='opp edit <id> [title:"..."] [closes:<date>|none] [phase:...] [tags:...] [link:...] '
    '[subscribers:only|no] [summary:"..."] [provider:"..."]',
    examples=["opp edit 1 closes:14/02/2024", "opp edit 1 phase:all subscribers:no"],
    options=ADD_OPTIONS | {"title"},
    writes=True,
    form=FormSpec(
        title="Change opportunity {id}",
        submit="Save changes",
        edit=True,
        fields=(OPP, *opp_form_fields(editing=True)),
        current=opp_now,
    ),
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
    return Reply(
        text=f"Updated opportunity #{opp.id} ({', '.join(changed)}): {opp.title}.",
        subject=("opportunity", opp.id),
    ).add(Section(fields=[*opp_fields(opp), ("Status", opp.status)]))


@commands.command(
    "opp withdraw",
    summary="Withdraw an opportunity (staff): it leaves listings, bulletins and nudges",
    usage='opp withdraw <id> ["reason"]',
    examples=["opp withdraw 1", 'opp withdraw 1 "Places filled"'],
    options=set(),
    writes=True,
    form=FormSpec(
        title="Withdraw opportunity {id}",
        submit="Withdraw it",
        intro="It leaves listings, bulletins and nudges.",
        asks=True,
        fields=(OPP, Field("reason", "Reason", positional=True, placeholder="Places filled")),
    ),
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
    return Reply(
        text=f"Withdrew opportunity #{opp.id}: {opp.title}.", subject=("opportunity", opp.id)
    )
