"""Posting an opportunity: `opp add`, typed or as a form (staff)."""

from __future__ import annotations

from bot.errors import UserError
from bot.registry import CommandSet
from bot.reply import Actions, Button, Form, FormField, Reply, Section
from bot.services import Request, Services
from handlers.opportunities.kernel import (
    ADD_EXAMPLE,
    ADD_OPTIONS,
    TOPIC,
    apply_options,
    opp_fields,
)
from storage import opportunities as repo

commands = CommandSet(*TOPIC)


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
