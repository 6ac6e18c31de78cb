"""The policy table is the single source of who may do what; every command is in it.

The matrix runs every registered command through the real router as each role (admin, staff,
member, head) in each relation to the item (chair of its group / own organisation / oneself;
plain member; unrelated) and checks the outcome against `bot.policy.POLICY`. A handler that
forgets its relation check, or a table entry that says otherwise, fails here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime

from sqlalchemy import update

from bot import policy
from bot.errors import NotAllowed, NotFound, UserError
from bot.policy import ADMIN, ANY, EVERYONE, POLICY, Facts, Policy, Rule
from bot.router import Router, build_registry
from storage.directory import Organisation, Person, person_by_email, set_membership, upsert_group

REGISTRY = build_registry()
ACTORS = {
    "admin": "alex@learnsheffield.co.uk",
    "staff": "sam@learnsheffield.co.uk",
    "member": "amy@hillside.sch.uk",
    "head": "omar@meadowbank.sch.uk",
}
STATES = ("chair", "member", "none")  # how the asker stands to the item
GROUPS = {"chair": "ours", "member": "mine", "none": "theirs"}

# Text for each command with a relation, filled per state. Commands whose relation is "any"
# run their first documented example.
PROBES = {
    "group": "group {group} reminders:7d,1d",
    "group add": "group add {group} @kate role:co-opted",
    "group remove": "group remove {group} @dan",
    "meeting add": 'meeting add "Probe" group:{group} on:"14/12/2023 10:00"',
    "meeting move": 'meeting move {meeting} on:"14/12/2023 11:00"',
    "meeting cancel": 'meeting cancel {meeting} "Probe"',
    "rsvp": "rsvp {meeting} yes",
    "apologies": 'apologies {meeting} "Ofsted visit"',
    "agenda": 'agenda {meeting} add "Probe item"',
    "papers": "papers {meeting} add https://example.org/paper.pdf",
    "minutes": 'minutes {meeting} "Probe minutes"',
    "meeting record": "meeting record {meeting} present:@dan",
    "action add": 'action add "Probe" owner:@dan due:12/01/2024 group:{group}',
    "action": "action {action}",
    "actions": "actions group:{group}",
    "action done": "action done {action}",
    "action snooze": "action snooze {action} 1w",
    "action reassign": "action reassign {action} @dan",
    "action note": 'action note {action} "Probe note"',
    "action drop": 'action drop {action} "Probe"',
    "action reopen": "action reopen {action}",
    "action due": "action due {action} 19/01/2024",
    "opp": "opp {opp}",
    "bulletin preview": "bulletin preview as:{person}",
    "support": 'support crisis "Probe request" org:"{org}"',
    "entitlement": 'entitlement org:"{org}"',
    "consultation responded": "consultation responded {consultation}",
    "privacy export": "privacy export {person}",
}


def test_every_registered_command_is_in_the_policy_table_and_nothing_else() -> None:
    registered = set(REGISTRY.commands)
    missing = sorted(registered - set(POLICY))
    assert not missing, f"commands with no entry in bot/policy.py POLICY: {missing}"
    assert not sorted(set(POLICY) - registered), "POLICY names commands nobody registers"


def test_roles_are_declared_only_in_the_table() -> None:
    from bot.registry import Command

    assert "roles" not in {f.name for f in fields(Command)}


def test_every_command_with_a_relation_has_a_probe() -> None:
    need = {n for n, r in POLICY.items() if r.relation is not ANY}
    assert not sorted(need - set(PROBES)), "add a probe for the new relation command"


async def test_the_router_refuses_by_the_table_not_by_what_a_handler_declares(ask) -> None:
    from bot.registry import Command, Registry
    from bot.reply import Reply

    async def handler(req, svc):  # type: ignore[no-untyped-def]
        return Reply(text="ran")

    # a `privacy erase` registered with no word about roles is still for admins only
    registry = Registry()
    registry.add(Command("privacy erase", handler, "", "privacy erase", "trust"))
    router = ask.ctx.router
    lax = Router(settings=router.settings, db=ask.ctx.db, clock=router.clock, registry=registry)
    for role, email in ACTORS.items():
        async with ask.ctx.db.sessions() as session:
            actor = await person_by_email(session, email)
            try:
                await lax.dispatch(
                    "privacy erase", actor=actor, door="cli", services=lax.services(session)
                )
                got = "allow"
            except NotAllowed:
                got = "deny"
        assert got == ("allow" if role == "admin" else "deny"), role
    inactive = Person(id=2, role="admin", active=False)
    assert not policy.DEFAULT.may_use(inactive, "privacy erase")


async def test_a_changed_copy_of_the_table_changes_the_routers_decision(ask) -> None:
    """The table is the source: a router given a copy with one rule changed decides by it,
    for roles (before anything is loaded) and for relations (on what the loader found)."""
    router = ask.ctx.router
    changed = dict(POLICY)
    changed["audit"] = Rule(EVERYONE)  # admins only -> everyone
    changed["whoami"] = Rule(ADMIN)  # everyone -> admins only
    changed["privacy export"] = Rule(EVERYONE, ANY)  # oneself -> anyone's
    changed["group"] = Rule(EVERYONE, ANY)  # chair/officer/staff -> anyone
    lax = Router(
        settings=router.settings,
        db=ask.ctx.db,
        clock=router.clock,
        registry=router.registry,
        policy=Policy(changed),
    )
    amy = "amy@hillside.sch.uk"
    async with ask.ctx.db.sessions() as session:
        me = await person_by_email(session, amy)
    cases = {
        "audit": ("deny", "allow"),
        "whoami": ("allow", "deny"),
        "privacy export @dan": ("deny", "allow"),
        "group attendance reminders:7d": ("deny", "allow"),
    }
    for text, (real, copy) in cases.items():
        got = []
        for each in (router, lax):
            async with ask.ctx.db.sessions() as session:
                actor = await session.get(Person, me.id)
                try:
                    await each.dispatch(
                        text, actor=actor, door="cli", services=each.services(session)
                    )
                    got.append("allow")
                except NotAllowed:
                    got.append("deny")
                finally:
                    await session.rollback()
        assert tuple(got) == (real, copy), text
    # help reads the roles from the router's table too
    async with ask.ctx.db.sessions() as session:
        actor = await session.get(Person, me.id)
        reply = await lax.dispatch(
            "help trust", actor=actor, door="cli", services=lax.services(session)
        )
        await session.rollback()
    assert "audit" in {s.title.split()[0] for s in reply.elements if getattr(s, "title", None)}


def facts_for(state: str, actor: Person) -> Facts:
    """The relation each state stands for, in the table's own terms."""
    if state == "none":
        return Facts(organisation_id=-1, subject_id=-1, owner_id=-1, in_audience=False)
    return Facts(
        group_role=state,
        organisation_id=actor.organisation_id,
        subject_id=actor.id,
        in_audience=True,
    )


@dataclass
class World:
    actors: dict[str, Person]
    ids: dict[str, dict[str, int]]  # state -> {"meeting": id, "action": id, ...}


async def build_world(ask) -> World:  # type: ignore[no-untyped-def]
    """Three groups (the four askers chair one, are plain members of one, are outside one),
    each with a meeting, an action and a consultation run by people outside the matrix."""
    db = ask.ctx.db
    async with db.session() as session:
        actors = {role: await person_by_email(session, e) for role, e in ACTORS.items()}
        dan = await person_by_email(session, "dan@sheffield.gov.uk")
        for state, name in GROUPS.items():
            group = await upsert_group(session, name=name, title=f"Matrix {name}")
            await set_membership(session, group=group, person=dan, role="member")
            if state != "none":
                for person in actors.values():
                    await set_membership(session, group=group, person=person, role=state)
        # neither askers' schools subscribe, so a subscribers-only opportunity is not theirs
        await session.execute(
            update(Organisation)
            .where(Organisation.name.in_(["Hillside Primary", "Meadowbank Primary"]))
            .values(subscriber=False)
        )
    stella = "stella@learnsheffield.co.uk"
    ids: dict[str, dict[str, int]] = {}
    for n, (state, name) in enumerate(GROUPS.items(), start=1):
        await ask.ok(stella, f'meeting add "M {name}" group:{name} on:"15/12/2023 10:00"')
        await ask.ok(stella, f'action add "A {name}" owner:@dan due:12/01/2024 group:{name}')
        await ask.ok(stella, f'consultation add "C {name}" closes:12/01/2024 audience:{name}')
        only = " subscribers:only" if state == "none" else ""
        await ask.ok(
            "sam@learnsheffield.co.uk",
            f'opp add "O {name}" closes:31/01/2024 phase:all link:https://example.org/o{only}',
        )
        ids[state] = {"meeting": n, "action": n, "consultation": n, "opp": n}
    return World(actors={r: p for r, p in actors.items() if p is not None}, ids=ids)


def probe_text(name: str, state: str, actor: Person, world: World) -> str:
    if name not in PROBES:
        command = REGISTRY.commands[name]
        return command.examples[0] if command.examples else command.usage
    own = state != "none"
    values = {
        **world.ids[state],
        "group": GROUPS[state],
        "org": actor.organisation.name if own and actor.organisation else "Parkwood Academy",
        "person": f"@{actor.handle}" if own else "@dan",
    }
    return PROBES[name].format(**values)


async def outcome(ask, actor: Person, text: str, *, relation: bool) -> str:  # type: ignore[no-untyped-def]
    """'allow' if the command got past every access check, 'deny' if it was refused."""
    router = ask.ctx.router
    async with ask.ctx.db.sessions() as session:
        me = await session.get(Person, actor.id)
        try:
            await router.dispatch(text, actor=me, door="cli", services=router.services(session))
        except NotAllowed:
            return "deny"
        except NotFound:
            # hiding an item from someone who may not see it is a refusal too
            return "deny" if relation else "allow"
        except UserError:
            return "allow"
        finally:
            await session.rollback()
    return "allow"


async def test_matrix_every_command_by_role_and_relation_matches_the_table(ask) -> None:
    world = await build_world(ask)
    wrong = []
    for name in sorted(REGISTRY.commands):
        related = name in PROBES  # every state, so a table laxer than its handler shows too
        for role, actor in world.actors.items():
            for state in STATES if related else ("member",):
                expected = (
                    "allow" if policy.allows(actor, name, facts_for(state, actor)) else "deny"
                )
                text = probe_text(name, state, actor, world)
                got = await outcome(ask, actor, text, relation=related)
                if got != expected:
                    wrong.append(f"{role:6} {state:6} {text!r}: {got}, table says {expected}")
    assert not wrong, "\n" + "\n".join(wrong)


async def test_help_lists_exactly_what_each_role_may_use(ask) -> None:
    for role, email in ACTORS.items():
        for topic in REGISTRY.topics:
            reply = await ask.ok(email, f"help {topic}")
            shown = {s.title for s in reply.elements if getattr(s, "title", None)}
            allowed = {c.usage for c in REGISTRY.for_topic(topic) if role in POLICY[c.name].roles}
            assert shown == allowed, (role, topic)
    amy = await ask.ok("amy@hillside.sch.uk", "help")
    assert "triage ack" not in str(amy.to_dict()) and "privacy erase" not in str(amy.to_dict())
    refused = await ask("amy@hillside.sch.uk", "help privacy erase")
    assert refused.error


async def test_the_listing_of_readable_actions_is_the_reader_check_in_sql(ask) -> None:
    """What `actions` lists for a person (the "action" rule's relation as SQL over every row)
    is exactly the actions that relation lets them read one at a time (`action <id>`)."""
    from itertools import product

    from storage import actions as repo
    from storage.directory import all_people, membership

    await build_world(ask)
    async with ask.ctx.db.session() as session:
        people = await all_people(session)
        by_email = {p.email: p for p in people}
        groups = [await upsert_group(session, name=n) for n in GROUPS.values()]
        owners = [by_email["dan@sheffield.gov.uk"], by_email[ACTORS["member"]]]
        creators = [None, by_email[ACTORS["head"]], by_email["stella@learnsheffield.co.uk"]]
        for owner, creator, group in product(owners, creators, [None, *groups]):
            await repo.add_action(
                session,
                text="Probe",
                owner=owner,
                due_on=date(2024, 1, 12),
                at=datetime(2023, 12, 1, tzinfo=UTC),
                created_by=creator,
                group=group,
            )
    rule = POLICY["action"]
    async with ask.ctx.db.session() as session:
        actions = await repo.find_actions(session)
        assert len(actions) > 20
        for person in await all_people(session):
            listed = await repo.find_actions(
                session, where=rule.relation.where(person, repo.fact_columns(person.id))
            )
            checked = []
            for action in actions:
                role = None
                if action.group_id is not None:
                    found = await membership(session, group_id=action.group_id, person_id=person.id)
                    role = found.role if found else None
                facts = Facts(
                    owner_id=action.owner_id, created_by_id=action.created_by_id, group_role=role
                )
                if rule.relation.holds(person, facts):
                    checked.append(action.id)
            assert [a.id for a in listed] == checked, person.email
