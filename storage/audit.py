"""The audit log: who changed what, through which door, when. Written by the router only, from
what the command's reply says it changed (`Reply.subject`), never from the reply's wording."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime

# the kind of thing a command changes, by its first word (`triage ack 12` changes support #12)
KINDS = {
    "triage": "support",
    "rsvp": "meeting",
    "apologies": "meeting",
    "agenda": "meeting",
    "papers": "meeting",
    "minutes": "meeting",
    "opp": "opportunity",
    "privacy": "person",
    "terms": "terms",
}


def kind_of(word: str) -> str:
    """The kind a command's first word, or an `audit <kind>` word, stands for: `terms` and
    `term`, `minutes` and `meeting`, `actions` and `action` agree, for the writer and reader."""
    word = word.lower()
    single = word.rstrip("s")
    for known in (word, single, single + "s"):
        if known in KINDS:
            return KINDS[known]
    return single


class AuditEntry(Base):
    """One successful write. Holds no command text: support details must not land here."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_object", "object_kind", "object_id"),
        Index("ix_audit_log_actor_id", "actor_id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    door: Mapped[str] = mapped_column(String(20))
    command: Mapped[str] = mapped_column(String(60))
    object_kind: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[int | None] = mapped_column(Integer)

    @property
    def object(self) -> str:
        if self.object_kind and self.object_id is not None:
            return f"{self.object_kind} #{self.object_id}"
        return self.object_kind or ""


async def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor_id: int | None,
    door: str,
    command: str,
    object_kind: str | None,
    object_id: int | None,
) -> AuditEntry:
    """Add one entry in the caller's transaction, so it commits or rolls back with the write."""
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        door=door[:20],
        command=command[:60],
        object_kind=object_kind[:30] if object_kind else None,
        object_id=object_id,
    )
    session.add(entry)
    return entry


async def entries(
    session: AsyncSession,
    *,
    person_id: int | None = None,
    object_kind: str | None = None,
    object_id: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Newest first; a person's entries are those they made and those about them."""
    query = select(AuditEntry)
    if person_id is not None:
        query = query.where(
            or_(
                AuditEntry.actor_id == person_id,
                (AuditEntry.object_kind == "person") & (AuditEntry.object_id == person_id),
            )
        )
    if object_kind is not None:
        query = query.where(AuditEntry.object_kind == object_kind)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())
