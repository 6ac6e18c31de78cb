"""The outbox sender for Slack: DMs to people, posts to group channels.

A 429 becomes `DeliveryError(retry_after=...)` so the dispatcher reschedules the row (other
messages keep flowing); 5xx are retried in the client with backoff, then rescheduled; errors an
admin must fix (bot not in the channel, channel gone, account deactivated) fail the row with a
message saying what to do. At most one message per second goes to any one channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.slack_common import (
    PLATFORM,
    http_status,
    image_urls,
    slack_answer,
    slack_error_code,
)
from bot.clock import Clock, SystemClock
from bot.render.blockkit import render_message
from bot.reply import Reply
from bot.settings import Settings
from scheduled.senders import DeliveryError, Sent
from storage.directory import Group, Identity
from storage.outbox import OutboxMessage

log = logging.getLogger(__name__)
BATCH_SECONDS = 30.0  # a batch's account look-ups are trusted this long
HISTORY_PAGES = 3  # how far back a reclaimed row looks for itself (200 posts a page)

ADMIN_FIXES = {
    "not_in_channel": "the bot is not in the Slack channel for {target}; "
    "invite it there with /invite @partnership-bot",
    "channel_not_found": "the Slack channel set for {target} does not exist or the bot "
    "cannot see it; check the group's Slack channel id",
    "is_archived": "the Slack channel for {target} is archived; unarchive it or set another",
    "account_inactive": "the Slack account for {target} is deactivated; "
    "they need an active Slack account (or use another door)",
    "user_not_found": "Slack does not know the user linked to {target}",
    "cannot_dm_bot": "{target} is linked to a Slack bot user, which cannot be messaged",
    "invalid_auth": "the Slack bot token is not valid; reinstall the app and set SLACK_BOT_TOKEN",
    "not_authed": "no Slack bot token was sent; set SLACK_BOT_TOKEN",
    "token_revoked": "the Slack bot token was revoked; reinstall the app and set SLACK_BOT_TOKEN",
    "account_inactive_bot": "the Slack app was removed from the workspace; reinstall it",
    "missing_scope": "the Slack app lacks a permission it needs ({detail}); "
    "reinstall it from slack/manifest.yml",
}


class SlackSender:
    platform = PLATFORM

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        settings: Settings,
        clock: Clock | None = None,
        per_channel_interval: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.settings = settings
        self.clock = clock or SystemClock()
        self.interval = per_channel_interval
        self._sleep = sleep
        self._monotonic = monotonic
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._batch: dict[int, str | None] = {}  # person id -> Slack user id, this batch only
        self._batch_until = 0.0
        self._dms: dict[str, str] = {}  # Slack user id -> DM channel id (it never changes)
        self._opening: dict[str, asyncio.Lock] = {}

    async def prepare(self, session: AsyncSession, messages: Sequence[OutboxMessage]) -> None:
        """Look up the Slack accounts of a whole batch at once (the dispatcher calls this
        before delivering it), instead of twice per message."""
        people = {
            int(r)
            for m in messages
            for k, _, r in [m.target.partition(":")]
            if k == "person" and r.isdigit()
        }
        batch: dict[int, str | None] = dict.fromkeys(people)
        if people:
            found = await session.execute(
                select(Identity.person_id, Identity.external_id)
                .where(Identity.person_id.in_(people), Identity.platform == PLATFORM)
                .order_by(Identity.id)
            )
            batch.update({pid: uid for pid, uid in found})  # the newest account wins
        self._batch, self._batch_until = batch, self._monotonic() + BATCH_SECONDS

    async def can_reach(self, session: AsyncSession, target: str) -> bool:
        kind, _, ref = target.partition(":")
        if kind == "person" and ref.isdigit():
            return await self._user_id(session, int(ref)) is not None
        if kind == "group":
            return await self._group_channel(session, ref) is not None
        return False

    async def send(self, session: AsyncSession, message: OutboxMessage, reply: Reply) -> Sent:
        target = message.target
        try:
            channel = await self._channel(session, target)
            image_url = await image_urls(
                session, reply, settings=self.settings, now=self.clock.now()
            )
            payload = render_message(reply, image_url=image_url)
            async with self._locks.setdefault(channel, asyncio.Lock()):
                await self._pace(channel)
                answer = await self.client.chat_postMessage(
                    channel=channel, metadata=outbox_metadata(message), **payload
                )
                self._last[channel] = self._monotonic()
        except SlackApiError as err:
            raise delivery_error(err, target) from None
        except TimeoutError:
            raise  # no answer: the dispatcher counts the try and asks before the next
        except aiohttp.ClientError as err:
            raise DeliveryError(f"Slack could not be reached ({type(err).__name__})") from None
        return Sent(platform=PLATFORM, message_id=answer.get("ts"))

    async def already_sent(self, session: AsyncSession, message: OutboxMessage) -> Sent | None:
        """Is a reclaimed row's message already in its channel? Looks for the outbox key in
        the metadata of recent posts (`conversations.history`, newest first)."""
        try:
            channel = await self._channel(session, message.target)
            cursor: str | None = None
            cutoff = message.created_at.timestamp() - 3600 if message.created_at else 0.0
            for _ in range(HISTORY_PAGES):
                page = await self.client.conversations_history(
                    channel=channel, include_all_metadata=True, limit=200, cursor=cursor
                )
                messages = page.get("messages") or []
                for posted in messages:
                    meta = posted.get("metadata") or {}
                    if (meta.get("event_payload") or {}).get("key") == message.key:
                        return Sent(platform=PLATFORM, message_id=posted.get("ts"))
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor or not messages or float(messages[-1].get("ts", 0)) < cutoff:
                    return None
        except SlackApiError as err:
            code = slack_error_code(err)
            if code in ("missing_scope", "not_in_channel", "channel_not_found"):
                # cannot look: sending again risks a duplicate, never a loss
                log.warning("outbox #%s: cannot check Slack history (%s)", message.id, code)
                return None
            raise delivery_error(err, message.target) from None
        except TimeoutError:
            raise  # no answer: the dispatcher counts the try and asks before the next
        except aiohttp.ClientError as err:
            raise DeliveryError(f"Slack could not be reached ({type(err).__name__})") from None
        return None

    async def _pace(self, channel: str) -> None:
        last = self._last.get(channel)
        if last is not None:
            wait = last + self.interval - self._monotonic()
            if wait > 0:
                await self._sleep(wait)

    async def _channel(self, session: AsyncSession, target: str) -> str:
        kind, _, ref = target.partition(":")
        if kind == "group":
            channel = await self._group_channel(session, ref)
            if channel:
                return channel
        elif kind == "person" and ref.isdigit():
            user_id = await self._user_id(session, int(ref))
            if user_id:
                return await self._dm_channel(user_id)
        raise DeliveryError(f"{target} has no Slack account or channel", permanent=True)

    async def _dm_channel(self, user_id: str) -> str:
        """The DM channel with a Slack user: opened once per process, then remembered (a batch
        delivers concurrently, so the first message to someone opens it and the rest wait)."""
        async with self._opening.setdefault(user_id, asyncio.Lock()):
            channel = self._dms.get(user_id)
            if channel is None:
                opened = await self.client.conversations_open(users=user_id)
                channel = self._dms[user_id] = str(opened["channel"]["id"])
        return channel

    async def _user_id(self, session: AsyncSession, person_id: int) -> str | None:
        if person_id in self._batch and self._monotonic() < self._batch_until:
            return self._batch[person_id]
        return await session.scalar(
            select(Identity.external_id)
            .where(Identity.person_id == person_id, Identity.platform == PLATFORM)
            .order_by(Identity.id.desc())
            .limit(1)
        )

    async def _group_channel(self, session: AsyncSession, name: str) -> str | None:
        group = await session.scalar(select(Group).where(Group.name == name))
        channel = ((group.channels or {}).get(PLATFORM) if group else None) or None
        return str(channel) if channel else None


def outbox_metadata(message: OutboxMessage) -> dict[str, object]:
    """The outbox key travels with the message, so a reclaimed row can be checked later."""
    return {"event_type": "partnership_outbox", "event_payload": {"key": message.key}}


def delivery_error(err: SlackApiError, target: str) -> DeliveryError:
    """Slack's answer -> a retry (429, 5xx, unknown) or a failure an admin can act on.

    A 5xx often comes from a proxy with an HTML or plain-text body, not Slack's JSON: the reason
    then gives the status and the start of that body."""
    response = err.response
    status = http_status(response) or 200
    code = slack_error_code(err)
    if status == 429 or code == "ratelimited":
        headers = getattr(response, "headers", {}) or {}
        raw = headers.get("Retry-After") or headers.get("retry-after") or "1"
        try:
            after = float(raw)
        except ValueError:
            after = 1.0
        return DeliveryError(f"Slack rate limit; retrying in {after:g} s", retry_after=after)
    if status >= 500 or code is None:
        said = f"HTTP {status}, {code}" if code else slack_answer(err)
        return DeliveryError(f"Slack had a server error ({said}); will retry")
    if code in ADMIN_FIXES:
        detail = str(response.get("needed") or "a scope")
        reason = ADMIN_FIXES[code].format(target=target, detail=detail)
        return DeliveryError(f"Slack: {reason} ({code}).", permanent=True)
    return DeliveryError(f"Slack refused the message ({code}); will retry")
