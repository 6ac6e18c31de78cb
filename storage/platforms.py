"""Storage for the platform doors: Slack events already processed, and chart images to serve.

Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`); remembering each
`event_id` in the database (not in memory) makes a retry a no-op in every process.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Integer, LargeBinary, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, dialect_insert

EVENT_MEMORY = timedelta(days=2)  # Slack stops retrying after about an hour
IMAGE_MEMORY = timedelta(days=30)  # a chart older than this 404s in old messages; that is fine


class SlackEvent(Base):
    """One Events API delivery we have taken on (by Slack's `event_id`)."""

    __tablename__ = "slack_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(60), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SlackImage(Base):
    """A chart (PNG) the bot serves at `/slack/images/<digest>.png` for Block Kit image blocks."""

    __tablename__ = "slack_images"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


async def claim_event(session: AsyncSession, *, event_id: str, kind: str, now: datetime) -> bool:
    """True the first time an event id is seen anywhere; False for every redelivery."""
    stmt = (
        dialect_insert(session)(SlackEvent)
        .values(event_id=event_id[:100], kind=kind[:60], received_at=now)
        .on_conflict_do_nothing(index_elements=["event_id"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)


async def forget_old_events(session: AsyncSession, *, now: datetime) -> int:
    """Drop ids older than Slack's retry window, so the table stays small."""
    result = await session.execute(
        delete(SlackEvent).where(SlackEvent.received_at < now - EVENT_MEMORY)
    )
    return result.rowcount or 0


async def store_image(session: AsyncSession, *, data: bytes, now: datetime) -> str:
    """Keep a PNG by its SHA-256 (the same chart twice is stored once); returns the digest.

    Storing it again refreshes `created_at`, so a chart still in use is not forgotten."""
    digest = hashlib.sha256(data).hexdigest()
    stmt = (
        dialect_insert(session)(SlackImage)
        .values(digest=digest, data=data, created_at=now)
        .on_conflict_do_update(index_elements=["digest"], set_={"created_at": now})
    )
    await session.execute(stmt)
    return digest


async def forget_old_images(session: AsyncSession, *, now: datetime) -> int:
    """Drop charts last stored more than `IMAGE_MEMORY` ago; returns how many went."""
    result = await session.execute(
        delete(SlackImage).where(SlackImage.created_at < now - IMAGE_MEMORY)
    )
    return result.rowcount or 0


async def image_by_digest(session: AsyncSession, digest: str) -> bytes | None:
    return await session.scalar(select(SlackImage.data).where(SlackImage.digest == digest))
