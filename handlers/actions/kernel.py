"""The actions domain's shared rules: how an action reads, who may see or change it, and
telling a new owner. Imports none of its siblings; every command module imports it.

Owners, the group's chairs and staff may change an action (bot/policy.py); members of the
group may read it. Nudges and the chairs' weekly digest are planned in scheduled/actions.py.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.dates import format_date, parse_date
from bot.errors import NotFound, UserError
from bot.policy import may_read_action, require_change_action, require_group_member
from bot.registry import CommandSet
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from storage import actions as repo
from storage import directory
from storage.actions import Action
from storage.directory import Group
from storage.outbox import enqueue, person_target


def command_set() -> CommandSet:
    """A command module's share of the `actions` help topic."""
    return CommandSet("actions", "Actions: owners, due dates, nudges")


def today_in(req: Request, svc: Services) -> date:
    """The partnership's calendar date at the moment of the request."""
    return req.now.astimezone(svc.tz).date()


def status_label(action: Action, today: date) -> str:
    """How an action stands, in words a chair would use."""
    if action.status == "done":
        return "done"
    if action.status == "dropped":
        return "dropped"
    days = (action.due_on - today).days
    if days < 0:
        label = f"overdue {-days} day{'s' if days != -1 else ''}"
    elif days == 0:
        label = "due today"
    elif days == 1:
        label = "due tomorrow"
    else:
        label = "open"
    if action.snoozed_until and action.snoozed_until > today:
        label += f", snoozed to {format_date(action.snoozed_until)}"
    return label


def action_table(actions: list[Action], today: date, *, title: str | None = None) -> Table:
    """One row per action: number, due, text, owner, group, status in words."""
    rows = [
        [
            f"#{a.id}",
            format_date(a.due_on),
            a.text,
            a.owner.name,
            a.group.name if a.group else "",
            status_label(a, today),
        ]
        for a in actions
    ]
    return Table(columns=["#", "due", "action", "owner", "group", "status"], rows=rows, title=title)


def nudge_buttons(action_id: int) -> Actions:
    """Done / Snooze 1w / Add note: the same commands a person could type."""
    return Actions(
        [
            Button("Done", f"action done {action_id}", style="primary"),
            Button("Snooze 1w", f"action snooze {action_id} 1w"),
            Button("Add note", f"action note {action_id}"),
        ]
    )


async def group_role(svc: Services, *, action: Action, person_id: int) -> str | None:
    """The person's role in the action's group ('chair', 'member', ...), or None."""
    if action.group_id is None:
        return None
    found = await directory.membership(svc.session, group_id=action.group_id, person_id=person_id)
    return found.role if found else None


async def readable_action(req: Request, svc: Services, action_id: int) -> Action:
    """The action, if the asker may read it; otherwise it does not exist for them."""
    action = await svc.session.get(Action, action_id)
    role = await group_role(svc, action=action, person_id=req.actor.id) if action else None
    if action is None or not may_read_action(
        req.actor,
        owner_id=action.owner_id,
        created_by_id=action.created_by_id,
        in_group=role is not None,
    ):
        raise NotFound(
            f"There is no action #{action_id} that you can see.",
            hint="Type `actions` for yours, or `actions group:<group>` for a group's.",
            example="actions group:attendance",
        )
    return action


async def changeable_action(req: Request, svc: Services, *, example: str) -> Action:
    """The action named by the first word, if the asker may change it."""
    action_id = req.args.int_at(0, what="action", example=example)
    action = await readable_action(req, svc, action_id)
    role = await group_role(svc, action=action, person_id=req.actor.id)
    require_change_action(req.actor, owner_id=action.owner_id, group_role=role, action_id=action.id)
    return action


def require_open(action: Action, verb: str) -> None:
    """Refuse (UserError, with how to reopen) to change a done or dropped action."""
    if action.status != "open":
        raise UserError(
            f"Action #{action.id} is already {action.status}, so it can't be {verb}.",
            hint=f"Reopen it first: action reopen {action.id}",
            example=f"action reopen {action.id}",
        )


async def tell_owner(
    svc: Services, *, action: Action, event_id: int, at: datetime, why: str
) -> None:
    """Let a new owner know an action is now theirs (through the outbox, like every message)."""
    reply = Reply(text=f"{why} Action #{action.id}, due {format_date(action.due_on)}.").add(
        Section(text=action.text, fields=action_fields(action)),
        Actions([Button("See it", f"action {action.id}"), Button("My actions", "actions")]),
    )
    await enqueue(
        svc.session,
        key=f"action:{action.id}:assigned:{event_id}",
        target=person_target(action.owner_id),
        reply=reply,
        due_at=at,
    )


async def tell_if_given(req: Request, svc: Services, action: Action, *, why: str) -> None:
    """Tell the owner of an action just added by someone else (`why` opens the message)."""
    if action.owner_id == req.actor.id:
        return
    event = (await repo.history(svc.session, action.id))[-1]
    await tell_owner(svc, action=action, event_id=event.id, at=req.now, why=why)


async def members_group(req: Request, svc: Services, *, may: str) -> Group:
    """The group named by `group:`, if the asker is a member (or staff); NotAllowed otherwise,
    saying "Only members of <group> (or staff) can <may>."."""
    group = await directory.group_by_name(svc.session, req.args.opt("group") or "")
    member = await directory.membership(svc.session, group_id=group.id, person_id=req.actor.id)
    require_group_member(
        req.actor,
        membership_role=member.role if member else None,
        message=f"Only members of {group.name} (or staff) can {may}.",
    )
    return group


def action_fields(action: Action) -> list[tuple[str, str]]:
    """Owner, due, group and meeting as (label, value) pairs for an action's card."""
    fields = [("Owner", action.owner.name), ("Due", format_date(action.due_on))]
    if action.group:
        fields.append(("Group", action.group.title))
    if action.meeting_id:
        fields.append(("Meeting", f"#{action.meeting_id}"))
    return fields


async def read_due(req: Request, svc: Services, text: str, *, example: str) -> date:
    """A due date in any form `parse_date` reads; a UserError names the `due` field."""
    try:
        return parse_date(text, now=req.now, tz=svc.tz, terms=await svc.terms())
    except UserError as err:
        raise UserError(err.message, example=example, hint=err.hint, field="due") from None
