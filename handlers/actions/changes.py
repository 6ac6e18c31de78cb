"""Changing an action: done, snooze, reassign, note, drop, reopen, move the due date.

Each change is checked against the relation rule (owner, the group's chair, staff) and lands
in the action's history with who and when.
"""

from __future__ import annotations

import math
from datetime import timedelta

from bot import forms
from bot.dates import format_date, parse_duration
from bot.errors import UserError, about
from bot.registry import Field, FormSpec
from bot.reply import Reply
from bot.services import Request, Services
from handlers.actions.kernel import (
    action_field,
    changeable,
    closed_action_choices,
    command_set,
    due_note,
    read_due,
    require_open,
    tell_owner,
    today_in,
)
from storage import actions as repo
from storage import directory
from storage.actions import Action, ActionEvent
from storage.outbox import cancel_pending

commands = command_set()


def _rest(req: Request) -> str:
    """What follows the action's number: a note, a reason, a duration or a date."""
    return " ".join(req.args.words[1:]).strip()


async def _changed(
    req: Request,
    svc: Services,
    action: Action,
    kind: str,
    detail: str = "",
    *,
    stop_nudges: str | None = None,
) -> ActionEvent:
    """Record the change in the action's history; `stop_nudges` withdraws queued nudges."""
    event = await repo.record(
        svc.session, action=action, actor=req.actor, at=req.now, kind=kind, detail=detail
    )
    if stop_nudges:
        await cancel_pending(svc.session, prefix=f"action:{action.id}:nudge:", reason=stop_nudges)
    return event


async def _close(req: Request, svc: Services, status: str, *, verb: str, why: str) -> Action:
    """Done and drop: the same change, kept in the history with what was said."""
    action: Action = req.item
    require_open(action, verb)
    action.status, action.closed_at = status, req.now
    await _changed(req, svc, action, status, _rest(req), stop_nudges=why)
    return action


@commands.command(
    "action done",
    summary="Mark an action done (stops its nudges)",
    usage='action done <id> ["what was done"]',
    examples=["action done 7"],
    options=(),
    writes=True,
    loads=changeable("action done 7"),
    form=FormSpec(
        title="Mark action {id} done",
        submit="Mark done",
        fields=(action_field(), Field("note", "What was done", kind="textarea", positional=True)),
    ),
)
async def action_done(req: Request, svc: Services) -> Reply:
    action = await _close(req, svc, "done", verb="marked done", why="action done")
    return Reply(text=f"Action #{action.id} is done: {action.text}", subject=("action", action.id))


@commands.command(
    "action snooze",
    summary="Put off the nudges for an action (the due date stays)",
    usage="action snooze <id> <1w|3d|date>",
    examples=["action snooze 7 1w", "action snooze 7 12/01/2024"],
    options=(),
    writes=True,
    loads=changeable("action snooze 7 1w"),
    form=FormSpec(
        title="Snooze action {id}",
        submit="Snooze",
        fields=(
            action_field(),
            Field(
                "until",
                "Snooze for, or until",
                required=True,
                positional=True,
                placeholder="1w",
                hint="a length (3d, 1w, 2w) or a date: 12/01/2024, next Friday",
            ),
        ),
    ),
)
async def action_snooze(req: Request, svc: Services) -> Reply:
    example = "action snooze 7 1w"
    action: Action = req.item
    require_open(action, "snoozed")
    raw = _rest(req)
    if not raw:
        raise UserError("For how long? Give a duration or a date.", example=example, field="until")
    today = today_in(req, svc)
    try:
        length = parse_duration(raw)
        until = today + timedelta(days=max(1, math.ceil(length / timedelta(days=1))))
    except UserError:
        with about("until", instead=True):
            until = await read_due(req, svc, raw, example=example)
    if until <= today:
        raise UserError(
            f"{format_date(until)} is not in the future.", example=example, field="until"
        )
    action.snoozed_until = until
    await _changed(
        req, svc, action, "snoozed", f"until {format_date(until)}", stop_nudges="snoozed"
    )
    return Reply(
        text=f"Action #{action.id} snoozed: no nudges until {format_date(until)} "
        f"(still due {format_date(action.due_on)}).",
        subject=("action", action.id),
    )


@commands.command(
    "action reassign",
    summary="Give an action to someone else",
    usage="action reassign <id> @person",
    examples=["action reassign 7 @sam"],
    options=(),
    writes=True,
    loads=changeable("action reassign 7 @sam"),
    form=FormSpec(
        title="Reassign action {id}",
        submit="Reassign",
        fields=(
            action_field(),
            Field(
                "owner",
                "New owner",
                required=True,
                positional=True,
                person=True,
                picker=forms.people,
            ),
        ),
    ),
)
async def action_reassign(req: Request, svc: Services) -> Reply:
    example = "action reassign 7 @sam"
    action: Action = req.item
    require_open(action, "reassigned")
    who = req.args.people[0] if req.args.people else " ".join(req.args.words[1:])
    if not who.strip():
        raise UserError("Reassign to whom?", example=example, field="owner")
    new_owner = await directory.resolve_person(svc.session, who)
    if new_owner.id == action.owner_id:
        raise UserError(f"Action #{action.id} is already {new_owner.name}'s.", example=example)
    before = action.owner.name
    action.owner_id = new_owner.id
    action.owner = new_owner
    event = await _changed(
        req,
        svc,
        action,
        "reassigned",
        f"from {before} to {new_owner.name}",
        stop_nudges="reassigned",
    )
    if new_owner.id != req.actor.id:
        await tell_owner(
            svc,
            action=action,
            event_id=event.id,
            at=req.now,
            why=f"{req.actor.name} passed you an action (was {before}'s).",
        )
    return Reply(
        text=f"Action #{action.id} is now {new_owner.name}'s (was {before}'s).",
        subject=("action", action.id),
    )


@commands.command(
    "action note",
    summary="Add a progress note to an action",
    usage='action note <id> "<note>"',
    examples=['action note 7 "Figures sent to primary heads; secondary to follow"'],
    options=(),
    writes=True,
    loads=changeable('action note 7 "Figures sent to primary heads"'),
    form=FormSpec(
        title="Note on action {id}",
        submit="Add note",
        fields=(
            action_field(),
            Field("note", "Progress note", kind="textarea", required=True, positional=True),
        ),
    ),
)
async def action_note(req: Request, svc: Services) -> Reply:
    example = 'action note 7 "Figures sent to primary heads"'
    action: Action = req.item
    note = _rest(req)
    if not note:  # the router answers with the form first; this is for a blank quoted note
        raise UserError("Write the note.", example=example, field="note")
    if len(note) > 2000:
        raise UserError("Keep a note under 2000 characters.", example=example)
    await _changed(req, svc, action, "note", note)
    return Reply(text=f"Note added to action #{action.id}.", subject=("action", action.id))


@commands.command(
    "action drop",
    summary="Drop an action that is no longer needed (kept in the history)",
    usage='action drop <id> ["why"]',
    examples=['action drop 7 "Superseded by the DfE return"'],
    options=(),
    writes=True,
    loads=changeable("action drop 7"),
    form=FormSpec(
        title="Drop action {id}",
        submit="Drop the action",
        intro="Dropping keeps the action in the history; say why, for its group.",
        asks=True,
        fields=(action_field(), Field("why", "Why drop it", kind="textarea", positional=True)),
    ),
)
async def action_drop(req: Request, svc: Services) -> Reply:
    action = await _close(req, svc, "dropped", verb="dropped", why="action dropped")
    return Reply(text=f"Action #{action.id} dropped: {action.text}", subject=("action", action.id))


@commands.command(
    "action reopen",
    summary="Reopen a done or dropped action",
    usage="action reopen <id>",
    examples=["action reopen 7"],
    options=(),
    writes=True,
    loads=changeable("action reopen 7"),
    form=FormSpec(
        title="Reopen action {id}",
        submit="Reopen",
        fields=(action_field(closed_action_choices),),
    ),
)
async def action_reopen(req: Request, svc: Services) -> Reply:
    action: Action = req.item
    if action.status == "open":
        raise UserError(f"Action #{action.id} is already open.", example=f"action {action.id}")
    action.status, action.closed_at = "open", None
    await _changed(req, svc, action, "reopened")
    return Reply(
        text=f"Action #{action.id} is open again, due {format_date(action.due_on)}.",
        subject=("action", action.id),
    )


@commands.command(
    "action due",
    summary="Move an action's due date",
    usage="action due <id> <date>",
    examples=["action due 7 19/01/2024"],
    options=(),
    writes=True,
    loads=changeable("action due 7 19/01/2024"),
    form=FormSpec(
        title="Move the due date of action {id}",
        submit="Move it",
        fields=(
            action_field(),
            Field("due", "New due date", kind="date", required=True, positional=True),
        ),
    ),
)
async def action_due(req: Request, svc: Services) -> Reply:
    example = "action due 7 19/01/2024"
    action: Action = req.item
    require_open(action, "moved")
    raw = _rest(req)
    if not raw:
        raise UserError("Give the new due date.", example=example, field="due")
    due = await read_due(req, svc, raw, example=example)
    before = action.due_on
    action.due_on, action.snoozed_until = due, None
    await _changed(req, svc, action, "due", f"from {format_date(before)} to {format_date(due)}")
    text = f"Action #{action.id} is now due {format_date(due)}."
    if due < today_in(req, svc):  # allowed (recording a late date), but say so, as `action add`
        text += " That is already past, so it is overdue."
    else:
        text += await due_note(svc, action.owner, due)
    return Reply(text=text, subject=("action", action.id))
