"""The dispatcher: claim due outbox rows, send each through the first sender that can reach
its target, record the result. Only this module sends proactive messages."""

from __future__ import annotations

import logging
import os
import random
import socket
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update

from scheduled.senders import DeliveryError, Sender, WebInboxSender
from storage.db import Database
from storage.outbox import LEASE, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Retry-After when the platform gives one, else exponential with jitter."""
    if retry_after is not None:
        return timedelta(seconds=max(0.0, retry_after))
    base = min(300.0, 2.0**attempts)
    return timedelta(seconds=base * (0.5 + random.random()))


class Dispatcher:
    def __init__(self, db: Database, senders: Sequence[Sender] | None = None) -> None:
        self.db = db
        self.senders: list[Sender] = list(senders or [])
        if not any(s.platform == "web" for s in self.senders):
            self.senders.append(WebInboxSender())

    async def claim(self, *, now: datetime, limit: int) -> list[int]:
        """Mark due rows as ours for a lease; PostgreSQL skips rows other workers hold."""
        async with self.db.session() as session:
            stmt = (
                select(OutboxMessage.id)
                .where(
                    ((OutboxMessage.state == "pending") & (OutboxMessage.due_at <= now))
                    | ((OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now))
                )
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
                .limit(limit)
            )
            if not self.db.is_sqlite:
                stmt = stmt.with_for_update(skip_locked=True)
            ids = list(await session.scalars(stmt))
            if ids:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .values(state="sending", claimed_by=WORKER_ID, lease_until=now + LEASE)
                )
            return ids

    async def run_once(self, *, now: datetime, limit: int = 200) -> list[OutboxMessage]:
        """Send what is due now; returns the rows handled (sent, failed or retried)."""
        handled = []
        for message_id in await self.claim(now=now, limit=limit):
            row = await self.deliver(message_id, now=now)
            if row is not None:
                handled.append(row)
        return handled

    async def deliver(self, message_id: int, *, now: datetime) -> OutboxMessage | None:
        async with self.db.session() as session:
            row = await session.get(OutboxMessage, message_id)
            if row is None or row.state != "sending" or row.claimed_by != WORKER_ID:
                return None
            row.attempts += 1
            try:
                sender = await self._sender_for(session, row.target)
                if sender is None:
                    raise DeliveryError(
                        f"nobody can be reached at {row.target}: no platform account or channel",
                        permanent=True,
                    )
                sent = await sender.send(session, row, row.reply)
            except DeliveryError as err:
                row.error = err.reason[:500]
                if err.permanent or row.attempts >= MAX_ATTEMPTS:
                    row.state = "failed"
                else:
                    row.state = "pending"
                    row.due_at = now + backoff(row.attempts, err.retry_after)
                row.claimed_by, row.lease_until = None, None
                log.warning("outbox %s not delivered: %s", row.key, row.state)
                return row
            except Exception as exc:  # a bug in a sender: keep the row, say what kind of error
                log.exception("outbox %s: sender error", row.key)
                row.error = f"internal error ({type(exc).__name__})"
                row.state = "pending" if row.attempts < MAX_ATTEMPTS else "failed"
                row.due_at = now + backoff(row.attempts)
                row.claimed_by, row.lease_until = None, None
                return row
            row.state, row.sent_at = "sent", now
            row.platform, row.platform_message_id = sent.platform, sent.message_id
            row.error, row.claimed_by, row.lease_until = None, None, None
            return row

    async def _sender_for(self, session, target: str) -> Sender | None:  # type: ignore[no-untyped-def]
        for sender in self.senders:
            if await sender.can_reach(session, target):
                return sender
        return None
