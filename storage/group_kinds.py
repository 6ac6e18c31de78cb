"""What kind of group a partnership group is, and the roles its members hold.

Seeds 000 and 004 describe the shape: a board meeting about three times a year, priority
sub-groups (thematic or geographical) doing the work, working groups (the design group of seed
001), and task-and-finish groups set up for one job until a date. `channel` is a group that only
carries posts (the triage queue, the bulletin). Roles are the ones minutes and terms of reference
use: chair, vice-chair, officer (Learn Sheffield's business support), member and co-opted.
People write both many ways, so every path that takes one (chat, the people import) goes
through the normalisers here.
"""

from __future__ import annotations

import re

from bot.errors import UserError

GROUP_KINDS = ("board", "sub-group", "working group", "task-and-finish group", "channel")
# the kinds that run only until an end date (`ends:`), after which reminders stop
ENDING_KINDS = frozenset({"task-and-finish group"})

KIND_ALIASES = {
    "partnership board": "board",
    "strategic board": "board",
    "subgroup": "sub-group",
    "sub group": "sub-group",
    "priority sub group": "sub-group",
    "priority group": "sub-group",
    "thematic group": "sub-group",
    "working party": "working group",
    "workgroup": "working group",
    "task and finish": "task-and-finish group",
    "task and finish group": "task-and-finish group",
    "task finish": "task-and-finish group",
    "t&f": "task-and-finish group",
    "t&f group": "task-and-finish group",
    "tfg": "task-and-finish group",
    "task group": "task-and-finish group",
}


def kind_for_name(name: str) -> str:
    """The kind a new group gets from its name alone (the people import creates groups it
    meets): "board" is the board, a name saying working group or task and finish is one;
    anything else a sub-group. Changed later with `group <name> kind:...`."""
    key = _key(name)
    if "board" in key.split():
        return "board"
    if "working" in key.split():
        return "working group"
    if "task" in key.split() and "finish" in key.split():
        return "task-and-finish group"
    return "sub-group"


MEMBERSHIP_ROLES = ("chair", "vice-chair", "officer", "member", "co-opted")
# who may change a group's membership (besides admins): its chair
MEMBERSHIP_MANAGERS = frozenset({"chair"})

ROLE_ALIASES = {
    "vice chair": "vice-chair",
    "vicechair": "vice-chair",
    "deputy chair": "vice-chair",
    "co opted": "co-opted",
    "coopted": "co-opted",
    "co opted member": "co-opted",
    "co-opted member": "co-opted",
    "chairperson": "chair",
    "chairman": "chair",
    "chairwoman": "chair",
    "secretary": "officer",
    "clerk": "officer",
    "members": "member",
}

ROLE_ORDER = {role: n for n, role in enumerate(MEMBERSHIP_ROLES)}


def _key(raw: str) -> str:
    """`" Task-and-Finish "` -> `"task and finish"` (hyphens and underscores as spaces)."""
    return re.sub(r"[\s_\-]+", " ", raw.strip().lower()).strip()


def normalise_group_kind(raw: str) -> str:
    """One of GROUP_KINDS for a kind as written ("task and finish", "Working party").
    Raises UserError naming every kind."""
    key = _key(raw)
    for kind in GROUP_KINDS:
        if key == _key(kind):
            return kind
    if key in KIND_ALIASES:
        return KIND_ALIASES[key]
    raise UserError(
        f"{raw!r} is not a kind of group. Kinds: {', '.join(GROUP_KINDS)}.",
        example='group transition kind:"task-and-finish group" ends:31/07/2024',
    )


def normalise_membership_role(
    raw: str, example: str = "group add attendance @jo role:member"
) -> str:
    """One of MEMBERSHIP_ROLES for a role as written ("Vice Chair", "co-opted member"); empty is
    a member. Raises UserError naming every role."""
    key = _key(raw)
    if not key:
        return "member"
    for role in MEMBERSHIP_ROLES:
        if key == _key(role):
            return role
    if key in ROLE_ALIASES:
        return ROLE_ALIASES[key]
    raise UserError(
        f"group role {raw!r} is not one of {', '.join(MEMBERSHIP_ROLES)}.", example=example
    )
