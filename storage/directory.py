"""The directory: organisations, people, their platform identities, groups and memberships."""

from __future__ import annotations

import difflib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from bot.errors import NotFound, UserError
from storage import org_kinds
from storage.base import Base, JSONType, UTCDateTime, utcnow

ROLES = ("admin", "staff", "member", "head")
ORG_KINDS = org_kinds.ORG_KINDS
PHASES = ("primary", "secondary", "special", "all-through", "nursery", "post-16")
# An organisation's phase may also be "all" (one spanning every phase: a trust, the LA).
ORG_PHASES = (*PHASES, "all")
CATEGORIES = ("green", "yellow", "amber", "red")
MEMBERSHIP_ROLES = ("chair", "member", "officer")
GROUP_KINDS = ("board", "sub-group", "working group", "channel")


def phases_counted_as(org_phase: str) -> frozenset[str]:
    """The phases an organisation of this phase counts as: an all-through school is also a
    primary and a secondary one, an "all" organisation every phase. Opportunities and
    consultations both match phases through this."""
    if org_phase == "all":
        return frozenset(ORG_PHASES)
    if org_phase == "all-through":
        return frozenset({"all-through", "primary", "secondary"})
    return frozenset({org_phase})


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="school")
    phase: Mapped[str | None] = mapped_column(String(40))
    subscriber: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[str | None] = mapped_column(String(20))
    maintained: Mapped[bool | None] = mapped_column(Boolean)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    calendar_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # joined: loading a person (the router's actor on every command) is one query, not two
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def handle(self) -> str:
        return self.email.split("@", 1)[0]

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")

    def __repr__(self) -> str:
        return f"<Person #{self.id} {self.role}>"


class Identity(Base):
    """A person's account on one platform; `data` keeps e.g. a Teams conversation reference."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Group(Base):
    """The board, a sub-group or a working group; `channels` maps platform -> channel id."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="sub-group")
    description: Mapped[str | None] = mapped_column(String(2000))
    channels: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    reminders: Mapped[str] = mapped_column(String(200), default="7d,1d,day@08:00")
    # how long an action from the group's minutes has when the minutes give no date
    action_due: Mapped[str] = mapped_column(String(20), default="2w")

    # not loaded with every group (that would pull every member on each query); use members_of
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", lazy="raise", cascade="all, delete-orphan"
    )


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20), default="member")

    group: Mapped[Group] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship(lazy="joined")


# --- repository functions -------------------------------------------------------------


@dataclass(frozen=True)
class FactColumns:
    """An item table's SQL expressions named as bot.policy.Facts' fields, so a relation can be
    asked of every row at once ("the actions I may read") rather than of one loaded item.
    Fields a table does not have stay None."""

    owner_id: Any = None
    created_by_id: Any = None
    organisation_id: Any = None
    group_role: Any = None  # the asker's role in the row's group; NULL when not a member


def group_role_of(person_id: int, group_id: Any) -> Any:
    """The person's membership role in the group named by the column `group_id`, as a
    correlated scalar subquery (NULL when not a member): FactColumns.group_role."""
    return (
        select(Membership.role)
        .where(Membership.group_id == group_id, Membership.person_id == person_id)
        .limit(1)
        .scalar_subquery()
    )


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def person_by_identity(
    session: AsyncSession, *, platform: str, external_id: str
) -> Person | None:
    return await session.scalar(
        select(Person)
        .join(Identity, Identity.person_id == Person.id)
        .where(Identity.platform == platform, Identity.external_id == external_id)
    )


async def identity_of(session: AsyncSession, *, platform: str, external_id: str) -> Identity | None:
    """The account `external_id` on `platform`, if it is linked to a person."""
    return await session.scalar(
        select(Identity).where(Identity.platform == platform, Identity.external_id == external_id)
    )


async def active_admins(session: AsyncSession, *, limit: int = 3) -> list[Person]:
    """Active admins by name (who a stranger is told to ask)."""
    rows = await session.scalars(
        select(Person)
        .where(Person.role == "admin", Person.active.is_(True))
        .order_by(Person.name)
        .limit(limit)
    )
    return list(rows)


async def link_identity(
    session: AsyncSession,
    *,
    person: Person,
    platform: str,
    external_id: str,
    data: dict[str, Any] | None = None,
) -> Identity:
    """Record (or refresh) that `external_id` on `platform` is `person`."""
    ident = await session.scalar(
        select(Identity).where(Identity.platform == platform, Identity.external_id == external_id)
    )
    if ident is None:
        ident = Identity(person_id=person.id, platform=platform, external_id=external_id)
        ident.data = data or {}
        session.add(ident)
    else:
        ident.person_id = person.id
        if data:
            ident.data = {**(ident.data or {}), **data}
    await session.flush()
    return ident


async def identities_of(session: AsyncSession, person_id: int) -> list[Identity]:
    rows = await session.scalars(select(Identity).where(Identity.person_id == person_id))
    return list(rows)


async def all_people(session: AsyncSession) -> list[Person]:
    return list(await session.scalars(select(Person).order_by(Person.name)))


async def resolve_person(session: AsyncSession, token: str) -> Person:
    """`@jo`, `jo@school.uk`, `@Jo`, a Slack mention or a full name -> the one Person meant."""
    raw = token.strip()
    if raw.startswith("<@") and raw.endswith(">"):
        ext = raw[2:-1].split("|", 1)[0]
        found = await person_by_identity(session, platform="slack", external_id=ext)
        if found:
            return found
        raise NotFound(f"{raw} is not linked to anyone in the directory yet.")
    key = raw.lstrip("@").strip().lower()
    if not key:
        raise UserError("Name a person.", example="action reassign 7 @sam")
    if "@" in key:
        found = await person_by_email(session, key)
        if found:
            return found
    people = await all_people(session)
    exact = [p for p in people if p.handle.lower() == key or p.name.lower() == key]
    if len(exact) == 1:
        return exact[0]
    firsts = [p for p in people if p.first_name.lower() == key]
    if len(firsts) == 1:
        return firsts[0]
    if len(firsts) > 1 or len(exact) > 1:
        options = ", ".join(f"@{p.handle} ({p.name})" for p in (exact or firsts)[:5])
        raise UserError(f"More than one person matches {raw}: {options}.", example="@jo.bloggs")
    names = [p.handle for p in people] + [p.first_name.lower() for p in people]
    near = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
    hint = f"Did you mean {', '.join('@' + n for n in near)}?" if near else None
    raise NotFound(f"No one called {raw} is in the directory.", hint=hint, example="@jo")


async def group_by_name(session: AsyncSession, name: str) -> Group:
    """A group by its short name (or title), suggesting the nearest when unknown."""
    key = name.strip().lstrip("#").lower()
    groups = list(await session.scalars(select(Group)))
    for g in groups:
        if g.name.lower() == key or g.title.lower() == key:
            return g
    near = difflib.get_close_matches(key, [g.name for g in groups], n=3, cutoff=0.5)
    hint = f"Did you mean {', '.join(near)}?" if near else None
    known = ", ".join(sorted(g.name for g in groups)) or "none yet"
    raise NotFound(
        f"There is no group called {name!r}.",
        hint=hint or f"Groups: {known}.",
        example="group attendance",
    )


async def all_groups(session: AsyncSession) -> list[Group]:
    return list(await session.scalars(select(Group).order_by(Group.id)))


async def groups_of(session: AsyncSession, person_id: int) -> list[Group]:
    rows = await session.scalars(
        select(Group)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.person_id == person_id)
        .order_by(Group.id)
    )
    return list(rows)


async def members_of(session: AsyncSession, group_id: int) -> list[Membership]:
    rows = await session.scalars(
        select(Membership)
        .where(Membership.group_id == group_id)
        .options(joinedload(Membership.person))
    )
    return list(rows)


async def member_counts(session: AsyncSession) -> dict[int, int]:
    """Group id -> number of members, in one query."""
    rows = await session.execute(
        select(Membership.group_id, func.count()).group_by(Membership.group_id)
    )
    return {group_id: count for group_id, count in rows.all()}


async def chairs_of(session: AsyncSession, group_id: int) -> list[Person]:
    return [m.person for m in await members_of(session, group_id) if m.role == "chair"]


async def membership(session: AsyncSession, *, group_id: int, person_id: int) -> Membership | None:
    return await session.scalar(
        select(Membership).where(Membership.group_id == group_id, Membership.person_id == person_id)
    )


async def all_organisations(session: AsyncSession) -> list[Organisation]:
    return list(await session.scalars(select(Organisation).order_by(Organisation.name)))


async def organisation_by_name(session: AsyncSession, name: str) -> Organisation:
    orgs = await all_organisations(session)
    key = name.strip().lower()
    for org in orgs:
        if org.name.lower() == key:
            return org
    near = difflib.get_close_matches(key, [o.name.lower() for o in orgs], n=3, cutoff=0.5)
    hint = None
    if near:
        names = [o.name for o in orgs if o.name.lower() in near]
        hint = f"Did you mean {', '.join(names)}?"
    raise NotFound(
        f"There is no organisation called {name!r}.", hint=hint, example='org:"Hillside Primary"'
    )


async def upsert_organisation(session: AsyncSession, **values: Any) -> Organisation:
    org = await session.scalar(select(Organisation).where(Organisation.name == values["name"]))
    if org is None:
        org = Organisation(**values)
        session.add(org)
    else:
        for key, value in values.items():
            setattr(org, key, value)
    await session.flush()
    return org


async def upsert_group(session: AsyncSession, *, name: str, **values: Any) -> Group:
    group = await session.scalar(select(Group).where(Group.name == name))
    if group is None:
        group = Group(name=name, title=values.pop("title", name.title()), **values)
        session.add(group)
    else:
        for key, value in values.items():
            setattr(group, key, value)
    await session.flush()
    return group


async def upsert_person(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    role: str,
    organisation: Organisation | None = None,
) -> Person:
    """Create or update by email (emails are the link between platforms)."""
    person = await person_by_email(session, email)
    if person is None:
        person = Person(email=email.lower(), name=name, role=role)
        session.add(person)
    else:
        person.name, person.role = name, role
    person.organisation_id = organisation.id if organisation else None
    await session.flush()
    return person


async def set_membership(
    session: AsyncSession, *, group: Group, person: Person, role: str = "member"
) -> Membership:
    found = await membership(session, group_id=group.id, person_id=person.id)
    if found is None:
        found = Membership(group_id=group.id, person_id=person.id, role=role)
        session.add(found)
    else:
        found.role = role
    await session.flush()
    return found
