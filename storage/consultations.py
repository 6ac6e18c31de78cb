"""Consultations (with who responded) and general scheduled posts to channels.

Audience entries are stored as strings: `group:<name>`, `phase:<phase>` or `everyone`, so a
renamed phase list or a new group needs no migration. Responses are per school: one row per
organisation (or per person for people without one).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.errors import NotFound
from storage.base import Base, JSONType, UTCDateTime, utcnow
from storage.directory import ORG_PHASES, Group, Membership, Organisation, Person, phases_counted_as

DEFAULT_REMINDERS = "14d,7d,2d,1d"
CLOSE_POST_GRACE = timedelta(days=7)  # a clock that was off longer does not announce old news


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(1000))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audience: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    reminders: Mapped[str] = mapped_column(String(200), default=DEFAULT_REMINDERS)
    nudge: Mapped[bool] = mapped_column(Boolean, default=False)
    # bumped by each extension; outbox keys carry it so a new deadline gets new posts
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # reminders due before this instant (creation or last extension) are never sent
    planned_since: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and now < self.closes_at

    def ended_at(self) -> datetime:
        return self.closed_at or self.closes_at

    @property
    def key_prefix(self) -> str:
        """Outbox keys of this consultation's current revision."""
        return f"consultation:{self.id}:r{self.revision}:"


class ConsultationResponse(Base):
    __tablename__ = "consultation_responses"
    __table_args__ = (UniqueConstraint("consultation_id", "responder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    responder: Mapped[str] = mapped_column(String(40))  # "org:<id>" or "person:<id>"
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduledPost(Base):
    """A message posted to a group's channel once or on a repeat (`every`)."""

    __tablename__ = "scheduled_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(80))  # a group name
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)  # first occurrence
    # day, week, fortnight, month, term, half-term, or None for a one-off
    every: Mapped[str | None] = mapped_column(String(20))
    # pause in the school holidays; None: the repeat's default (yes for week and fortnight)
    term_time: Mapped[bool | None] = mapped_column(Boolean)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # occurrences before this instant (creation or last edit) are never sent
    planned_since: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key_prefix(self) -> str:
        return f"schedule:{self.id}:"


# --- who a consultation is for ----------------------------------------------------------


def responder_of(person: Person) -> str:
    """The unit that responds: the person's school or organisation, else the person."""
    if person.organisation_id is not None:
        return f"org:{person.organisation_id}"
    return f"person:{person.id}"


def org_phases_counted_as(phases: list[str]) -> list[str]:
    """Organisation phases that count as any of these: `primary` takes in all-through schools."""
    wanted = set(phases)
    return sorted(wanted | {p for p in ORG_PHASES if phases_counted_as(p) & wanted})


async def audience_people(session: AsyncSession, audience: list[str]) -> list[Person]:
    """Active people a consultation is for; staff and admins run consultations, not answer them."""
    people: dict[int, Person] = {}
    everyone = "everyone" in audience
    groups = [a.split(":", 1)[1] for a in audience if a.startswith("group:")]
    phases = [a.split(":", 1)[1] for a in audience if a.startswith("phase:")]
    if everyone:
        for p in await session.scalars(select(Person)):
            people[p.id] = p
    if groups:
        rows = await session.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .join(Group, Group.id == Membership.group_id)
            .where(Group.name.in_(groups))
        )
        for p in rows:
            people[p.id] = p
    if phases:
        rows = await session.scalars(
            select(Person)
            .join(Organisation, Organisation.id == Person.organisation_id)
            .where(Organisation.phase.in_(org_phases_counted_as(phases)))
        )
        for p in rows:
            people[p.id] = p
    chosen = [p for p in people.values() if p.active and p.role not in ("staff", "admin")]
    return sorted(chosen, key=lambda p: p.name)


# --- consultations ----------------------------------------------------------------------


async def add_consultation(session: AsyncSession, **values: Any) -> Consultation:
    consultation = Consultation(**values)
    session.add(consultation)
    await session.flush()
    return consultation


async def get_consultation(session: AsyncSession, consultation_id: int) -> Consultation:
    found = await session.get(Consultation, consultation_id)
    if found is None:
        raise NotFound(
            f"There is no consultation #{consultation_id}.",
            hint="`consultations` lists the open ones.",
            example="consultation 2",
        )
    return found


async def open_consultations(session: AsyncSession, *, now: datetime) -> list[Consultation]:
    rows = await session.scalars(
        select(Consultation)
        .where(Consultation.closed_at.is_(None), Consultation.closes_at > now)
        .order_by(Consultation.closes_at, Consultation.id)
    )
    return list(rows)


async def consultations_to_plan(session: AsyncSession, *, now: datetime) -> list[Consultation]:
    """Open ones, and those that closed by date recently (their closing post may be due)."""
    rows = await session.scalars(
        select(Consultation)
        .where(
            Consultation.closed_at.is_(None),
            Consultation.closes_at > now - CLOSE_POST_GRACE,
        )
        .order_by(Consultation.id)
    )
    return list(rows)


async def responses_to(session: AsyncSession, consultation_id: int) -> list[ConsultationResponse]:
    rows = await session.scalars(
        select(ConsultationResponse)
        .where(ConsultationResponse.consultation_id == consultation_id)
        .order_by(ConsultationResponse.responded_at, ConsultationResponse.id)
    )
    return list(rows)


async def response_of(
    session: AsyncSession, *, consultation_id: int, responder: str
) -> ConsultationResponse | None:
    return await session.scalar(
        select(ConsultationResponse).where(
            ConsultationResponse.consultation_id == consultation_id,
            ConsultationResponse.responder == responder,
        )
    )


async def record_response(
    session: AsyncSession, *, consultation: Consultation, person: Person, at: datetime
) -> ConsultationResponse:
    response = ConsultationResponse(
        consultation_id=consultation.id,
        responder=responder_of(person),
        person_id=person.id,
        organisation_id=person.organisation_id,
        responded_at=at,
    )
    session.add(response)
    await session.flush()
    return response


# --- scheduled posts --------------------------------------------------------------------


async def add_scheduled_post(session: AsyncSession, **values: Any) -> ScheduledPost:
    post = ScheduledPost(**values)
    session.add(post)
    await session.flush()
    return post


async def get_scheduled_post(session: AsyncSession, post_id: int) -> ScheduledPost:
    found = await session.get(ScheduledPost, post_id)
    if found is None:
        raise NotFound(
            f"There is no scheduled post #{post_id}.",
            hint="`schedules` lists them.",
            example="schedule cancel 3",
        )
    return found


async def live_scheduled_posts(session: AsyncSession, *, now: datetime) -> list[ScheduledPost]:
    """Not cancelled, and either repeating or a one-off not long past."""
    rows = await session.scalars(
        select(ScheduledPost)
        .where(
            ScheduledPost.cancelled_at.is_(None),
            or_(ScheduledPost.every.is_not(None), ScheduledPost.first_at > now - timedelta(days=7)),
        )
        .order_by(ScheduledPost.id)
    )
    return list(rows)
