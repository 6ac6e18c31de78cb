"""Slack translation helpers: the Web API client, who a Slack user is, and Slack text -> ours.

Translation only: nothing here knows a domain rule.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply import Image, Reply
from storage import directory, platforms

if TYPE_CHECKING:
    from datetime import datetime

    from bot.render.blockkit import ImageUrl
    from bot.settings import Settings
    from storage.db import Database

log = logging.getLogger(__name__)
PLATFORM = "slack"
LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
KNOWN_FOR = 60.0  # seconds a Slack user -> Person answer is reused without the database


def make_client(settings: Settings, *, retry_rate_limits: bool = True) -> AsyncWebClient:
    """The Web API client; SLACK_API_URL points it at a fake. 5xx are retried in the client.

    Interactive replies also wait out a 429 in the client (`Retry-After`); the outbox sender
    does not, so the dispatcher reschedules the row instead of blocking other messages.
    """
    kwargs: dict[str, object] = {"token": settings.slack_bot_token}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    client = AsyncWebClient(**kwargs)  # type: ignore[arg-type]
    client.retry_handlers.append(AsyncServerErrorRetryHandler(max_retry_count=2))
    if retry_rate_limits:
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


def from_slack_text(text: str, *, bot_user_id: str | None = None) -> str:
    """Slack's wire text -> the command language: unwrap links, keep user mentions, unescape."""
    text = text.strip()
    if bot_user_id:
        text = re.sub(rf"^<@{re.escape(bot_user_id)}(\|[^>]*)?>\s*", "", text)

    def unwrap(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("@"):
            return f"<{target}>"  # resolve_person knows `<@U123>`
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        if target.startswith("mailto:"):
            return target[len("mailto:") :]
        return target

    text = LINK.sub(unwrap, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def admins_to_ask(db: Database) -> str:
    """Who a stranger should ask to be added: the directory's admins, by name and email."""
    async with db.session() as session:
        admins = list(
            await session.scalars(
                select(directory.Person)
                .where(directory.Person.role == "admin", directory.Person.active.is_(True))
                .order_by(directory.Person.name)
                .limit(3)
            )
        )
    if not admins:
        return "the partnership team at Learn Sheffield"
    return " or ".join(f"{p.name} ({p.email})" for p in admins)


async def stranger_reply(db: Database) -> Reply:
    who = await admins_to_ask(db)
    return Reply(
        text="You are not in the partnership directory yet, so I can't do anything for you. "
        f"Ask {who} to add you with the email address your Slack account uses.",
        error=True,
    )


class SlackPeople:
    """Slack user id -> Person. users.info is asked once per user; the answer is an Identity."""

    def __init__(self, db: Database, client: AsyncWebClient) -> None:
        self.db = db
        self.client = client
        self._known: dict[str, tuple[float, directory.Person]] = {}

    async def person(self, user_id: str, *, team_id: str | None = None) -> directory.Person | None:
        """The Person for a Slack user (remembered a minute; the router re-checks `active`)."""
        cached = self._known.get(user_id)
        if cached and time.monotonic() - cached[0] < KNOWN_FOR:
            return cached[1]
        found = await self._person(user_id, team_id=team_id)
        if found is not None:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[user_id] = (time.monotonic(), found)
        return found

    async def _person(self, user_id: str, *, team_id: str | None) -> directory.Person | None:
        async with self.db.session() as session:
            found = await directory.person_by_identity(
                session, platform=PLATFORM, external_id=user_id
            )
            if found is not None:
                return found if found.active else None
        email = await self._email(user_id)
        if not email:
            return None
        try:
            async with self.db.session() as session:
                found = await directory.person_by_email(session, email)
                if found is None or not found.active:
                    return None
                data = {"team_id": team_id} if team_id else {}
                await directory.link_identity(
                    session, person=found, platform=PLATFORM, external_id=user_id, data=data
                )
                return found
        except IntegrityError:  # another process linked the same user a moment ago
            async with self.db.session() as session:
                return await directory.person_by_identity(
                    session, platform=PLATFORM, external_id=user_id
                )

    async def _email(self, user_id: str) -> str | None:
        try:
            answer = await self.client.users_info(user=user_id)
        except SlackApiError as err:
            log.warning("users.info failed: %s", err.response.get("error"))
            return None
        user = answer.get("user") or {}
        if user.get("is_bot") or user.get("deleted"):
            return None
        return (user.get("profile") or {}).get("email")

    async def link_mentions(self, text: str) -> None:
        """Make `<@U…>` mentions in a command resolvable by linking those users first."""
        for user_id in dict.fromkeys(MENTION.findall(text)):
            await self.person(user_id)


async def image_urls(
    session: AsyncSession, reply: Reply, *, settings: Settings, now: datetime
) -> ImageUrl | None:
    """Store chart PNGs so the bot serves them at PUBLIC_URL; without it, charts show as text."""
    base = (settings.public_url or "").rstrip("/")
    images = [e for e in reply.elements if isinstance(e, Image) and e.data and not e.url]
    if not base or not images:
        return None
    urls: dict[int, str] = {}
    for image in images:
        assert image.data is not None
        digest = await platforms.store_image(session, data=image.data, now=now)
        urls[id(image)] = f"{base}/slack/images/{digest}.png"
    return lambda image: urls.get(id(image))
