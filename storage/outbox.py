"""The outbox: every proactive message is a row with a unique idempotency key.

Planners only insert; a second insert of the same key is a no-op, so two clocks, a retry or
a restart cannot send twice. Only the dispatcher sends.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Index, Integer, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.reply import Reply
from storage.base import Base, JSONType, UTCDateTime, dialect_insert, utcnow

STATES = ("pending", "sending", "sent", "failed", "skipped", "cancelled")


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="message")
    target: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(20))
    platform_message_id: Mapped[str | None] = mapped_column(String(200))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def reply(self) -> Reply:
        return Reply.from_dict(self.payload or {"text": self.text})

    def as_row(self) -> dict[str, Any]:
        """The fields `partnership-bot outbox --json` promises."""
        return {
            "id": self.id,
            "key": self.key,
            "kind": self.kind,
            "target": self.target,
            "state": self.state,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "attempts": self.attempts,
            "error": self.error,
            "platform": self.platform,
            "text": self.text,
        }


def person_target(person_id: int) -> str:
    return f"person:{person_id}"


def group_target(group_name: str) -> str:
    return f"group:{group_name}"


def plain_text(reply: Reply) -> str:
    from bot.render.text import render_text

    return render_text(reply)


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    target: str,
    reply: Reply,
    due_at: datetime,
    kind: str | None = None,
    state: str = "pending",
    error: str | None = None,
) -> bool:
    """Insert a message unless its key exists. True when this call created it."""
    values = {
        "key": key,
        "kind": kind or key.split(":", 1)[0],
        "target": target,
        "payload": reply.to_dict(),
        "text": plain_text(reply),
        "state": state,
        "due_at": due_at,
        "created_at": utcnow(),
        "attempts": 0,
        "error": error,
    }
    stmt = (
        dialect_insert(session)(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)


async def exists(session: AsyncSession, key: str) -> bool:
    return (
        await session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
    ) is not None


async def keys_with_prefix(session: AsyncSession, prefix: str) -> set[str]:
    rows = await session.scalars(
        select(OutboxMessage.key).where(OutboxMessage.key.startswith(prefix))
    )
    return set(rows)


async def cancel_pending(session: AsyncSession, *, prefix: str, reason: str) -> int:
    """Cancel unsent rows whose key starts with `prefix` (a moved meeting, a done action)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key.startswith(prefix), OutboxMessage.state == "pending")
        .values(state="cancelled", error=reason)
    )
    return result.rowcount or 0


async def listing(
    session: AsyncSession, *, state: str | None = None, limit: int = 500
) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)
    if state:
        stmt = stmt.where(OutboxMessage.state == state)
    return list(await session.scalars(stmt))


async def sent_to(
    session: AsyncSession, *, targets: list[str], after_id: int = 0, limit: int = 50
) -> list[OutboxMessage]:
    """Sent messages for any of `targets` (the web chat's inbox)."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.target.in_(targets),
            OutboxMessage.state == "sent",
            OutboxMessage.id > after_id,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))


LEASE = timedelta(minutes=2)
