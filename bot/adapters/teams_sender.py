"""The Teams outbox sender: continue a stored conversation (personal chat or group channel).

Proactive sends use `continue_conversation_with_claims`, which works with and without
credentials (plain `continue_conversation` needs MSAL even in anonymous mode).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
from microsoft_agents.activity import ConversationReference
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.authorization import AuthenticationConstants, ClaimsIdentity
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters import images
from bot.adapters import teams_store as store
from bot.reply import Reply
from scheduled.senders import DeliveryError, Sent
from storage.base import utcnow
from storage.outbox import OutboxMessage

if TYPE_CHECKING:
    from microsoft_agents.hosting.aiohttp import CloudAdapter

    from bot.settings import Settings

BODY_START = 200  # characters of the connector's answer kept in the outbox row
NOT_INSTALLED = (
    "{name} has not installed the app in Teams yet (no personal chat with the bot), so Teams "
    "cannot deliver this; ask them to open the partnership app in Teams and say hello"
)


class TeamsSender:
    """Delivers outbox rows to people (personal chat) and groups (their Teams channel)."""

    platform = "teams"

    def __init__(self, settings: Settings, adapter: CloudAdapter) -> None:
        self.settings = settings
        self.adapter = adapter

    def claims(self) -> ClaimsIdentity:
        """Anonymous claims locally; the bot's own app id when credentials are configured."""
        app_id = self.settings.teams_client_id
        if not app_id:
            return ClaimsIdentity({}, authentication_type="anonymous")
        return ClaimsIdentity(
            {
                AuthenticationConstants.AUDIENCE_CLAIM: app_id,
                AuthenticationConstants.APP_ID_CLAIM: app_id,
            },
            authentication_type="client_secret",
        )

    async def can_reach(self, session: AsyncSession, target: str) -> bool:
        """People with a Teams account, and groups with a Teams channel.

        With credentials configured (Teams is how this partnership works) a person with no
        platform account at all is ours too, so the failure says they need to install the app.
        """
        kind, _, name = target.partition(":")
        if kind == "person" and name.isdigit():
            if await store.teams_identity_of(session, int(name)) is not None:
                return True
            if self.settings.teams_credentials:
                from storage.directory import identities_of

                return not await identities_of(session, int(name))
            return False
        if kind == "group":
            group = await store.group_named(session, name)
            return bool(group and (group.channels or {}).get(store.PLATFORM))
        return False

    async def reference_for(self, session: AsyncSession, target: str) -> dict[str, Any]:
        kind, _, name = target.partition(":")
        if kind == "person":
            from storage.directory import person_by_id

            identity = await store.teams_identity_of(session, int(name))
            reference = (identity.data or {}).get("reference") if identity else None
            if not reference:
                person = await person_by_id(session, int(name))  # only to name them
                who = person.name if person else f"Person #{name}"
                raise DeliveryError(NOT_INSTALLED.format(name=who), permanent=True)
            return reference
        group = await store.group_named(session, name)
        value = (group.channels or {}).get(store.PLATFORM) if group else None
        if not isinstance(value, dict) or not value.get("reference"):
            raise DeliveryError(
                f"the bot has not seen the Teams channel for group {name} yet: add the app to "
                f"that team, then type @partnership group {name} teams:here in the channel",
                permanent=True,
            )
        return value["reference"]

    async def send(self, session: AsyncSession, message: OutboxMessage, reply: Reply) -> Sent:
        from bot.adapters.teams_turns import reply_activity

        reference = ConversationReference.model_validate(
            await self.reference_for(session, message.target)
        )
        await images.link_images(session, reply, settings=self.settings, now=utcnow())
        activity = reply_activity(reply)
        sent: dict[str, str | None] = {}

        async def deliver(context: TurnContext) -> None:
            response = await context.send_activity(activity)
            sent["id"] = response.id if response else None

        continuation = reference.get_continuation_activity()
        continuation.id = None  # else the message is sent as a reply to this made-up id
        try:
            await self.adapter.continue_conversation_with_claims(
                self.claims(),
                continuation,
                deliver,
                audience=AuthenticationConstants.AGENTS_SDK_SCOPE,
            )
        except aiohttp.ClientResponseError as err:
            raise delivery_error(err) from None
        except TimeoutError:
            raise  # no answer: the dispatcher counts the try and asks before the next
        except aiohttp.ClientError as err:
            raise DeliveryError(f"Teams unreachable ({type(err).__name__})") from None
        return Sent(platform=self.platform, message_id=sent.get("id"))


def delivery_error(err: aiohttp.ClientResponseError) -> DeliveryError:
    """Map the connector's HTTP answer to retry-or-not. The reason gives the status and the start
    of the connector's body (what it said, never our message's text)."""
    status = err.status
    said = " ".join(str(err.message or "").split())[:BODY_START]
    answer = f"HTTP {status}: {said!r}" if said else f"HTTP {status}"
    if status == 429:
        retry_after = None
        if err.headers and err.headers.get("Retry-After", "").strip().isdigit():
            retry_after = float(err.headers["Retry-After"])
        return DeliveryError("Teams rate limit (429)", retry_after=retry_after or 30.0)
    if status in (403, 404, 410):
        return DeliveryError(
            f"Teams refused the message ({answer}): the app was removed or the chat is gone; "
            "they need to add the partnership app again",
            permanent=True,
        )
    if status in (400, 413):
        return DeliveryError(f"Teams rejected the message ({answer})", permanent=True)
    return DeliveryError(f"Teams error ({answer}), will retry")
