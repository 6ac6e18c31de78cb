"""The people desk: who a platform account is, for every door (Slack, Teams).

A door knows an account id and how to ask its platform for the account's email; the desk does
the rest the same way everywhere: the linked `Identity` (platform + account id) names the
Person; an account seen for the first time is linked by email to an active Person; answers are
remembered for a minute so a busy person's messages skip the database; and an account that is
no one (or no one active) gets one reply saying who to ask. No platform SDK is imported here.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from bot.reply import Reply
from storage import directory
from storage.directory import Person

if TYPE_CHECKING:
    from storage.db import Database

KNOWN_FOR = 60.0  # seconds an account -> Person answer is reused without the database
MAX_KNOWN = 10_000  # accounts remembered at once; the memory is emptied past this
NO_ADMINS = "the partnership team at Learn Sheffield"

EmailLookup = Callable[[], Awaitable[str | None]]


@dataclass
class _Known:
    at: float
    person: Person
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Visitor:
    """Who an account turned out to be: `person` (None for a stranger) and the email the
    platform gave for it, when the desk had to ask (shown to a stranger)."""

    person: Person | None
    email: str | None = None


class PeopleDesk:
    """Platform account id -> Person for one platform (`"slack"`, `"teams"`).

    `account_kind` names the account in the stranger reply ("Slack", "Teams"). `clock` is
    seconds on a monotonic clock (tests move it to expire the one-minute memory).
    """

    def __init__(
        self,
        db: Database,
        *,
        platform: str,
        account_kind: str,
        ttl: float = KNOWN_FOR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.platform = platform
        self.account_kind = account_kind
        self.ttl = ttl
        self.clock = clock
        self._known: dict[str, _Known] = {}

    async def person(
        self, account: str, *, email: EmailLookup, data: Mapping[str, Any] | None = None
    ) -> Person | None:
        """The active Person behind `account`, or None; see `visitor`."""
        return (await self.visitor(account, email=email, data=data)).person

    async def visitor(
        self, account: str, *, email: EmailLookup, data: Mapping[str, Any] | None = None
    ) -> Visitor:
        """Who `account` is, linking it by email on first use.

        `email()` asks the platform (only when the account is not linked yet); `data` is what
        the door wants kept on the identity (Slack: team id; Teams: user id, name, the personal
        chat's reference): stored when linking, and merged in when it has changed. A remembered
        answer is reused for a minute unless `data` has changed; the router still re-checks
        that the person is active. A person who is not active is a stranger here.
        """
        wanted = dict(data or {})
        known = self._known.get(account)
        if (
            known is not None
            and self.clock() - known.at < self.ttl
            and all(known.data.get(k) == v for k, v in wanted.items())
        ):
            return Visitor(known.person)
        async with self.db.session() as session:
            identity = await directory.identity_of(
                session, platform=self.platform, external_id=account
            )
            if identity is not None:
                person = await directory.person_by_id(session, identity.person_id)
                if person is None or not person.active:
                    return Visitor(None)
                if any((identity.data or {}).get(k) != v for k, v in wanted.items()):
                    identity.data = {**(identity.data or {}), **wanted}
                    await session.flush()
                known_data = dict(identity.data or {})
        if identity is not None:  # remembered only once committed
            self._remember(account, person, known_data)
            return Visitor(person)
        address = await email()
        if not address:
            return Visitor(None)
        linked = await self._link(account, address, wanted)
        if linked is not None:
            self._remember(account, *linked)
            return Visitor(linked[0], address)
        return Visitor(None, address)

    async def _link(
        self, account: str, address: str, data: dict[str, Any]
    ) -> tuple[Person, dict[str, Any]] | None:
        try:
            async with self.db.session() as session:
                person = await directory.person_by_email(session, address)
                if person is None or not person.active:
                    return None
                identity = await directory.link_identity(
                    session,
                    person=person,
                    platform=self.platform,
                    external_id=account,
                    data=data,
                )
                return person, dict(identity.data or {})
        except IntegrityError:  # another process linked the same account a moment ago
            async with self.db.session() as session:
                person = await directory.person_by_identity(
                    session, platform=self.platform, external_id=account
                )
            return (person, data) if person is not None and person.active else None

    def _remember(self, account: str, person: Person, data: dict[str, Any]) -> None:
        if len(self._known) > MAX_KNOWN:
            self._known.clear()
        self._known[account] = _Known(self.clock(), person, data)

    async def stranger_reply(self, email: str | None = None) -> Reply:
        """The one answer to an account that is no one in the directory: who to ask (up to
        three active admins, by name and email) and which email to give them."""
        async with self.db.session() as session:
            admins = await directory.active_admins(session, limit=3)
        who = " or ".join(f"{p.name} ({p.email})" for p in admins) or NO_ADMINS
        seen = f" ({email})" if email else ""
        return Reply(
            text="You are not in the partnership directory yet, so I can't do anything for you. "
            f"Please ask {who} to add you with the email address your {self.account_kind} account "
            f"uses{seen}, then try again.",
            error=True,
        )
