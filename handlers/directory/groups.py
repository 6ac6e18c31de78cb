"""Groups in chat: which exist, one group's members and settings (kind, end date, reminders,
channels), and adding or removing a member (admins, and a group's own chair)."""

from __future__ import annotations

from datetime import timedelta

from bot import forms
from bot.dates import format_date, format_duration, parse_date, parse_duration, to_local
from bot.errors import UserError, about
from bot.policy import Facts, Loaded
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from storage import directory as repo
from storage import group_kinds

commands = CommandSet("directory", "People, organisations and groups")


def parse_reminders(value: str) -> str:
    """`7d,1d,day@08:00` -> validated canonical form (durations before, or a time on the day)."""
    parts = []
    for item in [p.strip() for p in value.split(",") if p.strip()]:
        if item.startswith("day@"):
            from bot.dates import parse_time

            t = parse_time(item[4:])
            parts.append(f"day@{t:%H:%M}")
        else:
            parts.append(format_duration(parse_duration(item)))
    if not parts:
        raise UserError(
            "Give at least one reminder offset.", example="group attendance reminders:7d,1d"
        )
    return ",".join(parts)


@commands.command(
    "groups",
    summary="The board, sub-groups and working groups",
    usage="groups",
    examples=["groups"],
)
async def groups(req: Request, svc: Services) -> Reply:
    mine = {g.id for g in await repo.groups_of(svc.session, req.actor.id)}
    counts = await repo.member_counts(svc.session)
    rows = [
        [g.name, g.title, g.kind, str(counts.get(g.id, 0)), "yes" if g.id in mine else ""]
        for g in await repo.all_groups(svc.session)
    ]
    return Reply(text="Partnership groups").add(
        Table(columns=["name", "title", "kind", "members", "you"], rows=rows)
    )


async def group_now(svc: Services, values: dict[str, str]) -> dict[str, str]:
    """A group's present settings, to change."""
    if not values.get("group"):
        return {}
    g = await repo.group_by_name(svc.session, values["group"])
    channels = g.channels or {}
    found = {
        "title": g.title or "",
        "kind": g.kind or "",
        "reminders": g.reminders or "",
        "action-due": g.action_due or "",
        **{k: v for k, v in channels.items() if v},
    }
    if g.ends_on is not None:
        found["ends"] = g.ends_on.isoformat()
    return {k: v for k, v in found.items() if v}


async def load_group(req: Request, svc: Services) -> Loaded:
    """`group <name>`: the group; the asker's role in it matters only for changing settings."""
    if not req.args.words:
        raise UserError("Which group?", example="group attendance")
    g = await repo.group_by_name(svc.session, " ".join(req.args.words))
    if not req.args.options:
        return Loaded(g, None)  # reading a group is open to everyone
    mine = await repo.membership(svc.session, group_id=g.id, person_id=req.actor.id)
    return Loaded(
        g,
        Facts(group_role=mine.role if mine else None),
        refusal=f"Only the chair, an officer or Learn Sheffield staff can change {g.name}'s "
        "settings.",
    )


GROUP_EXAMPLE = 'group transition kind:"task-and-finish group" ends:31/07/2024'


@commands.command(
    "group",
    summary="A group's members and settings (chairs and staff can set its kind, end date, "
    "reminders and channels)",
    usage='group <name> [kind:board|sub-group|"working group"|"task-and-finish group"|channel] '
    '[ends:<date>|none] [title:"..."] [reminders:7d,1d,day@08:00] [slack:<channel id>] '
    "[teams:<channel id>] [action-due:2w]",
    examples=["group attendance", "group attendance reminders:7d,1d", GROUP_EXAMPLE],
    options={"reminders", "slack", "teams", "kind", "ends", "title", "action-due"},
    loads=load_group,
    writes=True,
    form=FormSpec(
        title="Group settings",
        submit="Save settings",
        fields=(
            forms.GROUP,
            Field("title", "Title"),
            Field("kind", "Kind", options=group_kinds.GROUP_KINDS),
            Field("ends", "Ends (task-and-finish groups)", kind="date"),
            Field(
                "reminders",
                "Meeting reminders",
                placeholder="7d,1d,day@08:00",
                hint="before each meeting, with commas: 7d, 1d, 2h, or day@08:00 on the day",
            ),
            Field("slack", "Slack channel id", placeholder="C0123456789"),
            Field("teams", "Teams channel", placeholder="here (type it in the channel)"),
            Field(
                "action-due",
                "Actions from minutes with no date are due after",
                placeholder="2w",
                hint="a length: 10d, 2w, 3w",
            ),
        ),
        current=group_now,
    ),
)
async def group(req: Request, svc: Services) -> Reply:
    g: repo.Group = req.item
    changed = await _change_settings(req, svc, g)
    members = await repo.members_of(svc.session, g.id)
    rows = [
        [
            m.person.name + ("" if m.person.active else " (deactivated)"),
            m.role,
            m.person.organisation.name if m.person.organisation else "",
        ]
        for m in sorted(
            members,
            key=lambda m: (
                not m.person.active,
                group_kinds.ROLE_ORDER.get(m.role, 9),
                m.person.name,
            ),
        )
    ]
    fields = [("Kind", g.kind)]
    if g.ends_on is not None:
        today = to_local(req.now, svc.tz).date()
        word = "Runs until" if g.running_on(today) else "Ended"
        fields.append((word, format_date(g.ends_on)))
    active = sum(m.person.active for m in members)
    fields += [
        ("Reminders", g.reminders),
        ("Actions from minutes with no date", f"due {g.action_due} after the meeting"),
        ("Members", str(active)),
    ]
    reply = Reply(
        text=f"{g.title} ({g.name})" + (" updated: " + "; ".join(changed) if changed else ""),
        subject=("group", g.id) if changed else None,
    )
    buttons = [
        Button("Meetings", f"meetings group:{g.name}"),
        Button("Actions", f"actions group:{g.name}"),
    ]
    mine = next((m for m in members if m.person_id == req.actor.id), None)
    if svc.policy.allows(req.actor, "group", Facts(group_role=mine.role if mine else None)):
        buttons.append(Button("Settings", f"form group {g.name}"))  # chairs, officers, staff
    reply.add(
        Section(text=g.description or "", fields=fields),
        Table(columns=["name", "role", "organisation"], rows=rows),
        Actions(buttons),
    )
    return reply


async def _change_settings(req: Request, svc: Services, g: repo.Group) -> list[str]:
    """Apply `group <name> key:value ...` (every value checked before any is set); returns
    what changed, in words."""
    opts = req.args.options
    kind = group_kinds.normalise_group_kind(opts["kind"]) if "kind" in opts else g.kind
    ends_on = g.ends_on
    if "ends" in opts:
        raw = opts["ends"].strip()
        ends_on = None
        if raw.lower() not in ("none", "never", "-", ""):
            try:
                with about("ends"):
                    ends_on = parse_date(raw, now=req.now, tz=svc.tz, terms=await svc.terms())
            except UserError as err:
                raise UserError(err.message, example=GROUP_EXAMPLE, field="ends") from None
    if ends_on is not None and kind not in group_kinds.ENDING_KINDS:
        raise UserError(
            f"Only a task-and-finish group has an end date; {g.name} is a {kind}.",
            hint="Set both at once if it is one now.",
            example=GROUP_EXAMPLE,
        )
    if kind in group_kinds.ENDING_KINDS and ends_on is None and "kind" in opts:
        raise UserError(
            "A task-and-finish group needs its end date (ends:), after which its reminders stop.",
            example=GROUP_EXAMPLE,
        )
    with about("reminders"):
        reminders = parse_reminders(opts["reminders"]) if "reminders" in opts else None
    action_due = None
    if "action-due" in opts:
        # how long an action from the group's minutes has when the minutes give no date
        with about("action-due"):
            due = parse_duration(opts["action-due"])
        if not timedelta(days=1) <= due <= timedelta(weeks=26):
            raise UserError(
                "action-due: is how long an action from the minutes has when they give no "
                "date: between 1d and 26w.",
                example=f"group {g.name} action-due:2w",
                field="action-due",
            )
        action_due = format_duration(due)
    title = opts.get("title", "").strip()
    if "title" in opts and not title:
        raise UserError("Give the group's title in quotes.", example='group design title:"..."')
    changed = []
    if kind != g.kind:
        g.kind = kind
        changed.append(f"kind: {kind}")
    if ends_on != g.ends_on:
        g.ends_on = ends_on
        changed.append(f"ends: {format_date(ends_on)}" if ends_on else "no end date")
    if reminders is not None:
        g.reminders = reminders
        changed.append(f"reminders: {reminders}")
    if action_due is not None:
        g.action_due = action_due
        changed.append(f"actions from minutes with no date: due {action_due} after")
    if title:
        g.title = title[:200]
        changed.append(f"title: {g.title}")
    for platform in ("slack", "teams"):
        if platform in opts:
            g.channels = {**(g.channels or {}), platform: opts[platform]}
            changed.append(f"{platform} channel: {opts[platform]}")
    return changed


MEMBER_EXAMPLE = "group add attendance @jo role:member"


async def load_membership_change(req: Request, svc: Services) -> Loaded:
    """`group add|remove <group> @person`: the group and the person; the asker's own role in
    the group decides (its chair may; admins may change any group)."""
    verb = req.command.split()[-1]
    example = MEMBER_EXAMPLE if verb == "add" else "group remove attendance @jo"
    if not req.args.words:
        raise UserError("Which group?", example=example)
    if len(req.args.people) != 1:
        raise UserError("Name one person with @.", example=example)
    g = await repo.group_by_name(svc.session, " ".join(req.args.words))
    person = await repo.resolve_person(
        svc.session, req.args.people[0], include_inactive=verb == "remove"
    )
    mine = await repo.membership(svc.session, group_id=g.id, person_id=req.actor.id)
    return Loaded(
        (g, person),
        Facts(group_role=mine.role if mine else None, subject_id=person.id),
        refusal=f"Only {g.name}'s chair or a partnership admin can change who is on it.",
        example=example,
    )


@commands.command(
    "group add",
    summary="Put someone on a group, or change their role in it (admins; a group's chair)",
    usage="group add <group> @person [role:chair|vice-chair|officer|member|co-opted]",
    examples=[MEMBER_EXAMPLE, "group add board @lucy role:co-opted"],
    options={"role"},
    loads=load_membership_change,
    writes=True,
    form=FormSpec(
        title="Put someone on a group",
        submit="Save",
        fields=(
            forms.GROUP,
            forms.WHO,
            Field("role", "Role in the group", options=group_kinds.MEMBERSHIP_ROLES),
        ),
    ),
)
async def group_add(req: Request, svc: Services) -> Reply:
    g, person = req.item
    role = group_kinds.normalise_membership_role(req.args.opt("role") or "", example=MEMBER_EXAMPLE)
    was = await repo.membership(svc.session, group_id=g.id, person_id=person.id)
    if was is not None and was.role == role:
        return Reply(text=f"{person.name} is already on {g.name} as {role}; nothing changed.")
    before = was.role if was is not None else None
    await repo.set_membership(svc.session, group=g, person=person, role=role)
    text = (
        f"{person.name} is now {_a(role)} of {g.name} (was {before})."
        if before
        else f"Added {person.name} to {g.name} as {role}."
    )
    return Reply(text=text, subject=("group", g.id))


@commands.command(
    "group remove",
    summary="Take someone off a group (admins; a group's chair); their history stays",
    usage="group remove <group> @person",
    examples=["group remove attendance @jo"],
    options=set(),
    loads=load_membership_change,
    writes=True,
    form=FormSpec(
        title="Take someone off a group",
        submit="Take them off",
        intro="Their actions and past replies stay; they get no more of its reminders.",
        fields=(
            forms.GROUP,
            forms.WHO,
        ),
    ),
)
async def group_remove(req: Request, svc: Services) -> Reply:
    g, person = req.item
    if not await repo.remove_membership(svc.session, group=g, person=person):
        raise UserError(
            f"{person.name} is not on {g.name}.", example=f"group {g.name}", field="person"
        )
    return Reply(
        text=f"Removed {person.name} from {g.name}. Their actions and past replies stay; "
        "they get no more of its reminders.",
        subject=("group", g.id),
    )


def _a(role: str) -> str:
    return ("an " if role[0] in "aeiou" else "a ") + role
