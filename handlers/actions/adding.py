"""Adding an action: by command, or by the form `action add` alone opens."""

from __future__ import annotations

from bot import forms
from bot.dates import format_date
from bot.errors import NotFound, UserError
from bot.registry import Field, FormSpec
from bot.reply import Actions, Button, Reply, Section
from bot.services import Request, Services
from handlers.actions.kernel import (
    action_fields,
    command_set,
    due_note,
    members_group,
    read_due,
    tell_if_given,
    today_in,
)
from storage import actions as repo
from storage import directory
from storage.directory import Group
from storage.meetings import get_meeting

commands = command_set()

ADD_EXAMPLE = 'action add "Circulate PA figures to heads" owner:@jo due:12/01/2024 group:attendance'
MAX_TEXT = 1000


@commands.command(
    "action add",
    summary="Record an action: what, who owns it, when it is due, for which group",
    usage='action add "<what>" owner:@person due:<date> [group:<group>] [meeting:<id>]',
    examples=[ADD_EXAMPLE],
    writes=True,
    loads=members_group("add its actions"),
    form=FormSpec(
        title="Add an action",
        submit="Add action",
        fields=(
            Field("text", "What needs doing", required=True, positional=True),
            Field("owner", "Owner (leave empty for yourself)", person=True, picker=forms.people),
            Field("due", "Due", kind="date", required=True),
            Field("group", "Group (its chair follows it up)", picker=forms.my_groups),
            Field("meeting", "From meeting", picker=forms.meetings),
        ),
    ),
)
async def action_add(req: Request, svc: Services) -> Reply:
    text = req.args.text()
    if not text:
        raise UserError("Say what needs doing, in quotes.", example=ADD_EXAMPLE, field="text")
    if len(text) > MAX_TEXT:
        raise UserError(
            f"That action is {len(text)} characters; keep it under {MAX_TEXT}.",
            hint='Put the detail in a note: action note <id> "..."',
            example=ADD_EXAMPLE,
            field="text",
        )
    who = req.args.opt("owner") or (req.args.people[0] if req.args.people else None)
    owner = await directory.resolve_person(svc.session, who) if who else req.actor
    if not req.args.opt("due"):
        raise UserError("When is it due? Add due:<date>.", example=ADD_EXAMPLE, field="due")
    due = await read_due(req, svc, req.args.opt("due") or "", example=ADD_EXAMPLE)
    group: Group | None = req.item
    if group is None and owner.id != req.actor.id and not req.actor.is_staff:
        raise UserError(
            "An action for someone else needs a group, so its chair can follow it up.",
            example=ADD_EXAMPLE,
            field="group",
        )
    meeting_id = None
    if req.args.opt("meeting"):
        raw = (req.args.opt("meeting") or "").lstrip("#")
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
            raise UserError("meeting: takes a meeting number.", example="meeting:3")
        meeting_id = int(raw)
        try:
            await get_meeting(svc.session, meeting_id)
        except NotFound:
            raise UserError(
                f"There is no meeting #{meeting_id}.",
                hint="`meetings` lists them with their numbers; or leave out meeting:.",
                example=f"{ADD_EXAMPLE} meeting:3",
                field="meeting",
            ) from None
    action = await repo.add_action(
        svc.session,
        text=text,
        owner=owner,
        due_on=due,
        at=req.now,
        created_by=req.actor,
        group=group,
        meeting_id=meeting_id,
    )
    await tell_if_given(req, svc, action, why=f"{req.actor.name} gave you an action.")
    today = today_in(req, svc)
    where = f" ({group.name})" if group else ""
    text_out = f"Added action #{action.id} for {owner.name}, due {format_date(due)}{where}."
    if due < today:
        text_out += " That date has passed, so it is already overdue."
    else:
        text_out += await due_note(svc, owner, due)
    return Reply(text=text_out, subject=("action", action.id)).add(
        Section(text=action.text, fields=action_fields(action)),
        Actions([Button("See it", f"action {action.id}"), Button("My actions", "actions")]),
    )
