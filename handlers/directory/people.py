"""People in chat: who am I, one person's card, finding people, and an admin's changes (add,
edit, deactivate, reactivate). A card shows the Slack and Teams accounts linked to the person,
so someone can see which account the bot knows them by."""

from __future__ import annotations

from bot import forms
from bot.dates import format_date
from bot.errors import UserError
from bot.policy import Facts, Loaded
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from storage import actions as actions_repo
from storage import directory as repo
from storage import privacy

commands = CommandSet("directory", "People, organisations and groups")

ADD_EXAMPLE = 'person add "Jo Bloggs" email:jo@hillside.sch.uk role:head org:"Hillside Primary"'
EDIT_EXAMPLE = 'person edit @jo name:"Jo Bloggs-Smith" org:"Hillside Primary"'
PLATFORMS = (("slack", "Slack"), ("teams", "Teams"))


def organisation_text(org: repo.Organisation | None) -> str | None:
    if org is None:
        return None
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
    return f"{org.name} ({detail})"


def account_text(identity: repo.Identity) -> str:
    """A linked account as a person would recognise it: Slack's member id and workspace;
    Teams' Microsoft Entra (AAD) object id and the display name Teams gave."""
    data = identity.data or {}
    extra = data.get("team_id") if identity.platform == "slack" else data.get("name")
    where = "workspace " + str(extra) if identity.platform == "slack" and extra else extra
    return identity.external_id + (f" ({where})" if where else "")


async def person_card(svc: Services, person: repo.Person) -> list[Section]:
    """The fields both `whoami` and `person` show: email, role, organisation, groups with
    roles, and each platform's linked account (or how it gets linked)."""
    fields = [("Email", person.email), ("Role", person.role)]
    org = organisation_text(person.organisation)
    if org:
        fields.append(("Organisation", org))
    roles = await repo.roles_of(svc.session, person.id)
    fields.append(
        (
            "Groups",
            ", ".join(g.name + ("" if r == "member" else f" ({r})") for g, r in roles) or "none",
        )
    )
    linked = {i.platform: i for i in await repo.identities_of(svc.session, person.id)}
    for platform, label in PLATFORMS:
        found = linked.get(platform)
        fields.append(
            (
                label,
                f"{account_text(found)}, linked {format_date(found.created_at.date())}"
                if found
                else f"not linked yet (it links itself when {person.email} first messages the "
                f"bot in {label})",
            )
        )
    if not person.active:
        fields.append(("Status", "deactivated: gets no reminders and cannot use the bot"))
    return [Section(fields=fields)]


@commands.command(
    "whoami",
    summary="Who the bot thinks you are: role, organisation, groups, linked Slack and Teams",
    usage="whoami",
    examples=["whoami"],
)
async def whoami(req: Request, svc: Services) -> Reply:
    me = req.actor
    reply = Reply(text=f"You are {me.name} (@{me.handle}).")
    for section in await person_card(svc, me):
        reply.add(section)
    return reply


async def load_person(req: Request, svc: Services) -> Loaded:
    """`person @jo`, `person edit @jo ...`: the one person named (deactivated ones too, so an
    admin can see and change them)."""
    example = {
        "person": "person @jo",
        "person edit": EDIT_EXAMPLE,
        "person deactivate": "person deactivate @jo",
        "person reactivate": "person reactivate @jo",
    }[req.command]
    token = req.args.people[0] if len(req.args.people) == 1 else None
    if token is None and req.command == "person" and req.args.words:
        token = " ".join(req.args.words)  # `person Jo Bloggs`
    if token is None:
        raise UserError("Name one person with @.", example=example, field="person")
    person = await repo.resolve_person(svc.session, token, include_inactive=True)
    return Loaded(person, Facts(subject_id=person.id), example=example)


@commands.command(
    "person",
    summary="Someone's directory card: organisation, groups, linked Slack and Teams accounts",
    usage="person @person",
    examples=["person @jo"],
    options=set(),
    loads=load_person,
)
async def person(req: Request, svc: Services) -> Reply:
    p: repo.Person = req.item
    reply = Reply(text=f"{p.name} (@{p.handle}), person #{p.id}.")
    for section in await person_card(svc, p):
        reply.add(section)
    if svc.policy.may_use(req.actor, "person edit"):
        verb = "reactivate" if not p.active else "deactivate"
        reply.add(Actions([Button(verb.title(), f"person {verb} @{p.handle}")]))
    return reply


@commands.command(
    "people",
    summary="Find people by name, organisation or group",
    usage="people <words> [role:head|member|staff|admin] [group:<name>]",
    examples=["people hillside", "people attendance role:head", "people Jo"],
    options={"role", "group"},
)
async def people(req: Request, svc: Services) -> Reply:
    words = " ".join(req.args.words + req.args.people).strip()
    role = (req.args.opt("role") or "").lower() or None
    if role and role not in repo.ROLES:
        raise UserError(
            f"role:{role} is not a directory role: {', '.join(repo.ROLES)}.",
            example="people hillside role:head",
            field="role",
        )
    group = (
        await repo.group_by_name(svc.session, req.args.opt("group") or "")
        if (req.args.opt("group"))
        else None
    )
    if not words and not role and group is None:
        raise UserError(
            "Say whose name, organisation or group to look for.", example="people hillside"
        )
    found = await repo.search_people(
        svc.session, words, role=role, group_id=group.id if group else None
    )
    what = " ".join(
        x for x in (words, f"role:{role}" if role else "", group and f"group:{group.name}") if x
    )
    if not found:
        raise UserError(
            f"No one in the directory matches {what}.",
            hint="Try part of a name, an organisation (hillside) or a group (attendance).",
            example="people hillside",
        )
    rows = [
        [
            p.name,
            f"@{p.handle}",
            p.role,
            p.organisation.name if p.organisation else "",
            ", ".join(g + ("" if r == "member" else f" ({r})") for g, r in hit.groups),
        ]
        for hit in found
        for p in [hit.person]
    ]
    reply = Reply(text=f"{len(found)} {'person' if len(found) == 1 else 'people'} matching {what}.")
    reply.add(Table(columns=["name", "handle", "role", "organisation", "groups"], rows=rows))
    if len(found) == 1:
        reply.add(Actions([Button("Card", f"person @{found[0].person.handle}")]))
    return reply


async def person_now(svc: Services, values: dict[str, str]) -> dict[str, str]:
    """The present details of the person `values` names, to change."""
    if not values.get("person"):
        return {}
    person = await repo.resolve_person(svc.session, values["person"])
    return {
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "org": person.organisation.name if person.organisation else "",
    }


@commands.command(
    "person add",
    summary="Add someone to the directory (admins)",
    usage='person add "Full Name" email:<email> role:admin|staff|member|head [org:"..."] [groups:a,b]',
    examples=[ADD_EXAMPLE],
    options={"email", "role", "org", "groups"},
    writes=True,
    form=FormSpec(
        title="Add or update a person",
        submit="Save",
        intro="An email already in the directory updates that person.",
        fields=(
            Field("name", "Full name", required=True, positional=True, placeholder="Jo Bloggs"),
            Field("email", "Email", required=True, placeholder="jo@hillside.sch.uk"),
            Field("role", "Role", required=True, options=tuple(repo.ROLES), value="member"),
            Field("org", "Organisation", picker=forms.organisations),
            Field(
                "groups", "Groups", placeholder="attendance,board", hint="group names, with commas"
            ),
        ),
    ),
)
async def person_add(req: Request, svc: Services) -> Reply:
    name = req.args.text()
    email = req.args.opt("email") or (req.args.people[0] if req.args.people else None)
    if not name:
        raise UserError("Give the person's name in quotes.", example=ADD_EXAMPLE, field="name")
    email = _checked_email(email, example=ADD_EXAMPLE)
    role = _checked_role(req.args.opt("role") or "member", example=ADD_EXAMPLE)
    org = None
    if req.args.opt("org"):
        org = await repo.organisation_by_name(svc.session, req.args.opt("org") or "")
    groups = [
        await repo.group_by_name(svc.session, g)
        for g in (req.args.opt("groups") or "").split(",")
        if g.strip()
    ]
    existed = await repo.person_by_email(svc.session, email)
    person = await repo.upsert_person(
        svc.session, email=email, name=name, role=role, organisation=org
    )
    for g in groups:
        await repo.set_membership(svc.session, group=g, person=person)
    verb = "Updated" if existed else "Added"
    return Reply(
        text=f"{verb} person #{person.id}: {person.name} <{person.email}>, {role}"
        + (f" at {org.name}" if org else "")
        + ".",
        subject=("person", person.id),
    )


def _checked_email(email: str | None, *, example: str) -> str:
    if not email or "@" not in email or "." not in email.split("@")[-1] or " " in email:
        raise UserError(
            "Give a valid email: email:jo@hillside.sch.uk", example=example, field="email"
        )
    return email.lower()


def _checked_role(role: str, *, example: str) -> str:
    role = role.lower()
    if role not in repo.ROLES:
        raise UserError(
            f"Role must be one of {', '.join(repo.ROLES)}.", example=example, field="role"
        )
    return role


@commands.command(
    "person edit",
    summary="Change someone's name, email, role or organisation (admins)",
    usage='person edit @person [name:"..."] [email:<email>] [role:admin|staff|member|head] '
    '[org:"..."|none]',
    examples=[EDIT_EXAMPLE, "person edit @amy role:head"],
    options={"name", "email", "role", "org"},
    loads=load_person,
    writes=True,
    form=FormSpec(
        title="Change a person",
        submit="Save",
        edit=True,
        fields=(
            forms.WHO,
            Field("name", "Full name"),
            Field("email", "Email"),
            Field("role", "Role", options=tuple(repo.ROLES)),
            Field("org", "Organisation", picker=forms.organisations),
        ),
        current=person_now,
    ),
)
async def person_edit(req: Request, svc: Services) -> Reply:
    p: repo.Person = req.item
    opts = req.args.options
    if not opts:
        raise UserError("Say what to change.", example=EDIT_EXAMPLE)
    # check every value before changing any: nothing half-written is saved
    name = opts.get("name", p.name).strip()
    if not name:
        raise UserError("A name cannot be empty.", example=EDIT_EXAMPLE, field="name")
    email = _checked_email(opts["email"], example=EDIT_EXAMPLE) if "email" in opts else p.email
    if email != p.email:
        other = await repo.person_by_email(svc.session, email)
        if other is not None and other.id != p.id:
            raise UserError(
                f"{email} is already {other.name}'s email (person #{other.id}).",
                example=EDIT_EXAMPLE,
                field="email",
            )
    role = _checked_role(opts["role"], example=EDIT_EXAMPLE) if "role" in opts else p.role
    if p.id == req.actor.id and role != "admin" and p.role == "admin":
        raise UserError(
            "You cannot take away your own admin role; ask another admin.", example=EDIT_EXAMPLE
        )
    org_id = p.organisation_id
    if "org" in opts:
        raw = opts["org"].strip()
        org_id = (
            None
            if raw.lower() in ("", "none", "-")
            else (await repo.organisation_by_name(svc.session, raw)).id
        )
    changed = [
        label
        for label, before, after in (
            ("name", p.name, name),
            ("email", p.email, email),
            ("role", p.role, role),
            ("organisation", p.organisation_id, org_id),
        )
        if before != after
    ]
    if not changed:
        return Reply(text=f"{p.name}: nothing to change.")
    p.name, p.email, p.role, p.organisation_id = name, email, role, org_id
    await svc.session.flush()
    await svc.session.refresh(p, ["organisation"])
    note = (
        " Their Slack and Teams links stay; a new email links any new account."
        if "email" in changed
        else ""
    )
    return Reply(
        text=f"Updated person #{p.id} ({', '.join(changed)}): {p.name} <{p.email}>, {p.role}"
        + (f" at {p.organisation.name}" if p.organisation else "")
        + "."
        + note,
        subject=("person", p.id),
    )


@commands.command(
    "person deactivate",
    summary="Stop someone using the bot and getting reminders; their history stays (admins)",
    usage="person deactivate @person",
    examples=["person deactivate @amy"],
    options=set(),
    loads=load_person,
    writes=True,
    form=FormSpec(
        title="Deactivate a person",
        submit="Deactivate",
        intro="They can no longer sign in or be sent anything; their history stays.",
        fields=(forms.WHO,),
    ),
)
async def person_deactivate(req: Request, svc: Services) -> Reply:
    p: repo.Person = req.item
    if p.id == req.actor.id:
        raise UserError("You cannot deactivate yourself; ask another admin.", example="whoami")
    if not p.active:
        return Reply(text=f"{p.name} is already deactivated; nothing changed.")
    p.active = False
    open_actions = await actions_repo.open_count_owned_by(svc.session, p.id)
    reply = Reply(
        text=f"Deactivated {p.name} (person #{p.id}): no reminders, bulletins or posts, and no "
        "commands. Their actions, replies and memberships are kept.",
        subject=("person", p.id),
    )
    if open_actions:
        reply.add(
            Section(
                text=f"{open_actions} open action{'s' if open_actions > 1 else ''} still "
                f"name{'' if open_actions > 1 else 's'} {p.first_name} as owner: reassign "
                f"{'them' if open_actions > 1 else 'it'} (`actions @{p.handle}`).",
            ),
            Actions([Button("Their actions", f"actions @{p.handle}")]),
        )
    return reply


@commands.command(
    "person reactivate",
    summary="Let a deactivated person use the bot and get reminders again (admins)",
    usage="person reactivate @person",
    examples=["person reactivate @amy"],
    options=set(),
    loads=load_person,
    writes=True,
    form=FormSpec(
        title="Reactivate a person",
        submit="Reactivate",
        fields=(forms.WHO,),
    ),
)
async def person_reactivate(req: Request, svc: Services) -> Reply:
    p: repo.Person = req.item
    if p.active:
        return Reply(text=f"{p.name} is active; nothing changed.")
    if privacy.is_erased(p):
        raise UserError(
            f"Person #{p.id} was erased (UK GDPR); an erased person cannot be reactivated.",
            hint="Add them again with person add.",
            example=ADD_EXAMPLE,
        )
    p.active = True
    return Reply(text=f"Reactivated {p.name} (person #{p.id}).", subject=("person", p.id))
