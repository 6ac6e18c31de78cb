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
import secrets
import socket
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from scheduled.senders import DeliveryError, Sender, Sent, WebInboxSender
from storage.db import Database
from storage.directory import Person
from storage.outbox import LEASE, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5  # OUTBOX_MAX_ATTEMPTS
SEND_TIMEOUT = 20.0  # seconds; SEND_TIMEOUT_SECONDS
BACKOFF_FIRST = 15.0  # seconds before the first retry, doubling after each further try
BACKOFF_CAP = 600.0  # no retry waits longer than this
RECLAIMED = "reclaimed after its sender stopped"
NO_ANSWER = "no answer from the platform in time"
UNSURE = (RECLAIMED, NO_ANSWER)  # the platform may already have these: ask before sending
RECORDED = (
    "state",
    "error",
    "due_at",
    "sent_at",
    "attempts",
    "platform",
    "platform_message_id",
    "claimed_by",
    "lease_until",
)
SAFE_SHARE = 0.5  # a batch sends only in the first half of its lease
DEACTIVATED = "not sent: the person is deactivated in the directory"


def _person_id(target: str) -> int | None:
    kind, _, ident = target.partition(":")
    return int(ident) if kind == "person" and ident.isdigit() and len(ident) < 10 else None


def worker_id() -> str:
    """Host, process and a per-dispatcher suffix: two dispatchers never share a claim."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """How long a row waits after its `attempts`-th failed try: Retry-After when the platform
    gives one, else exponential (15 s, 30 s, 60 s ...) capped at 10 minutes, with jitter
    (half to all of it) so rows that failed together do not all retry together."""
    if retry_after is not None:
        return timedelta(seconds=max(0.0, retry_after))
    ceiling = min(BACKOFF_CAP, BACKOFF_FIRST * 2.0 ** min(max(attempts, 1) - 1, 30))
    return timedelta(seconds=ceiling * (0.5 + random.random() / 2))


class Dispatcher:
    """Claims due rows in batches and delivers them, `concurrency` at a time.

    A claimed row is ours until `lease` runs out; a row not sent well inside its lease goes
    back to the queue unsent, so a reclaiming process never races a slow one.
    """

    def __init__(
        self,
        db: Database,
        senders: Sequence[Sender] | None = None,
        *,
        lease: timedelta = LEASE,
        concurrency: int = 8,
        worker: str | None = None,
        batch: int = 200,
        send_timeout: float = SEND_TIMEOUT,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.db = db
        self.senders: list[Sender] = list(senders or [])
        if not any(s.platform == "web" for s in self.senders):
            self.senders.append(WebInboxSender())
        self.lease = lease
        self.concurrency = max(1, concurrency)
        self.worker = worker or worker_id()
        self.batch = batch
        self.send_timeout = send_timeout
        self.max_attempts = max(1, max_attempts)
        self.stopping = False  # set on shutdown: finish the batch in hand, claim no more

    async def claim(self, *, now: datetime, limit: int) -> list[OutboxMessage]:
        """Mark due rows as ours for a lease; PostgreSQL skips rows other workers hold.

        The UPDATE re-checks the state, so on SQLite (no SKIP LOCKED) a row another process
        claimed first is not claimed again; rows taken back from a dead sender say so in
        `error`, which makes delivery ask the platform before sending.
        """
        claimable = ((OutboxMessage.state == "pending") & (OutboxMessage.due_at <= now)) | (
            (OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now)
        )
        async with self.db.session() as session:
            stmt = (
                select(OutboxMessage.id)
                .where(claimable)
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
                .limit(limit)
            )
            if not self.db.is_sqlite:
                stmt = stmt.with_for_update(skip_locked=True)
            ids = list(await session.scalars(stmt))
            if not ids:
                return []
            rows = await session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), claimable)
                .values(
                    state="sending",
                    claimed_by=self.worker,
                    lease_until=now + self.lease,
                    error=case(
                        (OutboxMessage.state == "sending", RECLAIMED), else_=OutboxMessage.error
                    ),
                )
                .returning(OutboxMessage),
                execution_options={"synchronize_session": False},
            )
            return sorted(rows, key=lambda r: (r.due_at, r.id))

    async def run_once(self, *, now: datetime, limit: int | None = None) -> list[OutboxMessage]:
        """Send what is due now; returns the rows handled (sent, failed or retried).

        One claim, one look-up per sender and one write for the whole batch: a crash before
        the write leaves rows that Slack may have, which the reclaim checks before resending.
        """
        if self.stopping:
            return []
        deadline = time.monotonic() + self.lease.total_seconds() * SAFE_SHARE
        rows = await self.claim(now=now, limit=limit or self.batch)
        if not rows:
            return []
        await self._prepare(rows)
        deactivated = await self._deactivated(rows)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(row: OutboxMessage) -> dict[str, Any]:
            if row.id in deactivated:
                # whoever queued it, a deactivated person is sent nothing (kept, not deleted)
                return {"claimed_by": None, "lease_until": None} | {
                    "state": "cancelled",
                    "error": DEACTIVATED,
                }
            async with gate:
                return await self.deliver(row, now=now, deadline=deadline)

        outcomes = await asyncio.gather(*(one(r) for r in rows))
        await self._record(list(zip(rows, outcomes, strict=True)))
        return [r for r, o in zip(rows, outcomes, strict=True) if o.get("attempts")]

    async def deliver(
        self, row: OutboxMessage, *, now: datetime, deadline: float
    ) -> dict[str, Any]:
        """Send one claimed row; returns the columns to record for it."""
        released = {"state": "pending", "claimed_by": None, "lease_until": None}
        if time.monotonic() >= deadline:  # our lease is nearly over: give it back unsent
            return released
        attempts = row.attempts + 1
        last = attempts >= self.max_attempts
        # the look-up and the send share one timeout, within our lease
        budget = max(0.1, min(self.send_timeout, deadline - time.monotonic()))
        async with self.db.session() as session:
            try:
                sender = await self._sender_for(session, row.target)
                if sender is None:
                    raise DeliveryError(
                        f"nobody can be reached at {row.target}: no platform account or channel",
                        permanent=True,
                    )
                async with asyncio.timeout(budget):
                    sent = None
                    if (row.error or "").startswith(UNSURE):
                        sent = await self._already_sent(sender, session, row)
                    if sent is None:
                        sent = await sender.send(session, row, row.reply)
            except TimeoutError:
                # a try that counts; the platform may have it, so the next try asks first
                log.warning("outbox #%s (%s): no answer in time", row.id, row.kind)
                values: dict[str, Any] = {"state": "failed" if last else "pending"}
                if last:
                    values["error"] = f"{NO_ANSWER} ({attempts} tries)"
                else:
                    # started late in a batch, it had under half the usual time: not the
                    # platform's silence so much as our lease running out; again at once
                    usual = min(self.send_timeout, self.lease.total_seconds() * SAFE_SHARE)
                    cut_short = budget < usual / 2
                    values.update(
                        error=NO_ANSWER, due_at=now if cut_short else now + backoff(attempts)
                    )
            except DeliveryError as err:
                failed = err.permanent or last
                values = {"state": "failed" if failed else "pending", "error": err.reason[:500]}
                if not failed:
                    values["due_at"] = now + backoff(attempts, err.retry_after)
                log.warning("outbox #%s (%s) not delivered: %s", row.id, row.kind, values["state"])
            except Exception as exc:  # a bug in a sender: keep the row, say what kind of error
                log.error("outbox #%s (%s): sender error %s", row.id, row.kind, type(exc).__name__)
                values = {
                    "state": "failed" if last else "pending",
                    "error": f"internal error ({type(exc).__name__})",
                    "due_at": now + backoff(attempts),
                }
            else:
                values = {
                    "state": "sent",
                    "sent_at": now,
                    "platform": sent.platform,
                    "platform_message_id": sent.message_id,
                    "error": None,
                }
        return {**released, **values, "attempts": attempts}

    async def _prepare(self, rows: list[OutboxMessage]) -> None:
        """Let senders look up a whole batch's accounts in one query (if they can)."""
        hooks = [s.prepare for s in self.senders if hasattr(s, "prepare")]
        if hooks:
            async with self.db.session() as session:
                for prepare in hooks:
                    await prepare(session, rows)

    async def _deactivated(self, rows: list[OutboxMessage]) -> set[int]:
        """The ids of claimed rows addressed to a deactivated person: one query per batch."""
        targets = {row.id: _person_id(row.target) for row in rows}
        wanted = {p for p in targets.values() if p is not None}
        if not wanted:
            return set()
        async with self.db.session() as session:
            inactive = set(
                await session.scalars(
                    select(Person.id).where(Person.id.in_(wanted), Person.active.is_(False))
                )
            )
        return {row_id for row_id, person in targets.items() if person in inactive}

    async def _record(self, outcomes: list[tuple[OutboxMessage, dict[str, Any]]]) -> None:
        """Write every outcome in one statement, only for rows still ours; mirror them on the
        returned objects."""
        params = []
        for row, values in outcomes:
            merged = {name: values.get(name, getattr(row, name)) for name in RECORDED}
            params.append({f"new_{k}": v for k, v in merged.items()} | {"row_id": row.id})
            for name, value in values.items():
                set_committed_value(row, name, value)
        table = OutboxMessage.__table__
        stmt = (
            table.update()
            .where(table.c.id == bindparam("row_id"), table.c.claimed_by == self.worker)
            .values({name: bindparam(f"new_{name}") for name in RECORDED})
        )
        async with self.db.session() as session:
            await session.execute(stmt, params)

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
