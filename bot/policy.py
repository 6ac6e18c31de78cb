"""Who may do what: one table for every command, asked by the router (and by `help`).

`POLICY` names, for each registered command, the roles that may use it and the relation the
asker must have to the thing it touches (their own organisation, their own group, an action they
own...). Roles are declared here only, never on the command.

A command that touches one item declares a loader (`Command.loads`): given the request it
returns a `Loaded` (the item and the `Facts` about the asker's relation to it). The router runs
the loader once, asks `Policy.check` (the table's roles, then the table's relation over those
facts) and hands the item to the handler as `Request.item`; so changing a rule's relation here
changes the decision, and no handler chooses its own relation. A listing of "what I may see"
asks the same relation for a SQL condition (`Relation.where`), so the list and the check agree.

A command missing from the table (only test doubles should be) is open to every role with no
relation; tests/test_policy.py fails for any real command not in the table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, false, or_, true

from bot.errors import NotAllowed

if TYPE_CHECKING:
    from storage.directory import FactColumns, Person

ROLES = ("admin", "staff", "member", "head")
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"admin", "staff"})
ADMIN = frozenset({"admin"})
SCHOOLS = frozenset({"member", "head"})  # the people consultations are for, not staff

ROLE_NAMES = {
    "admin": "admins",
    "staff": "Learn Sheffield staff",
    "member": "members",
    "head": "heads",
}
SIGNED_IN_AS = {
    "admin": "an admin",
    "staff": "Learn Sheffield staff",
    "member": "a member",
    "head": "a head",
}


@dataclass(frozen=True)
class Facts:
    """What a handler knows about the item a command touches, relative to the asker."""

    group_role: str | None = None  # the asker's role in the item's group, if a member
    owner_id: int | None = None  # who owns the item (an action's owner)
    created_by_id: int | None = None  # who set it (an action's creator)
    organiser_id: int | None = None  # a meeting's organiser
    organisation_id: int | None = None  # the organisation it is for
    subject_id: int | None = None  # the person the command is about
    in_audience: bool = False  # the item (opportunity, consultation) is meant for the asker


@dataclass(frozen=True)
class Loaded:
    """What a command's loader found: the item (handed to the handler as `Request.item`), the
    facts about the asker's relation to it, and the refusal to give when the relation fails.

    `facts` is None when this use of the command does not touch the relation (reading a group
    rather than changing its settings): then only the table's roles apply.
    """

    item: Any
    facts: Facts | None
    refusal: str = "You cannot do that."
    hint: str | None = None
    example: str | None = None
    use: str | None = None  # a named use in the rule's `uses` (its own relation)


@dataclass(frozen=True)
class Relation:
    """How the asker must stand to the item; `bypass` roles stand in every relation.

    `holds_for` is the rule over one item's `Facts`; `sql_for`, where given, is the same rule as
    a SQL condition over an item table's `FactColumns` (tests/test_policy.py checks they agree).
    """

    name: str
    meaning: str
    holds_for: Callable[[Person, Facts], bool]
    bypass: frozenset[str] = STAFF
    sql_for: Callable[[Person, FactColumns], ColumnElement[bool]] | None = None

    def holds(self, actor: Person, facts: Facts) -> bool:
        return actor.active and (actor.role in self.bypass or self.holds_for(actor, facts))

    def where(self, actor: Person, columns: FactColumns) -> ColumnElement[bool]:
        """`holds` as a SQL condition: the rows of a table this asker stands in relation to.

        Raises TypeError for a relation with no SQL form (no listing uses it yet)."""
        if not actor.active:
            return false()
        if actor.role in self.bypass:
            return true()
        if self.sql_for is None:
            raise TypeError(f"the relation {self.name!r} has no SQL form")
        return self.sql_for(actor, columns)


ANY = Relation("any", "anyone with the role", lambda a, f: True)
OWN_ORGANISATION = Relation(
    "own organisation",
    "their own organisation (staff: any)",
    lambda a, f: f.organisation_id is not None and a.organisation_id == f.organisation_id,
)
OWN_GROUP = Relation(
    "own group", "a member of the item's group (staff: any)", lambda a, f: f.group_role is not None
)
GROUP_OFFICER = Relation(
    "group chair or organiser",
    "the group's chair or officer, or the meeting's organiser (staff: any)",
    lambda a, f: (
        f.group_role in ("chair", "officer")
        or (f.organiser_id is not None and a.id == f.organiser_id)
    ),
)
GROUP_CHAIR = Relation(
    "group chair",
    "the chair of the item's group (admins: any)",
    lambda a, f: f.group_role == "chair",
    bypass=ADMIN,
)
OWNER_OR_CHAIR = Relation(
    "owner of the item or group chair",
    "the item's owner or the chair of its group (staff: any)",
    lambda a, f: a.id == f.owner_id or f.group_role == "chair",
)
ITEM_READER = Relation(
    "owner, setter or group member",
    "the item's owner, whoever set it, or a member of its group (staff: any)",
    lambda a, f: a.id in (f.owner_id, f.created_by_id) or f.group_role is not None,
    sql_for=lambda a, c: or_(
        c.owner_id == a.id, c.created_by_id == a.id, c.group_role.is_not(None)
    ),
)
AUDIENCE = Relation(
    "in the audience",
    "the item is meant for them: their phase, group or subscription (staff: any)",
    lambda a, f: f.in_audience,
)
AUDIENCE_ONLY = Relation(
    "in the audience",
    "the item is meant for them (no one stands in for the audience)",
    lambda a, f: f.in_audience,
    bypass=frozenset(),
)
ONESELF = Relation(
    "oneself", "only about themselves (staff: anyone)", lambda a, f: f.subject_id in (None, a.id)
)
ONESELF_OR_ADMIN = Relation(
    "oneself",
    "only about themselves (admins: anyone)",
    lambda a, f: f.subject_id in (None, a.id),
    bypass=ADMIN,
)
RELATIONS = (
    ANY,
    OWN_ORGANISATION,
    OWN_GROUP,
    GROUP_OFFICER,
    GROUP_CHAIR,
    OWNER_OR_CHAIR,
    ITEM_READER,
    AUDIENCE,
    AUDIENCE_ONLY,
    ONESELF,
    ONESELF_OR_ADMIN,
)


@dataclass(frozen=True)
class Rule:
    """Who may use a command: `roles`, then `relation` to the item. `uses` names a use of the
    command that needs another relation (removing someone else's agenda item)."""

    roles: frozenset[str]
    relation: Relation = ANY
    uses: Mapping[str, Relation] = field(default_factory=dict)

    def relation_for(self, use: str | None) -> Relation:
        return self.uses[use] if use is not None else self.relation


def _rule(roles: frozenset[str], relation: Relation = ANY, **uses: Relation) -> Rule:
    return Rule(roles, relation, {k.replace("_", " "): v for k, v in uses.items()})


# Every registered command, in the order of `help`. Reading commands that list only what the
# asker may see (meetings, actions, opps, support mine) are "any": the listing itself filters.
POLICY: dict[str, Rule] = {
    # help and directory
    "help": _rule(EVERYONE),
    "form": _rule(EVERYONE),  # the form's own command is checked when it is built
    "whoami": _rule(EVERYONE),
    "person": _rule(EVERYONE),
    "people": _rule(EVERYONE),
    "person add": _rule(ADMIN),
    "person edit": _rule(ADMIN),
    "person deactivate": _rule(ADMIN),
    "person reactivate": _rule(ADMIN),
    "groups": _rule(EVERYONE),
    "group": _rule(EVERYONE, GROUP_OFFICER),  # reading is open; settings: chair/officer/staff
    "group add": _rule(EVERYONE, GROUP_CHAIR),  # a group's own chair; admins any group
    "group remove": _rule(EVERYONE, GROUP_CHAIR),
    # meetings
    "meeting add": _rule(EVERYONE, GROUP_OFFICER),
    "meetings": _rule(EVERYONE),
    "meeting": _rule(EVERYONE),
    "meeting move": _rule(EVERYONE, GROUP_OFFICER),
    "meeting cancel": _rule(EVERYONE, GROUP_OFFICER),
    "rsvp": _rule(EVERYONE, OWN_GROUP),
    "apologies": _rule(EVERYONE, OWN_GROUP),
    # list: anyone; add: a member; remove another's item: the organiser
    "agenda": _rule(EVERYONE, OWN_GROUP, remove_anothers_item=GROUP_OFFICER),
    "papers": _rule(EVERYONE, OWN_GROUP),  # list: anyone
    "minutes": _rule(EVERYONE, GROUP_OFFICER),  # reading: anyone; record, confirm, approve
    "meeting record": _rule(EVERYONE, GROUP_OFFICER),  # reading: anyone; recording: organisers
    "meeting ics": _rule(EVERYONE),
    "calendar": _rule(EVERYONE),
    "terms": _rule(EVERYONE),
    "terms import": _rule(STAFF),
    # actions
    "action add": _rule(EVERYONE, OWN_GROUP),
    "action": _rule(EVERYONE, ITEM_READER),
    "actions": _rule(EVERYONE, OWN_GROUP),  # yours: anyone; group:<name>: its members
    "actions overdue": _rule(EVERYONE),
    "action done": _rule(EVERYONE, OWNER_OR_CHAIR),
    "action snooze": _rule(EVERYONE, OWNER_OR_CHAIR),
    "action reassign": _rule(EVERYONE, OWNER_OR_CHAIR),
    "action note": _rule(EVERYONE, OWNER_OR_CHAIR),
    "action drop": _rule(EVERYONE, OWNER_OR_CHAIR),
    "action reopen": _rule(EVERYONE, OWNER_OR_CHAIR),
    "action due": _rule(EVERYONE, OWNER_OR_CHAIR),
    # opportunities and the bulletin
    "opp add": _rule(STAFF),
    "opps": _rule(EVERYONE),
    "opp": _rule(EVERYONE, AUDIENCE),
    "opp edit": _rule(STAFF),
    "opp withdraw": _rule(STAFF),
    "bulletin": _rule(EVERYONE),
    "bulletin preview": _rule(EVERYONE, ONESELF),
    "bulletin send": _rule(STAFF),
    "bulletin subscribe": _rule(EVERYONE),
    "bulletin unsubscribe": _rule(EVERYONE),
    "bulletin settings": _rule(STAFF),
    # support
    "support": _rule(EVERYONE, OWN_ORGANISATION),
    "support mine": _rule(EVERYONE),
    "entitlement": _rule(EVERYONE, OWN_ORGANISATION),
    "triage": _rule(STAFF),
    "triage ack": _rule(STAFF),
    "triage assign": _rule(STAFF),
    "triage resolve": _rule(STAFF),
    "triage signpost": _rule(STAFF),
    "triage reopen": _rule(STAFF),
    "triage escalate": _rule(STAFF),
    "triage log-days": _rule(STAFF),
    "triage kind": _rule(STAFF),
    "triage stats": _rule(STAFF),
    # attendance
    "attendance": _rule(EVERYONE),
    "attendance compare": _rule(EVERYONE),
    "attendance core-cities": _rule(EVERYONE),
    "attendance years": _rule(EVERYONE),
    # consultations and schedules
    "consultation add": _rule(STAFF),
    "consultations": _rule(EVERYONE),
    "consultation": _rule(EVERYONE),
    "consultation extend": _rule(STAFF),
    "consultation close": _rule(STAFF),
    "consultation responded": _rule(SCHOOLS, AUDIENCE_ONLY),
    "consultation responses": _rule(STAFF),
    "schedule add": _rule(STAFF),
    "schedules": _rule(STAFF),
    "schedule edit": _rule(STAFF),
    "schedule cancel": _rule(STAFF),
    # trust
    "audit": _rule(ADMIN),
    "privacy export": _rule(EVERYONE, ONESELF_OR_ADMIN),
    "privacy erase": _rule(ADMIN),
}


OPEN = Rule(EVERYONE, ANY)  # a command the table does not name (test doubles only)


def _roles_text(roles: frozenset[str]) -> str:
    return ", ".join(ROLE_NAMES.get(r, r) for r in ROLES if r in roles)


class Policy:
    """A policy table and the questions asked of it. The router holds one (the real table,
    unless a test gives it a changed copy) and lends it to handlers as `Services.policy`."""

    def __init__(self, rules: Mapping[str, Rule] = POLICY) -> None:
        self.rules = rules

    def rule(self, command: str) -> Rule:
        return self.rules.get(command, OPEN)

    def roles(self, command: str) -> frozenset[str]:
        """The roles that may use `command` (what `help`, "did you mean" and manifests show)."""
        return self.rule(command).roles

    def may_use(self, actor: Person, command: str) -> bool:
        """The role part of the rule; the relation needs the item (`check`)."""
        return actor.active and actor.role in self.rule(command).roles

    def check_roles(self, actor: Person, command: str) -> None:
        """The router's first check, before anything is loaded. Raises NotAllowed."""
        if not self.may_use(actor, command):
            raise NotAllowed(
                f"`{command}` is for {_roles_text(self.roles(command))}; you are signed in as "
                f"{SIGNED_IN_AS.get(actor.role, actor.role)}.",
                hint="Ask a partnership admin if you need it.",
            )

    def allows(
        self, actor: Person, command: str, facts: Facts | None = None, *, use: str | None = None
    ) -> bool:
        """The whole decision for one command (or a named use of it) and item: role, then
        relation."""
        if not self.may_use(actor, command):
            return False
        return self.rule(command).relation_for(use).holds(actor, facts or Facts())

    def check(self, actor: Person, command: str, loaded: Loaded) -> None:
        """The router's second check, on what the command's loader found. Raises NotAllowed
        with the loader's refusal; facts of None (a use that needs no relation) pass."""
        self.check_roles(actor, command)
        if loaded.facts is None:
            return
        if not self.allows(actor, command, loaded.facts, use=loaded.use):
            raise NotAllowed(loaded.refusal, hint=loaded.hint, example=loaded.example)

    def where(self, actor: Person, command: str, columns: FactColumns) -> ColumnElement[bool]:
        """The rows `command`'s relation lets the asker touch, as a SQL condition (listings)."""
        return self.rule(command).relation.where(actor, columns)


DEFAULT = Policy(POLICY)


def allows(actor: Person, command: str, facts: Facts | None = None) -> bool:
    """The whole decision for one command and item against the real table: role, then relation."""
    return DEFAULT.allows(actor, command, facts)


# --- what a reply shows (not whether the command runs: that is the table above) ---


def may_see_support_details(actor: Person, *, requester_id: int | None) -> bool:
    """A support request's text is for the requester and Learn Sheffield staff only."""
    return actor.active and (actor.is_staff or actor.id == requester_id)


def may_see_support_request(
    actor: Person, *, requester_id: int | None, organisation_id: int | None
) -> bool:
    """Heads and members see that their own organisation asked (not what, unless they asked)."""
    if may_see_support_details(actor, requester_id=requester_id):
        return True
    return OWN_ORGANISATION.holds(actor, Facts(organisation_id=organisation_id))


def describe() -> list[tuple[str, str, str]]:
    """(command, roles, relation) rows, for docs and the admin's `audit` help."""
    return [(name, _roles_text(r.roles), r.relation.name) for name, r in POLICY.items()]
