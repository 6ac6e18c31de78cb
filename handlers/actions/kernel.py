"""The actions domain's shared rules: how an action reads, who may see or change it, and
telling a new owner. Imports none of its siblings; every command module imports it.

Who may read or change an action is bot/policy.py's table ("action" and each change command);
this module only loads an action with the facts the table asks about (`changeable`), and the
router decides. Nudges and the chairs' weekly digest are planned in scheduled/actions.py.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.dates import format_date, parse_date
from bot.errors import NotFound, UserError
from bot.policy import Facts, Loaded
from bot.registry import CommandSet, Field, Loader, Picker
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from handlers.terms import deadline_note
from storage import actions as repo
from storage import directory
from storage.actions import Action, status_label
from storage.directory import Person
from storage.outbox import enqueue, person_target
from storage.system import term_calendar

MAX_PICKED = 60  # actions offered in a form's picker


def command_set() -> CommandSet:
    """A command module's share of the `actions` help topic."""
    return CommandSet("actions", "Actions: owners, due dates, nudges")


def today_in(req: Request, svc: Services) -> date:
    """The partnership's calendar date at the moment of the request."""
    return req.now.astimezone(svc.tz).date()


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


async def readable_action(req: Request, svc: Services, action_id: int) -> Loaded:
    """The action and the asker's facts about it (their group role looked up once), if the
    table's `action` rule lets them read it; otherwise NotFound: it does not exist for them."""
    action = await svc.session.get(Action, action_id)
    facts = None
    if action is not None:
        role = await group_role(svc, action=action, person_id=req.actor.id)
        facts = Facts(owner_id=action.owner_id, created_by_id=action.created_by_id, group_role=role)
    if action is None or not svc.policy.allows(req.actor, "action", facts):
        raise NotFound(
            f"There is no action #{action_id} that you can see.",
            hint="Type `actions` for yours, or `actions group:<group>` for a group's.",
            example="actions group:attendance",
        )
    return Loaded(
        action,
        facts,
        refusal=f"Only the owner of action #{action.id}, the group's chair or Learn Sheffield "
        "staff can change it.",
        hint=f"You can still read it: action {action.id}",
    )


def changeable(example: str) -> Loader:
    """The loader of a command that changes the action its first word names: the action (hidden
    unless readable) and the facts the command's rule is asked of by the router."""

    async def load(req: Request, svc: Services) -> Loaded:
        return await readable_action(req, svc, req.args.int_at(0, what="action", example=example))

    return load


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


def _choice(action: Action) -> tuple[str, str]:
    text = action.text if len(action.text) <= 50 else action.text[:49] + "…"
    return str(
        action.id
    ), f"#{action.id} {text} ({action.owner.name}, due {format_date(action.due_on)})"


async def open_action_choices(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """The action picker: open actions the actor owns, or staff any, soonest due first."""
    found = await repo.find_actions(svc.session, owner_id=None if actor.is_staff else actor.id)
    return [_choice(a) for a in found[:MAX_PICKED]]


async def closed_action_choices(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """Done or dropped actions the actor owns (staff: any), to reopen."""
    found = await repo.find_actions(
        svc.session,
        owner_id=None if actor.is_staff else actor.id,
        statuses=("done", "dropped"),
    )
    return [_choice(a) for a in found[-MAX_PICKED:]]


def action_field(picker: Picker = open_action_choices) -> Field:
    """The action a command acts on: carried when typed, else picked."""
    return Field("action", "Action", required=True, positional=True, id=True, picker=picker)


def members_group(may: str) -> Loader:
    """The loader of a command whose `group:` names the group it acts for: the group (None
    when not given: then no relation is asked) and the asker's role in it; refused with
    "Only members of <group> (or staff) can <may>."."""

    async def load(req: Request, svc: Services) -> Loaded:
        if not req.args.opt("group"):
            return Loaded(None, None)
        group = await directory.group_by_name(svc.session, req.args.opt("group") or "")
        member = await directory.membership(svc.session, group_id=group.id, person_id=req.actor.id)
        return Loaded(
            group,
            Facts(group_role=member.role if member else None),
            refusal=f"Only members of {group.name} (or staff) can {may}.",
        )

    return load


def action_fields(action: Action) -> list[tuple[str, str]]:
    """Owner, due, group and meeting as (label, value) pairs for an action's card."""
    fields = [("Owner", action.owner.name), ("Due", format_date(action.due_on))]
    if action.group:
        fields.append(("Group", action.group.title))
    if action.meeting_id:
        fields.append(("Meeting", f"#{action.meeting_id}"))
    return fields


async def due_note(svc: Services, owner: Person, due: date) -> str:
    """A warning when an action falls due on a day the owner's school is closed (a weekend, a
    bank holiday, its holidays or INSET day); the date is kept all the same."""
    cal = await term_calendar(
        svc.session, svc.settings.partnership_calendar, organisation_id=owner.organisation_id
    )
    return deadline_note(cal, due, then="It is due then all the same; nudges go on school days.")


async def read_due(req: Request, svc: Services, text: str, *, example: str) -> date:
    """A due date in any form `parse_date` reads; a UserError names the `due` field."""
    try:
        return parse_date(text, now=req.now, tz=svc.tz, terms=await svc.terms())
    except UserError as err:
        raise UserError(err.message, example=example, hint=err.hint, field="due") from None
