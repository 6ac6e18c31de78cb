"""Reading actions: one with its history, yours (overdue first), a group's, everything
overdue, and a group's as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement

from bot.dates import format_date, format_when, parse_period
from bot.errors import UserError
from bot.policy import Loaded
from bot.reply import Actions, Button, File, Reply, Section, Table
from bot.services import Request, Services
from handlers.actions.kernel import (
    action_fields,
    action_table,
    command_set,
    members_group,
    nudge_buttons,
    readable_action,
    status_label,
    today_in,
)
from storage import actions as repo
from storage import directory
from storage.actions import Action
from storage.directory import Group

commands = command_set()

VERBS = ("add", "done", "snooze", "reassign", "note", "drop", "reopen", "due")


async def load_action(req: Request, svc: Services) -> Loaded:
    """`action <id>`: the action, if the asker may read it (`action frob` names the verbs)."""
    first = req.args.words[0].lower() if req.args.words else ""
    if first and not first.lstrip("#").isdigit():
        raise UserError(
            f"I don't know `action {first[:30]}`. action commands: "
            + ", ".join(f"action {v}" for v in VERBS)
            + ", action <id>.",
            example="action done 7",
        )
    return await readable_action(req, svc, req.args.int_at(0, what="action", example="action 7"))


@commands.command(
    "action",
    summary="One action with its history and notes",
    usage="action <id>",
    examples=["action 7"],
    options=(),
    loads=load_action,
)
async def action_show(req: Request, svc: Services) -> Reply:
    action: Action = req.item
    today = today_in(req, svc)
    reply = Reply(text=f"Action #{action.id}: {status_label(action, today)}.")
    reply.add(Section(text=action.text, fields=action_fields(action)))
    events = await repo.history(svc.session, action.id)
    reply.add(
        Table(
            title="History",
            columns=["when", "who", "what"],
            rows=[
                [_when(e.at, svc), e.actor.name if e.actor else "the bot", _describe(e)]
                for e in events
            ],
        )
    )
    if svc.policy.allows(req.actor, "action done", req.facts):  # the buttons it could use
        if action.status == "open":
            buttons = nudge_buttons(action.id).buttons
            buttons.append(Button("Drop", f"action drop {action.id}", style="danger"))
        else:
            buttons = [Button("Reopen", f"action reopen {action.id}")]
        reply.add(Actions(buttons))
    return reply


def _when(at: datetime, svc: Services) -> str:
    return format_when(at, svc.tz)  # "Tue 5 Dec 2023, 10:00", the partnership's local time


def _describe(event: repo.ActionEvent) -> str:
    words = {
        "created": "added it",
        "done": "marked it done",
        "snoozed": "snoozed it",
        "reassigned": "reassigned it",
        "note": "note",
        "dropped": "dropped it",
        "reopened": "reopened it",
        "due": "moved the due date",
    }
    label = words.get(event.kind, event.kind)
    return f"{label}: {event.detail}" if event.detail else label


@commands.command(
    "actions",
    summary="Your open actions (overdue first), a group's or a person's; a group's as CSV; "
    "by:<day or period> keeps those due by then (overdue included)",
    usage="actions [group:<group>] [@person] [by:<day|period>] [all] [export]",
    examples=[
        "actions",
        "actions group:attendance",
        'actions by:"this week"',
        "actions group:attendance export",
    ],
    options={"group", "by"},
    loads=members_group("see its actions"),
)
async def actions_list(req: Request, svc: Services) -> Reply:
    words = {w.lower() for w in req.args.words}
    unknown = words - {"all", "export", "mine"}
    if unknown:
        raise UserError(
            f"I don't know `actions {sorted(unknown)[0]}`.",
            hint="Try `actions`, `actions overdue`, `actions group:<group>` or add `export`.",
            example="actions group:attendance export",
        )
    today = today_in(req, svc)
    statuses = repo.STATUSES if words & {"all", "export"} else ("open",)
    due_by = await _due_by(req, svc)
    due_before = due_by + timedelta(days=1) if due_by else None
    group: Group | None = req.item
    if group is not None:
        found = await repo.find_actions(
            svc.session, group_id=group.id, statuses=statuses, due_before=due_before
        )
        if "export" in words:
            return Reply(text=f"{len(found)} actions for {group.title}.").add(
                File(name=f"actions-{group.name}-{today:%Y-%m-%d}.csv", content=export_csv(found))
            )
        title = f"Actions for {group.title}"
        buttons = [Button("Export CSV", f"actions group:{group.name} export")]
    else:
        if "export" in words:
            raise UserError(
                "Export works for one group.", example="actions group:attendance export"
            )
        owner = req.actor
        if req.args.people:
            owner = await directory.resolve_person(
                svc.session, req.args.people[0], include_inactive=True
            )
        found = await repo.find_actions(
            svc.session,
            owner_id=owner.id,
            statuses=statuses,
            where=readable(req, svc),
            due_before=due_before,
        )
        title = (
            "Your actions" if owner.id == req.actor.id else f"{owner.name}'s actions you can see"
        )
        buttons = [Button("Overdue in my groups", "actions overdue")]
    if due_by is not None:
        title += f" due by {format_date(due_by)}"
    found.sort(key=lambda a: (not a.is_overdue(today), a.due_on, a.id))
    if not found:
        return Reply(text=f"{title}: nothing open.").add(
            Actions([Button("Add an action", "action add")])
        )
    overdue = sum(a.is_overdue(today) for a in found)
    summary = f"{title}: {len(found)}" + (f", {overdue} overdue." if overdue else ".")
    return Reply(text=summary).add(action_table(found, today), Actions(buttons))


async def _due_by(req: Request, svc: Services) -> date | None:
    """The last due date `by:` allows (`by:friday`, `by:"this week"`: its last day), or None."""
    value = req.args.opt("by")
    if value is None:
        return None
    _first, last, _label = parse_period(
        value, now=req.now, tz=svc.tz, terms=await svc.terms(), example='actions by:"this week"'
    )
    return last


@commands.command(
    "actions overdue",
    summary="Overdue actions in your groups (staff: everywhere)",
    usage="actions overdue [group:<group>]",
    examples=["actions overdue", "actions overdue group:attendance"],
    options={"group"},
)
async def actions_overdue(req: Request, svc: Services) -> Reply:
    today = today_in(req, svc)
    group_id = None
    if req.args.opt("group"):
        group = await directory.group_by_name(svc.session, req.args.opt("group") or "")
        group_id = group.id
    found = await repo.find_actions(
        svc.session, group_id=group_id, due_before=today, where=readable(req, svc)
    )
    if not found:
        return Reply(text="No overdue actions.")
    return Reply(text=f"{len(found)} overdue action{'s' if len(found) != 1 else ''}.").add(
        action_table(found, today)
    )


def readable(req: Request, svc: Services) -> ColumnElement[bool]:
    """The actions the asker may read, as a SQL condition: the table's `action` rule, the same
    relation `action <id>` is checked by."""
    return svc.policy.where(req.actor, "action", repo.fact_columns(req.actor.id))


# --- export ---------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Stop a spreadsheet reading a cell as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def export_csv(actions: list[Action]) -> str:
    """The group's actions as CSV, for pasting into minutes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["id", "action", "owner", "email", "group", "meeting", "due", "status", "closed"]
    )
    for a in actions:
        row = [
            str(a.id),
            a.text,
            a.owner.name,
            a.owner.email,
            a.group.name if a.group else "",
            str(a.meeting_id or ""),
            a.due_on.isoformat(),
            a.status,
            a.closed_at.date().isoformat() if a.closed_at else "",
        ]
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
