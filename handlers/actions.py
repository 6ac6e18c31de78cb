"""Actions: who agreed to do what, by when; done, snooze, reassign, notes, lists and export.

Owners, the group's chairs and staff may change an action (bot/policy.py); members of the
group may read it. Nudges and the chairs' weekly digest are planned in scheduled/actions.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.dates import format_date, parse_date
from bot.errors import NotFound, UserError
from bot.policy import (
    may_change_action,
    may_read_action,
    require_change_action,
    require_group_member,
)
from bot.registry import CommandSet, Registry
from bot.reply import Actions, Button, Element, Form, FormField, Reply, Section, Table
from bot.services import Request, Services
from storage import actions as repo
from storage import directory
from storage.actions import Action
from storage.meetings import get_meeting
from storage.outbox import enqueue, person_target

commands = CommandSet("actions", "Actions: owners, due dates, nudges")


def register(registry: Registry) -> None:
    """Adding and reading here; lists and changes live in their own modules."""
    from handlers import actions_changes, actions_lists

    commands.register(registry)
    actions_lists.commands.register(registry)
    actions_changes.commands.register(registry)


ADD_EXAMPLE = 'action add "Circulate PA figures to heads" owner:@jo due:12/01/2024 group:attendance'
MAX_TEXT = 1000
VERBS = ("add", "done", "snooze", "reassign", "note", "drop", "reopen", "due")


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
        Section(text=action.text, fields=_fields(action)),
        Actions([Button("See it", f"action {action.id}"), Button("My actions", "actions")]),
    )
    await enqueue(
        svc.session,
        key=f"action:{action.id}:assigned:{event_id}",
        target=person_target(action.owner_id),
        reply=reply,
        due_at=at,
    )


def _fields(action: Action) -> list[tuple[str, str]]:
    fields = [("Owner", action.owner.name), ("Due", format_date(action.due_on))]
    if action.group:
        fields.append(("Group", action.group.title))
    if action.meeting_id:
        fields.append(("Meeting", f"#{action.meeting_id}"))
    return fields


async def read_due(req: Request, svc: Services, text: str, *, example: str) -> date:
    try:
        return parse_date(text, now=req.now, tz=svc.tz, terms=await svc.terms())
    except UserError as err:
        raise UserError(err.message, example=example, hint=err.hint, field="due") from None


def add_form(groups: list[str]) -> Form:
    return Form(
        title="Add an action",
        command="action add",
        fields=[
            FormField("text", "What needs doing", required=True, positional=True),
            FormField("owner", "Owner (@handle or email)", placeholder="@jo"),
            FormField("due", "Due", kind="date", required=True),
            FormField("group", "Group", kind="select", options=groups),
        ],
        submit_label="Add action",
    )


@commands.command(
    "action add",
    summary="Record an action: what, who owns it, when it is due, for which group",
    usage='action add "<what>" owner:@person due:<date> [group:<group>] [meeting:<id>]',
    examples=[ADD_EXAMPLE],
    options={"owner", "due", "group", "meeting"},
    writes=True,
)
async def action_add(req: Request, svc: Services) -> Reply:
    text = req.args.text()
    if not text and not req.args.options:
        mine = [g.name for g in await directory.groups_of(svc.session, req.actor.id)]
        return Reply(text="Add an action (or type it).").add(add_form(mine))
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
    group = None
    if req.args.opt("group"):
        group = await directory.group_by_name(svc.session, req.args.opt("group") or "")
        member = await directory.membership(svc.session, group_id=group.id, person_id=req.actor.id)
        require_group_member(
            req.actor,
            membership_role=member.role if member else None,
            message=f"Only members of {group.name} (or staff) can add its actions.",
        )
    elif owner.id != req.actor.id and not req.actor.is_staff:
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
    if owner.id != req.actor.id:
        event = (await repo.history(svc.session, action.id))[-1]
        await tell_owner(
            svc,
            action=action,
            event_id=event.id,
            at=req.now,
            why=f"{req.actor.name} gave you an action.",
        )
    today = today_in(req, svc)
    where = f" ({group.name})" if group else ""
    text_out = f"Added action #{action.id} for {owner.name}, due {format_date(due)}{where}."
    if due < today:
        text_out += " That date has passed, so it is already overdue."
    return Reply(text=text_out).add(
        Section(text=action.text, fields=_fields(action)),
        Actions([Button("See it", f"action {action.id}"), Button("My actions", "actions")]),
    )


@commands.command(
    "action",
    summary="One action with its history and notes",
    usage="action <id>",
    examples=["action 7"],
    options=(),
)
async def action_show(req: Request, svc: Services) -> Reply:
    first = req.args.words[0].lower() if req.args.words else ""
    if first and not first.lstrip("#").isdigit():
        raise UserError(
            f"I don't know `action {first[:30]}`. action commands: "
            + ", ".join(f"action {v}" for v in VERBS)
            + ", action <id>.",
            example="action done 7",
        )
    action = await readable_action(req, svc, req.args.int_at(0, what="action", example="action 7"))
    today = today_in(req, svc)
    reply = Reply(text=f"Action #{action.id}: {status_label(action, today)}.")
    reply.add(Section(text=action.text, fields=_fields(action)))
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
    role = await group_role(svc, action=action, person_id=req.actor.id)
    if may_change_action(req.actor, owner_id=action.owner_id, group_role=role):
        if action.status == "open":
            buttons = nudge_buttons(action.id).buttons
            buttons.append(Button("Drop", f"action drop {action.id}", style="danger"))
        else:
            buttons = [Button("Reopen", f"action reopen {action.id}")]
        reply.add(Actions(buttons))
    return reply


def _when(at: datetime, svc: Services) -> str:
    local = at.astimezone(svc.tz)
    return f"{local.day} {local:%b %Y %H:%M}"


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


# --- minutes and demo -------------------------------------------------------------------


async def capture_from_minutes(
    req: Request, svc: Services, *, meeting_id: int, group_id: int, text: str
) -> list[Element]:
    """Turn `ACTION: @jo circulate PA figures by 12/01/2024` lines into actions.

    Called by the meetings domain's `minutes <id> "..."`; returns elements listing what was
    captured and every ACTION line that could not be read, with why.
    """
    from handlers.actions_minutes import capture

    return await capture(req, svc, meeting_id=meeting_id, group_id=group_id, text=text)


def demo_commands(now: datetime) -> list[tuple[str, str]]:
    """A few actions around today so `actions` has something to show."""

    def uk(days: int) -> str:
        return f"{(now + timedelta(days=days)):%d/%m/%Y}"

    dan, jo, stella = "dan@sheffield.gov.uk", "jo@hillside.sch.uk", "stella@learnsheffield.co.uk"
    return [
        (dan, f'action add "Circulate PA figures to heads" owner:@jo due:{uk(1)} group:attendance'),
        (
            dan,
            f'action add "Core cities comparison for the board" owner:@sam due:{uk(9)} group:attendance',
        ),
        (
            dan,
            f'action add "Share attendance letter template" owner:@priya due:{uk(-3)} group:attendance',
        ),
        (
            jo,
            f'action add "Bring primary heads\' view back to the working group" due:{uk(14)} group:design',
        ),
        (
            stella,
            f'action add "Share a draft consultation ahead of the next meeting" owner:@stella due:{uk(6)} group:design',
        ),
        (
            "grace@donvalley.sch.uk",
            f'action add "Map alternative provision places" owner:@fiona due:{uk(20)} group:inclusion',
        ),
        (
            dan,
            f'action add "Check DfE attendance return dates" owner:@jo due:{uk(-1)} group:attendance',
        ),
        (
            dan,
            f'action add "Invite health colleagues to the next meeting" owner:@dan due:{uk(5)} group:attendance',
        ),
    ]
