"""Opportunities (training, funded places, projects, networks) and the bulletin's records.

Who may see an opportunity depends on the reader's organisation: its phase, and whether it
subscribes (some opportunities are offered only to subscribing schools). That rule lives here,
in `Audience`, so `opps`, the preview, the bulletin and the nudges all agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.errors import NotFound
from storage.base import Base, JSONType, UTCDateTime, dialect_insert, utcnow
from storage.directory import Person, phases_counted_as
from storage.system import get_state, set_state

PHASES = ("primary", "secondary", "special", "nursery", "post-16", "all")
STATUSES = ("open", "withdrawn", "expired")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
SETTINGS_KEY = "bulletin:settings"


class Opportunity(Base):
    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(1000))
    provider: Mapped[str | None] = mapped_column(String(200))
    closes_on: Mapped[date | None] = mapped_column(Date)
    phases: Mapped[list[str]] = mapped_column(JSONType, default=lambda: ["all"])
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    subscribers_only: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def is_open(self, today: date) -> bool:
        """Open, and not past its closing date (even before the clock marks it expired)."""
        return self.status == "open" and (self.closes_on is None or self.closes_on >= today)


class BulletinEdition(Base):
    """One week's bulletin; at most one per ISO week, so no edition goes out twice."""

    __tablename__ = "bulletin_editions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[str] = mapped_column(String(10), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    opportunity_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)


class BulletinDelivery(Base):
    """What one copy of an edition held and where it went (the channel or one person)."""

    __tablename__ = "bulletin_deliveries"
    __table_args__ = (UniqueConstraint("edition_id", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("bulletin_editions.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String(200))
    opportunity_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    outbox_key: Mapped[str] = mapped_column(String(300))


class BulletinSubscription(Base):
    """A person's own choice about the bulletin by DM (no row: the default for their role)."""

    __tablename__ = "bulletin_subscriptions"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    subscribed: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- who sees what ----------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """A reader's view: `phases` None means every phase; an empty set means all-phase items only."""

    phases: frozenset[str] | None
    subscriber: bool
    label: str

    def sees(self, opp: Opportunity) -> bool:
        if opp.subscribers_only and not self.subscriber:
            return False
        if "all" in opp.phases or self.phases is None:
            return True
        return bool(self.phases & set(opp.phases))


# The bulletin channel is read by everyone: all-phase items, nothing subscriber-only.
CHANNEL_AUDIENCE = Audience(phases=frozenset(), subscriber=False, label="all-phase items only")
STAFF_AUDIENCE = Audience(phases=None, subscriber=True, label="everything (staff view)")


def phases_of_org_phase(phase: str | None) -> frozenset[str] | None:
    """An organisation's phase as opportunity phases; all-through schools see both."""
    if not phase:
        return None
    return phases_counted_as(phase)


def audience_of(person: Person) -> Audience:
    """Phase of the reader's organisation; subscriber-only items only for subscribers."""
    org = person.organisation
    phases = phases_of_org_phase(org.phase if org else None)
    subscriber = bool(org and org.subscriber)
    where = org.name if org else "no organisation"
    what = ", ".join(sorted(phases)) + " and all-phase" if phases is not None else "every phase"
    label = f"{where}: {what}" + ("; subscriber" if subscriber else "; not a subscriber")
    return Audience(phases=phases, subscriber=subscriber, label=label)


# --- opportunities ----------------------------------------------------------------------


async def get_opportunity(session: AsyncSession, opp_id: int) -> Opportunity:
    opp = await session.get(Opportunity, opp_id)
    if opp is None:
        raise NotFound(f"There is no opportunity #{opp_id}.", example="opps")
    return opp


async def open_opportunities(session: AsyncSession, *, today: date) -> list[Opportunity]:
    """Open ones, closing soonest first (those with no closing date last)."""
    rows = await session.scalars(select(Opportunity).where(Opportunity.status == "open"))
    found = [o for o in rows if o.is_open(today)]
    return sorted(found, key=lambda o: (o.closes_on is None, o.closes_on or date.max, o.id))


def matches(opp: Opportunity, *, tag: str | None = None, words: Iterable[str] = ()) -> bool:
    """Tag and search words (every word somewhere in title, summary, provider or tags)."""
    if tag and tag.lower() not in {t.lower() for t in opp.tags}:
        return False
    haystack = " ".join([opp.title, opp.summary or "", opp.provider or "", *opp.tags]).lower()
    return all(w.lower() in haystack for w in words)


async def expire_closed(session: AsyncSession, *, today: date) -> int:
    """Mark open opportunities past their closing date as expired."""
    result = await session.execute(
        update(Opportunity)
        .where(Opportunity.status == "open", Opportunity.closes_on < today)
        .values(status="expired")
    )
    return result.rowcount or 0


# --- subscriptions and settings -----------------------------------------------------------


def subscribed_by_default(person: Person) -> bool:
    """Heads get the bulletin by DM unless they unsubscribe; everyone else opts in."""
    return person.role == "head"


async def subscription(session: AsyncSession, person: Person) -> bool:
    row = await session.get(BulletinSubscription, person.id)
    return row.subscribed if row else subscribed_by_default(person)


async def set_subscription(
    session: AsyncSession, *, person: Person, subscribed: bool, at: datetime
) -> None:
    row = await session.get(BulletinSubscription, person.id)
    if row is None:
        session.add(BulletinSubscription(person_id=person.id, subscribed=subscribed, updated_at=at))
    else:
        row.subscribed, row.updated_at = subscribed, at
    await session.flush()


async def dm_readers(session: AsyncSession) -> list[Person]:
    """Active people who get the bulletin by DM (their choice, else their role's default)."""
    choices = {
        row.person_id: row.subscribed for row in await session.scalars(select(BulletinSubscription))
    }
    people = await session.scalars(select(Person).where(Person.active).order_by(Person.id))
    return [p for p in people if choices.get(p.id, subscribed_by_default(p))]


@dataclass
class BulletinSettings:
    day: str = "monday"
    time: str = "08:00"
    channel: str | None = None  # None: the BULLETIN_CHANNEL setting


async def bulletin_settings(session: AsyncSession) -> BulletinSettings:
    row = await get_state(session, SETTINGS_KEY)
    if row is None or not row.value:
        return BulletinSettings()
    data: dict[str, Any] = json.loads(row.value)
    return BulletinSettings(**{k: v for k, v in data.items() if k in ("day", "time", "channel")})


async def save_bulletin_settings(
    session: AsyncSession, value: BulletinSettings, *, at: datetime
) -> None:
    data = {"day": value.day, "time": value.time, "channel": value.channel}
    await set_state(session, SETTINGS_KEY, json.dumps(data), at=at)


# --- editions ---------------------------------------------------------------------------


async def last_edition(session: AsyncSession) -> BulletinEdition | None:
    return await session.scalar(
        select(BulletinEdition).order_by(BulletinEdition.created_at.desc()).limit(1)
    )


async def edition_for_week(session: AsyncSession, week: str) -> BulletinEdition | None:
    return await session.scalar(select(BulletinEdition).where(BulletinEdition.week == week))


async def claim_edition(
    session: AsyncSession, *, week: str, at: datetime, sent_by_id: int | None, ids: list[int]
) -> BulletinEdition | None:
    """Insert this week's edition unless one exists; None when someone else already has it."""
    stmt = (
        dialect_insert(session)(BulletinEdition)
        .values(week=week, created_at=at, sent_by_id=sent_by_id, opportunity_ids=ids)
        .on_conflict_do_nothing(index_elements=["week"])
    )
    if not (await session.execute(stmt)).rowcount:
        return None
    return await edition_for_week(session, week)


async def get_edition(session: AsyncSession, edition_id: int) -> BulletinEdition:
    edition = await session.get(BulletinEdition, edition_id)
    if edition is None:
        raise NotFound(f"There is no bulletin edition #{edition_id}.", example="bulletin")
    return edition


async def deliveries_of(session: AsyncSession, edition_id: int) -> list[BulletinDelivery]:
    rows = await session.scalars(
        select(BulletinDelivery)
        .where(BulletinDelivery.edition_id == edition_id)
        .order_by(BulletinDelivery.id)
    )
    return list(rows)
