"""The directory: organisations, people, their platform identities, groups and memberships."""

from __future__ import annotations

import difflib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from bot.errors import NotFound, UserError
from storage import group_kinds, org_kinds
from storage.base import Base, JSONType, UTCDateTime, utcnow

ROLES = ("admin", "staff", "member", "head")
ORG_KINDS = org_kinds.ORG_KINDS
PHASES = ("primary", "secondary", "special", "all-through", "nursery", "post-16")
# An organisation's phase may also be "all" (one spanning every phase: a trust, the LA).
ORG_PHASES = (*PHASES, "all")
CATEGORIES = ("green", "yellow", "amber", "red")
MEMBERSHIP_ROLES = group_kinds.MEMBERSHIP_ROLES
GROUP_KINDS = group_kinds.GROUP_KINDS


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
    """The board, a sub-group, a working group or a task-and-finish group (group_kinds);
    `channels` maps platform -> channel id; `ends_on` is the last day a task-and-finish group
    runs (no reminders for its meetings or actions after it)."""

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
    ends_on: Mapped[date | None] = mapped_column(Date)

    # not loaded with every group (that would pull every member on each query); use members_of
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", lazy="raise", cascade="all, delete-orphan"
    )

    def running_on(self, day: date) -> bool:
        """Whether the group still runs on `day` (the partnership's local date): a group with
        no end date always does; a task-and-finish group until its `ends_on`, inclusive."""
        return self.ends_on is None or day <= self.ends_on


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


async def resolve_person(
    session: AsyncSession, token: str, *, include_inactive: bool = False
) -> Person:
    """`@jo`, `jo@school.uk`, `@Jo`, a Slack mention or a full name -> the one Person meant.

    A deactivated person is found only with `include_inactive` (their history, an admin's
    changes); anyone else naming them (to own an action, say) is told they are deactivated.
    Raises NotFound, or UserError when the name fits more than one person."""
    found = await _resolve(session, token, include_inactive=include_inactive)
    if not found.active and not include_inactive:
        raise UserError(
            f"{found.name} is deactivated in the directory, so cannot be named here.",
            hint=f"An admin can reactivate them: person reactivate @{found.handle}",
            example="action reassign 7 @sam",
        )
    return found


async def _resolve(session: AsyncSession, token: str, *, include_inactive: bool) -> Person:
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
    everyone = await all_people(session)
    # an active person wins over a deactivated namesake; the deactivated one is still named
    for people in ([p for p in everyone if p.active], everyone):
        exact = [p for p in people if p.handle.lower() == key or p.name.lower() == key]
        if len(exact) == 1:
            return exact[0]
        firsts = [p for p in people if p.first_name.lower() == key]
        if len(firsts) == 1:
            return firsts[0]
        if len(firsts) > 1 or len(exact) > 1:
            options = ", ".join(f"@{p.handle} ({p.name})" for p in (exact or firsts)[:5])
            raise UserError(f"More than one person matches {raw}: {options}.", example="@jo.bloggs")
    people = everyone if include_inactive else [p for p in everyone if p.active]
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


async def roles_of(session: AsyncSession, person_id: int) -> list[tuple[Group, str]]:
    """(group, the person's role in it) for every group they are on, board first."""
    rows = await session.execute(
        select(Group, Membership.role)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.person_id == person_id)
        .order_by(Group.id)
    )
    return [(g, role) for g, role in rows.all()]


@dataclass(frozen=True)
class PersonFound:
    """One `people` search result: the person and (group name, role) for their groups."""

    person: Person
    groups: list[tuple[str, str]]
    score: float


async def search_people(
    session: AsyncSession,
    words: str,
    *,
    role: str | None = None,
    group_id: int | None = None,
    limit: int = 25,
) -> list[PersonFound]:
    """Active people whose name, handle, organisation or groups match `words`, best first.

    Every word must match somewhere: the start of a word of the name, handle, organisation's
    name or a group's name or title; failing that, a close spelling (rapidfuzz ratio of at least
    85, words of four letters or more) counts, so "hilside" finds Hillside Primary's people.
    Filler words ("the", "of") are ignored. Deactivated people are not listed."""
    people = [p for p in await all_people(session) if p.active]
    if role:
        people = [p for p in people if p.role == role]
    groups = {g.id: g for g in await all_groups(session)}
    rows = await session.execute(select(Membership.person_id, Membership.group_id, Membership.role))
    member_of: dict[int, list[tuple[Group, str]]] = {}
    for person_id, gid, grole in rows.all():
        member_of.setdefault(person_id, []).append((groups[gid], grole))
    if group_id is not None:
        people = [p for p in people if any(g.id == group_id for g, _ in member_of.get(p.id, []))]
    terms = [w for w in _search_words(words) if w not in _FILLER]
    found = []
    for p in people:
        mine = member_of.get(p.id, [])
        haystack = _search_words(
            " ".join(
                [p.name, p.handle, p.organisation.name if p.organisation else ""]
                + [f"{g.name} {g.title}" for g, _ in mine]
            )
        )
        score = _match_score(terms, haystack)
        if score is not None:
            found.append(
                PersonFound(
                    person=p,
                    groups=sorted(
                        ((g.name, r) for g, r in mine),
                        key=lambda x: (group_kinds.ROLE_ORDER.get(x[1], 9), x[0]),
                    ),
                    score=score,
                )
            )
    found.sort(key=lambda f: (-f.score, f.person.name))
    return found[:limit]


# words that say nothing about whom ("the head of Hillside", "people in attendance")
_FILLER = frozenset({"the", "of", "at", "in", "on", "and", "from", "a", "an", "group", "school"})


def _search_words(text: str) -> list[str]:
    return [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split() if w]


def _match_score(terms: list[str], haystack: list[str]) -> float | None:
    """Per term: 100 for a whole word, 95 for the start of one, else the rapidfuzz ratio of a
    close spelling (at least 85); the mean over the terms, or None if one matches nothing."""
    if not terms:
        return 0.0
    total = 0.0
    for term in terms:
        if term in haystack:
            total += 100
            continue
        if any(w.startswith(term) for w in haystack):
            total += 95  # a whole word ranks before the start of one ("jo": Jo, then Jones)
            continue
        from rapidfuzz import fuzz, process  # only when a word is not found as written

        best = process.extractOne(term, haystack, scorer=fuzz.ratio) if haystack else None
        if best is None or best[1] < 85 or len(term) < 4:
            return None
        total += best[1]
    return total / len(terms)


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
    """The group's active chairs (a deactivated chair gets no digests or summaries)."""
    return [
        m.person
        for m in await members_of(session, group_id)
        if m.role == "chair" and m.person.active
    ]


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


async def remove_membership(session: AsyncSession, *, group: Group, person: Person) -> bool:
    """Take `person` off `group`; False when they were not on it."""
    result = await session.execute(
        delete(Membership).where(Membership.group_id == group.id, Membership.person_id == person.id)
    )
    return bool(result.rowcount)


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
