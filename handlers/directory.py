"""The directory in chat: who am I, which groups exist, a group's members, adding people."""

from __future__ import annotations

from datetime import timedelta

from bot.dates import format_duration, parse_duration
from bot.errors import UserError
from bot.policy import Facts, Loaded
from bot.registry import CommandSet
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from storage import directory as repo

commands = CommandSet("directory", "People, organisations and groups")
register = commands.register


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
    "whoami",
    summary="Who the bot thinks you are: role, organisation, groups",
    usage="whoami",
    examples=["whoami"],
)
async def whoami(req: Request, svc: Services) -> Reply:
    me = req.actor
    groups = await repo.groups_of(svc.session, me.id)
    org = me.organisation
    fields = [("Email", me.email), ("Role", me.role)]
    if org:
        detail = ", ".join(
            x
            for x in (
                org.kind,
                org.phase,
                "subscriber" if org.subscriber else "not a subscriber",
                f"category {org.category}" if org.category else None,
            )
            if x
        )
        fields.append(("Organisation", f"{org.name} ({detail})"))
    fields.append(("Groups", ", ".join(g.name for g in groups) or "none"))
    return Reply(text=f"You are {me.name} (@{me.handle}).").add(Section(fields=fields))


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


@commands.command(
    "group",
    summary="A group's members and settings (chairs and staff can set reminders and channels)",
    usage="group <name> [reminders:7d,1d,day@08:00] [slack:<channel id>] [teams:<channel id>] "
    "[action-due:2w]",
    examples=["group attendance", "group attendance reminders:7d,1d"],
    options={"reminders", "slack", "teams", "action-due"},
    loads=load_group,
    writes=True,
)
async def group(req: Request, svc: Services) -> Reply:
    g: repo.Group = req.item
    changed = []
    if req.args.options:
        if "reminders" in req.args.options:
            g.reminders = parse_reminders(req.args.options["reminders"])
            changed.append(f"reminders: {g.reminders}")
        if "action-due" in req.args.options:
            # how long an action from the group's minutes has when the minutes give no date
            due = parse_duration(req.args.options["action-due"])
            if not timedelta(days=1) <= due <= timedelta(weeks=26):
                raise UserError(
                    "action-due: is how long an action from the minutes has when they give no "
                    "date: between 1d and 26w.",
                    example=f"group {g.name} action-due:2w",
                    field="action-due",
                )
            g.action_due = format_duration(due)
            changed.append(f"actions from minutes with no date: due {g.action_due} after")
        for platform in ("slack", "teams"):
            if platform in req.args.options:
                g.channels = {**(g.channels or {}), platform: req.args.options[platform]}
                changed.append(f"{platform} channel: {req.args.options[platform]}")
    members = await repo.members_of(svc.session, g.id)
    order = {"chair": 0, "officer": 1, "member": 2}
    rows = [
        [m.person.name, m.role, m.person.organisation.name if m.person.organisation else ""]
        for m in sorted(members, key=lambda m: (order.get(m.role, 3), m.person.name))
    ]
    reply = Reply(
        text=f"{g.title} ({g.name})" + (" updated: " + "; ".join(changed) if changed else ""),
        subject=("group", g.id) if changed else None,
    )
    reply.add(
        Section(
            text=g.description or "",
            fields=[
                ("Kind", g.kind),
                ("Reminders", g.reminders),
                ("Actions from minutes with no date", f"due {g.action_due} after the meeting"),
                ("Members", str(len(members))),
            ],
        ),
        Table(columns=["name", "role", "organisation"], rows=rows),
        Actions(
            [
                Button("Meetings", f"meetings group:{g.name}"),
                Button("Actions", f"actions group:{g.name}"),
            ]
        ),
    )
    return reply


@commands.command(
    "person add",
    summary="Add someone to the directory (admins)",
    usage='person add "Full Name" email:<email> role:admin|staff|member|head [org:"..."] [groups:a,b]',
    examples=['person add "Jo Bloggs" email:jo@hillside.sch.uk role:head org:"Hillside Primary"'],
    options={"email", "role", "org", "groups"},
    writes=True,
)
async def person_add(req: Request, svc: Services) -> Reply:
    example = 'person add "Jo Bloggs" email:jo@hillside.sch.uk role:head org:"Hillside Primary"'
    name = req.args.text()
    email = req.args.opt("email") or (req.args.people[0] if req.args.people else None)
    if not name:
        raise UserError("Give the person's name in quotes.", example=example, field="name")
    if not email or "@" not in email or "." not in email.split("@")[-1]:
        raise UserError(
            "Give a valid email: email:jo@hillside.sch.uk", example=example, field="email"
        )
    role = (req.args.opt("role") or "member").lower()
    if role not in repo.ROLES:
        raise UserError(
            f"Role must be one of {', '.join(repo.ROLES)}.", example=example, field="role"
        )
    org = None
    if req.args.opt("org"):
        org = await repo.organisation_by_name(svc.session, req.args.opt("org") or "")
    existed = await repo.person_by_email(svc.session, email)
    person = await repo.upsert_person(
        svc.session, email=email, name=name, role=role, organisation=org
    )
    for gname in [g for g in (req.args.opt("groups") or "").split(",") if g.strip()]:
        g = await repo.group_by_name(svc.session, gname)
        await repo.set_membership(svc.session, group=g, person=person)
    verb = "Updated" if existed else "Added"
    return Reply(
        text=f"{verb} person #{person.id}: {person.name} <{person.email}>, {role}"
        + (f" at {org.name}" if org else "")
        + ".",
        subject=("person", person.id),
    )
