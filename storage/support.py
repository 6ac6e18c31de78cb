"""Support requests and their audit trail, plus the rules that decide entitlement and targets.

The request text (`details`) is confidential: it is shown only to the requester, staff and the
private triage channel, and never logged (see docs/support.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.terms import OfficeHours
from storage.base import Base, UTCDateTime, utcnow
from storage.directory import Organisation, Person

KINDS = ("crisis", "consultancy", "advocacy", "brokerage")
ALL_KINDS = (*KINDS, "signposting")
URGENCIES = ("today", "this week", "this half term")
OPEN = ("new", "acknowledged", "assigned", "escalated")
CLOSED = ("signposted", "resolved")
SAFETY_NET_DAYS = {"yellow": 1, "amber": 2, "red": 3}

# what the requester's organisation is entitled to for a kind of request
SUBSCRIBER = "included in your subscription"
UNIVERSAL = "universal offer (signposting)"
SIGNPOST_QUOTE = "signpost / quote"
SIGNPOSTING = "signposting (not a subscriber)"

# The stored offer as each reader says it: (a school's words, staff words). A school reads
# what it can ask for; staff read the rule that applied (Learn Sheffield subscription offer,
# seed 003: subscribers get crisis, consultancy, advocacy and brokerage; every school gets
# signposting; others a signpost or a quote).
OFFER_WORDS = {
    SUBSCRIBER: ("included in your subscription", "subscriber: included"),
    UNIVERSAL: ("open to every school", "universal offer (any school)"),
    SIGNPOST_QUOTE: (
        "we will point you to help or quote for the work (you do not subscribe)",
        "not a subscriber: signpost or quote",
    ),
    SIGNPOSTING: (
        "we will point you to the right help (you do not subscribe)",
        "not a subscriber: signposting only",
    ),
}

# One line for each kind of support, in a school's words, for the form and `help support`.
KIND_DESCRIPTIONS = {
    "crisis": "something serious has happened and you need a leader's help today "
    "(head suddenly absent, serious incident, unannounced inspection)",
    "consultancy": "expert advice or a review for planned work "
    "(curriculum, leadership, Ofsted preparation)",
    "advocacy": "someone to speak up for your school with the council, the DfE or the press",
    "brokerage": "help finding and agreeing support from another school, trust or provider",
    "signposting": "where to find guidance or who to ask (open to every school)",
}


def offer_words(offer: str, *, staff: bool) -> str:
    """The stored `offer` in the reader's words: staff words when `staff`, else a school's."""
    school, staff_words = OFFER_WORDS.get(offer, (offer, offer))
    return staff_words if staff else school


def kind_hint() -> str:
    """The support form's line per kind: `crisis: ...` one per line."""
    return "\n".join(f"{kind}: {text}" for kind, text in KIND_DESCRIPTIONS.items())


class SupportRequest(Base):
    """One request for point-of-need leadership support from a school or trust."""

    __tablename__ = "support_requests"
    __table_args__ = (
        Index("ix_support_requests_status", "status"),
        Index("ix_support_requests_organisation", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(20))
    contact: Mapped[str | None] = mapped_column(String(300))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="new")
    offer: Mapped[str] = mapped_column(String(60))
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def __repr__(self) -> str:  # never the details: reprs end up in tracebacks and logs
        return f"<SupportRequest #{self.id} {self.kind} {self.status}>"


class SupportEvent(Base):
    """The audit trail: who did what to a request, and when; `days` for safety-net days used."""

    __tablename__ = "support_events"
    __table_args__ = (Index("ix_support_events_request", "request_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    days: Mapped[float | None] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<SupportEvent #{self.id} {self.action} on #{self.request_id}>"


# --- rules ------------------------------------------------------------------------------


def offer_for(*, subscriber: bool, kind: str) -> str:
    """Subscribers get the four kinds; everyone gets signposting; others a signpost or quote."""
    if kind == "signposting":
        return UNIVERSAL
    if subscriber:
        return SUBSCRIBER
    return SIGNPOST_QUOTE if kind == "consultancy" else SIGNPOSTING


def safety_net_days(*, subscriber: bool, category: str | None) -> int:
    """Extra days for vulnerable subscribing schools: yellow one, amber two, red three."""
    if not subscriber:
        return 0
    return SAFETY_NET_DAYS.get((category or "").lower(), 0)


def school_year(day: date) -> tuple[date, date]:
    """The school year (1 September to 31 August) that `day` falls in."""
    start_year = day.year if day.month >= 9 else day.year - 1
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


def add_working_hours(
    start: datetime, hours: float, *, office: OfficeHours, tz: ZoneInfo
) -> datetime:
    """The instant `hours` of Learn Sheffield's working time after `start`, in UTC.

    Working time is `office`'s hours on its open days (weekdays that are not bank holidays or in
    its closure period); school holidays count, since Learn Sheffield works through them.
    """
    remaining = timedelta(hours=hours)
    local = start.astimezone(tz)
    day, cursor = local.date(), local
    for _ in range(800):
        if office.is_open_day(day):
            opens = datetime.combine(day, office.opens, tzinfo=tz)
            closes = datetime.combine(day, office.closes, tzinfo=tz)
            begin = max(cursor, opens)
            if begin < closes:
                if remaining <= closes - begin:
                    return (begin + remaining).astimezone(UTC)
                remaining -= closes - begin
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0), tzinfo=tz)
    return (start + remaining).astimezone(UTC)  # never open (a closure all year): wall-clock


def next_opening(at: datetime, *, office: OfficeHours, tz: ZoneInfo) -> datetime:
    """`at` itself when Learn Sheffield's office is open then, else when it next opens (UTC):
    a target set out of hours counts from this moment."""
    return add_working_hours(at, 0, office=office, tz=tz)


def ack_hours(
    kind: str, *, crisis_hours: float, other_days: float, office: OfficeHours | None = None
) -> float:
    """Working hours to acknowledge: crisis in hours, others in working days of `office`
    (default 08:00-18:00, ten hours)."""
    day = (office or OfficeHours()).hours_per_day
    return crisis_hours if kind == "crisis" else other_days * day


# --- repository -------------------------------------------------------------------------


async def create_request(
    session: AsyncSession,
    *,
    requester: Person,
    organisation: Organisation,
    kind: str,
    details: str,
    urgency: str,
    contact: str | None,
    consent: bool,
    now: datetime,
    ack_due_at: datetime,
) -> SupportRequest:
    """Record a new request and its first audit event."""
    request = SupportRequest(
        kind=kind,
        details=details,
        urgency=urgency,
        contact=contact,
        consent=consent,
        status="new",
        offer=offer_for(subscriber=organisation.subscriber, kind=kind),
        requester_id=requester.id,
        organisation_id=organisation.id,
        created_at=now,
        updated_at=now,
        ack_due_at=ack_due_at,
    )
    session.add(request)
    await session.flush()
    await add_event(session, request=request, actor_id=requester.id, action="raised", now=now)
    return request


async def add_event(
    session: AsyncSession,
    *,
    request: SupportRequest,
    actor_id: int | None,
    action: str,
    now: datetime,
    note: str | None = None,
    days: float | None = None,
) -> SupportEvent:
    """Append to the audit trail (the request's status after the change is kept with it)."""
    request.updated_at = now
    event = SupportEvent(
        request_id=request.id,
        actor_id=actor_id,
        at=now,
        action=action,
        status=request.status,
        note=note,
        days=days,
    )
    session.add(event)
    await session.flush()
    return event


async def get_request(session: AsyncSession, request_id: int) -> SupportRequest | None:
    return await session.get(SupportRequest, request_id)


async def forget_request_text(
    session: AsyncSession, request: SupportRequest, *, replacement: str
) -> None:
    """Drop what was said in `request`, keeping what is counted (retention and erasure).

    The details become `replacement`; the contact and every event's note go; each outbox copy
    (keys `support:<id>:...`, the triage channel's included) has its text and payload blanked,
    and a copy not yet sent is cancelled so the text never goes out.
    """
    from storage.outbox import OutboxMessage

    request.details = replacement
    request.contact = None
    await session.execute(
        update(SupportEvent).where(SupportEvent.request_id == request.id).values(note=None)
    )
    copies = OutboxMessage.key.startswith(f"support:{request.id}:")
    await session.execute(
        update(OutboxMessage)
        .where(copies, OutboxMessage.state == "pending")
        .values(state="cancelled", error=replacement)
    )
    await session.execute(update(OutboxMessage).where(copies).values(text=replacement, payload={}))


async def events_of(session: AsyncSession, request_id: int) -> list[SupportEvent]:
    rows = await session.scalars(
        select(SupportEvent)
        .where(SupportEvent.request_id == request_id)
        .order_by(SupportEvent.at, SupportEvent.id)
    )
    return list(rows)


async def open_requests(session: AsyncSession) -> list[SupportRequest]:
    rows = await session.scalars(
        select(SupportRequest).where(SupportRequest.status.in_(OPEN)).order_by(SupportRequest.id)
    )
    return list(rows)


async def closed_requests(session: AsyncSession, *, limit: int = 60) -> list[SupportRequest]:
    """The most recently closed requests (resolved, signposted), newest first."""
    rows = await session.scalars(
        select(SupportRequest)
        .where(SupportRequest.status.not_in(OPEN))
        .order_by(SupportRequest.closed_at.desc(), SupportRequest.id.desc())
        .limit(limit)
    )
    return list(rows)


async def requests_for(
    session: AsyncSession, *, organisation_id: int | None, requester_id: int
) -> list[SupportRequest]:
    """Requests raised by a person or for their organisation, newest first."""
    cond = SupportRequest.requester_id == requester_id
    if organisation_id is not None:
        cond = cond | (SupportRequest.organisation_id == organisation_id)
    rows = await session.scalars(
        select(SupportRequest).where(cond).order_by(SupportRequest.id.desc())
    )
    return list(rows)


async def requests_raised_between(
    session: AsyncSession, *, start: datetime, end: datetime, organisation_id: int | None = None
) -> list[SupportRequest]:
    stmt = select(SupportRequest).where(
        SupportRequest.created_at >= start, SupportRequest.created_at < end
    )
    if organisation_id is not None:
        stmt = stmt.where(SupportRequest.organisation_id == organisation_id)
    return list(await session.scalars(stmt.order_by(SupportRequest.id)))


async def days_used(
    session: AsyncSession, *, organisation_id: int, start: datetime, end: datetime
) -> float:
    """Safety-net days logged against an organisation's requests in [start, end)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(SupportEvent.days), 0.0))
        .join(SupportRequest, SupportRequest.id == SupportEvent.request_id)
        .where(
            SupportRequest.organisation_id == organisation_id,
            SupportEvent.days.is_not(None),
            SupportEvent.at >= start,
            SupportEvent.at < end,
        )
    )
    return float(total or 0.0)


async def unacknowledged_past_target(
    session: AsyncSession, *, now: datetime
) -> list[SupportRequest]:
    """Open requests nobody has acknowledged whose target has passed (the planner's work)."""
    rows = await session.scalars(
        select(SupportRequest)
        .where(
            SupportRequest.status.in_(OPEN),
            SupportRequest.acked_at.is_(None),
            SupportRequest.ack_due_at <= now,
        )
        .order_by(SupportRequest.ack_due_at, SupportRequest.id)
    )
    return list(rows)


def summarise(requests: list[SupportRequest], *, now: datetime) -> dict[str, object]:
    """Counts by kind and status, median hours to acknowledge and to close, missed targets."""
    from statistics import median

    def hours(delta: timedelta) -> float:
        return delta.total_seconds() / 3600

    acks = [hours(r.acked_at - r.created_at) for r in requests if r.acked_at]
    closes = [hours(r.closed_at - r.created_at) for r in requests if r.closed_at]
    return {
        "requests": len(requests),
        "kinds": {k: sum(1 for r in requests if r.kind == k) for k in ALL_KINDS},
        "statuses": {s: sum(1 for r in requests if r.status == s) for s in OPEN + CLOSED},
        "median_ack_hours": median(acks) if acks else None,
        "median_close_hours": median(closes) if closes else None,
        "missed": sum(1 for r in requests if (r.acked_at or now) > r.ack_due_at),
    }
