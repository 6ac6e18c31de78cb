"""The dispatcher: claim due outbox rows, send each through the first sender that can reach
its target, record the result. Only this module sends proactive messages.

Exactly-once: a unique key stops a second row; a claim (PostgreSQL `FOR UPDATE SKIP LOCKED`,
then a lease) stops a second sender; a row whose sender died is reclaimed when its lease ends,
and the sender is asked whether the platform already has it before sending again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduled.senders import DeliveryError, Sender, Sent, WebInboxSender
from storage.db import Database
from storage.outbox import LEASE, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RECLAIMED = "reclaimed after its sender stopped"


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Retry-After when the platform gives one, else exponential with jitter."""
    if retry_after is not None:
        return timedelta(seconds=max(0.0, retry_after))
    base = min(300.0, 2.0**attempts)
    return timedelta(seconds=base * (0.5 + random.random()))


class Dispatcher:
    def __init__(
        self,
        db: Database,
        senders: Sequence[Sender] | None = None,
        *,
        lease: timedelta = LEASE,
        concurrency: int = 8,
        worker: str | None = None,
    ) -> None:
        self.db = db
        self.senders: list[Sender] = list(senders or [])
        if not any(s.platform == "web" for s in self.senders):
            self.senders.append(WebInboxSender())
        self.lease = lease
        self.concurrency = max(1, concurrency)
        self.worker = worker or worker_id()

    async def claim(self, *, now: datetime, limit: int) -> list[int]:
        """Mark due rows as ours for a lease; PostgreSQL skips rows other workers hold."""
        due = (OutboxMessage.state == "pending") & (OutboxMessage.due_at <= now)
        expired = (OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now)
        async with self.db.session() as session:
            stmt = (
                select(OutboxMessage.id, OutboxMessage.state)
                .where(due | expired)
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
                .limit(limit)
            )
            if not self.db.is_sqlite:
                stmt = stmt.with_for_update(skip_locked=True)
            rows = (await session.execute(stmt)).all()
            ids = [r.id for r in rows]
            reclaimed = [r.id for r in rows if r.state == "sending"]
            if ids:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .values(state="sending", claimed_by=self.worker, lease_until=now + self.lease)
                )
            if reclaimed:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(reclaimed))
                    .values(error=RECLAIMED)
                )
            return ids

    async def run_once(self, *, now: datetime, limit: int = 200) -> list[OutboxMessage]:
        """Send what is due now; returns the rows handled (sent, failed or retried)."""
        ids = await self.claim(now=now, limit=limit)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(message_id: int) -> OutboxMessage | None:
            async with gate:
                return await self.deliver(message_id, now=now)

        results = await asyncio.gather(*(one(i) for i in ids))
        return [r for r in results if r is not None]

    async def deliver(self, message_id: int, *, now: datetime) -> OutboxMessage | None:
        async with self.db.session() as session:
            row = await session.get(OutboxMessage, message_id)
            if row is None or row.state != "sending" or row.claimed_by != self.worker:
                return None
            row.attempts += 1
            try:
                sender = await self._sender_for(session, row.target)
                if sender is None:
                    raise DeliveryError(
                        f"nobody can be reached at {row.target}: no platform account or channel",
                        permanent=True,
                    )
                sent = None
                if row.error == RECLAIMED:
                    sent = await self._already_sent(sender, session, row)
                if sent is None:
                    sent = await sender.send(session, row, row.reply)
            except DeliveryError as err:
                row.error = err.reason[:500]
                if err.permanent or row.attempts >= MAX_ATTEMPTS:
                    row.state = "failed"
                else:
                    row.state = "pending"
                    row.due_at = now + backoff(row.attempts, err.retry_after)
                row.claimed_by, row.lease_until = None, None
                log.warning("outbox #%s (%s) not delivered: %s", row.id, row.kind, row.state)
                return row
            except Exception as exc:  # a bug in a sender: keep the row, say what kind of error
                log.error("outbox #%s (%s): sender error %s", row.id, row.kind, type(exc).__name__)
                row.error = f"internal error ({type(exc).__name__})"
                row.state = "pending" if row.attempts < MAX_ATTEMPTS else "failed"
                row.due_at = now + backoff(row.attempts)
                row.claimed_by, row.lease_until = None, None
                return row
            row.state, row.sent_at = "sent", now
            row.platform, row.platform_message_id = sent.platform, sent.message_id
            row.error, row.claimed_by, row.lease_until = None, None, None
            return row

    async def _already_sent(
        self, sender: Sender, session: AsyncSession, row: OutboxMessage
    ) -> Sent | None:
        """Ask the platform whether a reclaimed message already arrived (if it can tell)."""
        check = getattr(sender, "already_sent", None)
        if check is None:
            return None
        return await check(session, row)

    async def _sender_for(self, session: AsyncSession, target: str) -> Sender | None:
        for sender in self.senders:
            if await sender.can_reach(session, target):
                return sender
        return None


async def retry(db: Database, *, ids: list[int] | None, all_failed: bool, now: datetime) -> int:
    """Put failed (or named) rows back in the queue, due now."""
    async with db.session() as session:
        stmt = update(OutboxMessage).values(
            state="pending", due_at=now, attempts=0, claimed_by=None, lease_until=None
        )
        if all_failed:
            stmt = stmt.where(OutboxMessage.state == "failed")
        else:
            stmt = stmt.where(
                OutboxMessage.id.in_(ids or []),
                OutboxMessage.state.in_(("failed", "cancelled", "skipped")),
            )
        return (await session.execute(stmt)).rowcount or 0


async def cancel(db: Database, *, ids: list[int]) -> int:
    """Cancel rows that have not been sent."""
    async with db.session() as session:
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state.in_(("pending", "failed")))
            .values(state="cancelled", error="cancelled by an admin")
        )
        return result.rowcount or 0
