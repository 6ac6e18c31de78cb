"""Senders deliver one outbox message on one platform. The web chat's is always there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply import Reply
from storage.outbox import OutboxMessage


class DeliveryError(Exception):
    """A send failed. `permanent` failures are not retried; `retry_after` is in seconds."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass
class Sent:
    platform: str
    message_id: str | None = None


class Sender(Protocol):
    platform: str

    async def can_reach(self, session: AsyncSession, target: str) -> bool: ...

    async def send(self, session: AsyncSession, message: OutboxMessage, reply: Reply) -> Sent: ...

    # Optional: `async def already_sent(session, message) -> Sent | None` lets the dispatcher
    # ask the platform whether a message reclaimed from a dead sender already arrived.


class WebInboxSender:
    """The local web chat reads sent rows as its inbox, so 'sending' is recording delivery."""

    platform = "web"

    async def can_reach(self, session: AsyncSession, target: str) -> bool:
        return target.startswith(("person:", "group:"))

    async def send(self, session: AsyncSession, message: OutboxMessage, reply: Reply) -> Sent:
        return Sent(platform="web", message_id=f"web-{message.id}")
