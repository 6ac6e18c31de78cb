"""Slack translation helpers: the Web API client, a Slack user's email, Slack text -> ours, and
the shape checks an incoming payload passes before Bolt sees it.

Translation only: nothing here knows a domain rule.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserError
from bot.render import blockkit
from bot.reply import Image, Reply
from storage import platforms

if TYPE_CHECKING:
    from datetime import datetime

    from bot.render.blockkit import ImageUrl
    from bot.settings import Settings

log = logging.getLogger(__name__)
PLATFORM = "slack"
LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
BODY_START = 200  # characters of a non-JSON answer kept to say what the platform said


def make_client(settings: Settings, *, retry_rate_limits: bool = True) -> AsyncWebClient:
    """The Web API client; SLACK_API_URL points it at a fake. 5xx are retried in the client.

    Interactive replies also wait out a 429 in the client (`Retry-After`); the outbox sender
    does not, so the dispatcher reschedules the row instead of blocking other messages.
    """
    kwargs: dict[str, object] = {
        "token": settings.slack_bot_token,
        "timeout": settings.send_timeout_seconds,  # a Slack that never answers is a failed try
    }
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


def slack_error_code(err: SlackApiError) -> str | None:
    """Slack's error code (`not_in_channel`), or None when the body was not Slack's JSON."""
    # A body claiming to be JSON that is not: slack_sdk raises with aiohttp's response (no .data).
    # Another content type (an HTML error page): slack_sdk keeps {} and never reads the body.
    data = getattr(err.response, "data", None)
    if isinstance(data, dict) and data:
        return str(data.get("error") or "unknown_error")
    return None


def http_status(response: Any) -> int | None:
    """The HTTP status of slack_sdk's SlackResponse (status_code) or aiohttp's (status)."""
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return status if isinstance(status, int) else None


def slack_answer(err: SlackApiError) -> str:
    """What Slack answered, safe for a log line or an outbox row: its error code, or (a proxy's
    error page, an outage) the HTTP status and the start of the body, on one line."""
    code = slack_error_code(err)
    if code is not None:
        return code
    response = err.response
    status = http_status(response)
    body = getattr(response, "data", None)
    if body is None or body == {}:
        # slack_sdk read no body; its message holds the start of one it failed to parse
        said = str(err).split("non-JSON format:", 1)
        body = said[1] if len(said) == 2 else ""
    start = " ".join(str(body).split())[:BODY_START]
    if start:
        return f"HTTP {status}: {start!r}"
    kind = getattr(response, "headers", {}).get("Content-Type", "") if response is not None else ""
    return f"HTTP {status}, a {kind} body, not Slack's JSON" if kind else f"HTTP {status}, no body"


async def slack_email(client: AsyncWebClient, user_id: str) -> str | None:
    """The email on a Slack user's profile (users.info); None for bots, deleted users, errors."""
    try:
        answer = await client.users_info(user=user_id)
    except SlackApiError as err:
        log.warning("users.info failed: %s", slack_answer(err))
        return None
    user = answer.get("user") or {}
    if user.get("is_bot") or user.get("deleted"):
        return None
    return (user.get("profile") or {}).get("email")


def mentioned_users(text: str) -> list[str]:
    """The Slack user ids mentioned (`<@U…>`) in a command, each once, in order."""
    return list(dict.fromkeys(MENTION.findall(text)))


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


_OBJECTS = ("event", "view", "user", "team", "channel", "container", "message", "enterprise")


def slack_shape_ok(body: Any) -> bool:
    """Bolt indexes into these parts of a payload unguarded; Slack always sends them as
    objects (and `actions` as a non-empty list), so any other shape is a bad request."""
    if not isinstance(body, dict):
        return False
    if any(k in body and not isinstance(body[k], dict) for k in _OBJECTS):
        return False
    actions = body.get("actions")
    if "actions" in body and not (
        isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)
    ):
        return False
    if "command" in body and not _names_someone(body.get("user_id")):
        return False  # a slash command from nobody: nobody to answer as
    event = body.get("event")
    return not (isinstance(event, dict) and not isinstance(event.get("type", ""), str))


def _names_someone(user_id: Any) -> bool:
    return isinstance(user_id, str) and bool(user_id.strip())


def modal_metadata_ok(body: dict[str, Any]) -> bool:
    """A submission of our modal must carry the metadata we wrote (`blockkit.modal_metadata`);
    anything else is refused before a listener runs, so nothing is stored or sent."""
    view = body.get("view") if body.get("type") == "view_submission" else None
    if not isinstance(view, dict) or view.get("callback_id") != blockkit.FORM_CALLBACK:
        return True
    try:
        blockkit.read_modal_metadata(view.get("private_metadata"))
    except UserError:
        return False
    return True
