"""Posting an opportunity: `opp add`, typed or as a form (staff)."""

from __future__ import annotations

from bot.errors import UserError
from bot.registry import CommandSet, FormSpec
from bot.reply import Actions, Button, Reply, Section
from bot.services import Request, Services
from handlers.opportunities.kernel import (
    ADD_EXAMPLE,
    ADD_OPTIONS,
    TOPIC,
    apply_options,
    opp_fields,
    opp_form_fields,
)
from storage import opportunities as repo

commands = CommandSet(*TOPIC)


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
    options=ADD_OPTIONS,
    writes=True,
    form=FormSpec(
        title="Post an opportunity", submit="Post", fields=opp_form_fields(editing=False)
    ),
)
async def opp_add(req: Request, svc: Services) -> Reply:
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
    return Reply(
        text=f"Added opportunity #{opp.id}: {opp.title}.", subject=("opportunity", opp.id)
    ).add(
        Section(fields=opp_fields(opp)),
        Actions(
            [
                Button("View", f"opp {opp.id}"),
                Button("Withdraw", f"opp withdraw {opp.id}", "danger"),
            ]
        ),
    )
