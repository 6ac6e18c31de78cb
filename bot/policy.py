"""Who may do what. The router asks here; handlers never decide access by role themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.errors import NotAllowed

if TYPE_CHECKING:
    from bot.registry import Command
    from storage.directory import Person

ROLE_NAMES = {
    "admin": "admins",
    "staff": "Learn Sheffield staff",
    "member": "members",
    "head": "heads",
}


def may_use(actor: Person, command: Command) -> bool:
    """Role check for a command (relations are checked by `require_*` below)."""
    return actor.active and actor.role in command.roles


def check_command(actor: Person, command: Command) -> None:
    if not may_use(actor, command):
        allowed = ", ".join(ROLE_NAMES.get(r, r) for r in sorted(command.roles))
        raise NotAllowed(
            f"`{command.name}` is for {allowed}; you are signed in as a {actor.role}.",
            hint="Ask a partnership admin if you need it.",
        )


def may_manage_group(actor: Person, *, membership_role: str | None) -> bool:
    """Staff, admins and the group's chair or officer may change a group's settings."""
    return actor.role in ("admin", "staff") or membership_role in ("chair", "officer")


def require_manage_group(actor: Person, *, membership_role: str | None, group: str) -> None:
    if not may_manage_group(actor, membership_role=membership_role):
        raise NotAllowed(
            f"Only the chair, an officer or Learn Sheffield staff can change {group}'s settings."
        )


def may_read_action(
    actor: Person, *, owner_id: int, created_by_id: int | None, in_group: bool
) -> bool:
    """Staff, the owner, whoever set it, and members of its group may read an action."""
    return actor.is_staff or actor.id in (owner_id, created_by_id) or in_group


def may_change_action(actor: Person, *, owner_id: int, group_role: str | None) -> bool:
    """Owners, the group's chairs, and staff or admins may change an action."""
    return actor.is_staff or actor.id == owner_id or group_role == "chair"


def require_change_action(
    actor: Person, *, owner_id: int, group_role: str | None, action_id: int
) -> None:
    if not may_change_action(actor, owner_id=owner_id, group_role=group_role):
        raise NotAllowed(
            f"Only the owner of action #{action_id}, the group's chair or Learn Sheffield "
            "staff can change it.",
            hint=f"You can still read it: action {action_id}",
        )


def may_see_support_details(actor: Person, *, requester_id: int | None) -> bool:
    """A support request's text is for the requester and Learn Sheffield staff only."""
    return actor.active and (actor.is_staff or actor.id == requester_id)


def may_see_support_request(
    actor: Person, *, requester_id: int | None, organisation_id: int | None
) -> bool:
    """Heads and members see that their own organisation asked (not what, unless they asked)."""
    if may_see_support_details(actor, requester_id=requester_id):
        return True
    return actor.active and organisation_id is not None and actor.organisation_id == organisation_id


def require_own_organisation(actor: Person, *, organisation_id: int | None, what: str) -> None:
    """Staff may act for any organisation; everyone else only for their own."""
    if actor.is_staff or (organisation_id is not None and actor.organisation_id == organisation_id):
        return
    raise NotAllowed(
        f"You can only {what} for your own organisation.",
        hint="Learn Sheffield staff can look at any organisation.",
    )


def may_organise_meeting(
    actor: Person, *, membership_role: str | None, organiser_id: int | None = None
) -> bool:
    """Staff, admins, the group's chair or officer, and the meeting's organiser run meetings."""
    return may_manage_group(actor, membership_role=membership_role) or (
        organiser_id is not None and actor.id == organiser_id
    )


def require_organise_meeting(
    actor: Person, *, membership_role: str | None, group: str, organiser_id: int | None = None
) -> None:
    if not may_organise_meeting(actor, membership_role=membership_role, organiser_id=organiser_id):
        raise NotAllowed(
            f"Only {group}'s chair or officer, the organiser or Learn Sheffield staff can do that.",
            hint="You can still reply: rsvp <id> yes, or propose an item: agenda <id> add",
        )


def may_attend_meeting(actor: Person, *, membership_role: str | None) -> bool:
    """Members of the meeting's group reply to it; staff and admins may join any meeting."""
    return actor.is_staff or membership_role is not None
