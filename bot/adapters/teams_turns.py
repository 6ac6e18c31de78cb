"""One Teams turn: a message, a card submit, an install. Platform payload in, router, Reply out.

No domain rule lives here: the text (or the command a card carries) goes to the same router as
every other door, as the Person the Teams account is linked to.
"""

from __future__ import annotations

import html
import logging
import re
import time
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.adapters import teams_store as store
from bot.errors import UserError
from bot.render.adaptivecards import (
    COMMAND_KEY,
    CONTENT_TYPE,
    FORM_KEY,
    render_card,
    submitted_values,
)
from bot.reply import Form, Reply
from bot.router import error_reply

if TYPE_CHECKING:
    from bot.context import BotContext

log = logging.getLogger(__name__)
_HERE = re.compile(r"\bteams:here\b", re.IGNORECASE)
_MENTION = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
KNOWN_FOR = 60.0  # seconds a Teams account -> Person answer is reused without the database


class SentCard(dict[str, Any]):
    """A rendered card. The SDK deep-copies every activity it sends (to set the conversation
    on the copy); nothing changes a card once rendered, so its copy is the card itself rather
    than a copy of its hundreds of small dicts (most of the cost of sending a table)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SentCard:
        return self


def reply_activity(reply: Reply, *, actions: str = "submit") -> Activity:
    """The message for a Reply: plain text when that is all it is, else an Adaptive Card."""
    from bot.render.adaptivecards import needs_card, render_attachment

    if not needs_card(reply):
        return Activity(type=ActivityTypes.message, text=reply.text, text_format="plain")
    summary = (reply.text or "").split("\n", 1)[0][:200] or None
    attachment = render_attachment(reply, actions=actions)
    attachment["content"] = SentCard(attachment["content"])
    return Activity(
        type=ActivityTypes.message,
        attachments=[attachment],  # type: ignore[list-item]
        summary=summary,
    )


class PartnershipAgent:
    """The Agents SDK `Agent` for the partnership bot."""

    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx
        # account -> (when, person id, personal chat reference stored): like the Slack door's
        # user cache, so a busy person's messages skip a query; the router re-checks `active`
        self._known: dict[str, tuple[float, int, dict[str, Any] | None]] = {}

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        kind = activity.type
        if kind == ActivityTypes.message:
            await self.on_message(context)
        elif kind == ActivityTypes.invoke:
            await self.on_invoke(context)
        elif kind in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
            await self.on_install(context)

    # --- who is this? ---------------------------------------------------------------------

    def _account_id(self, activity: Activity) -> str | None:
        sender = activity.from_property
        if sender is None:
            return None
        return sender.aad_object_id or sender.id

    async def _roster_email(self, context: TurnContext, member_id: str) -> str | None:
        """The member's email from the conversation roster (through the SDK's connector)."""
        client = context.services.get(ConnectorClientBase) if context.services else None
        client = client or context.turn_state.get("ConnectorClient")
        if client is None or not context.activity.conversation:
            return None
        try:
            member = await client.get_conversation_member(
                context.activity.conversation.id, member_id
            )
        except Exception as exc:  # the roster is a convenience: an unknown user is asked to wait
            log.warning("teams roster lookup failed: %s", type(exc).__name__)
            return None
        extra = member.model_extra or {}
        email = member.email or member.user_principal_name or extra.get("email")
        return str(email).lower() if email and "@" in str(email) else None

    async def resolve_person(self, context: TurnContext) -> tuple[int | None, str | None]:
        """(person id, email seen): the Person this Teams account is, linking it on first use."""
        activity = context.activity
        account = self._account_id(activity)
        if not account or activity.from_property is None:
            return None, None
        user_id = activity.from_property.id
        reference = store.reference_of(activity) if store.is_personal(activity) else None
        cached = self._known.get(account)
        if (
            cached
            and time.monotonic() - cached[0] < KNOWN_FOR
            and (reference is None or reference == cached[2])
        ):
            return cached[1], None  # known, and the personal chat's reference is stored already
        known: tuple[int, dict[str, Any] | None] | None = None
        async with self.ctx.db.session() as session:
            identity = await store.identity_for(session, account)
            if identity is not None:
                if reference is not None:
                    await store.remember_personal_chat(
                        session, identity=identity, reference=reference
                    )
                known = identity.person_id, (identity.data or {}).get("reference")
        if known is not None:  # remembered only once committed
            self._remember(account, *known)
            return known[0], None
        email = await self._roster_email(context, user_id)
        if email is None:
            return None, None
        async with self.ctx.db.session() as session:
            from storage.directory import person_by_email

            person = await person_by_email(session, email)
            if person is None or not person.active:
                return None, email
            data: dict[str, Any] = {"user_id": user_id, "name": activity.from_property.name}
            if reference is not None:
                data["reference"] = reference
            identity = await store.link(session, person=person, external_id=account, data=data)
        self._remember(account, person.id, (identity.data or {}).get("reference"))
        return person.id, email

    def _remember(self, account: str, person_id: int, reference: dict[str, Any] | None) -> None:
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[account] = (time.monotonic(), person_id, reference)

    async def who_to_ask(self, email: str | None) -> Reply:
        async with self.ctx.db.session() as session:
            admins = await store.admins(session)
        contacts = ", ".join(f"{p.name} <{p.email}>" for p in admins[:3]) or "a partnership admin"
        seen = f" as {email}" if email else ""
        return Reply(
            text=(
                f"Hello! I don't know you yet: your Teams account{seen} is not in the "
                f"partnership directory. Please ask {contacts} to add you, then say hello again."
            ),
            error=True,
        )

    # --- messages ---------------------------------------------------------------------------

    async def _command_text(self, context: TurnContext) -> str:
        activity = context.activity
        activity.remove_recipient_mention()
        text = html.unescape(activity.text or "").replace("\xa0", " ")
        for mention in activity.get_mentions():
            mentioned = mention.mentioned
            if mentioned is None or (activity.recipient and mentioned.id == activity.recipient.id):
                continue
            email = await self._mention_email(context, mentioned.id)
            label = mention.text or f"<at>{mentioned.name}</at>"
            replacement = email or "@" + (mentioned.name or "").split()[0].lower()
            text = text.replace(html.unescape(label), replacement)
        # Mentions without an entity (other bots, tags) keep a first-name handle, or vanish.
        text = _MENTION.sub(
            lambda m: "@" + m.group(1).split()[0].lower() if m.group(1).strip() else "", text
        )
        key = store.channel_key(activity)
        if key:
            text = _HERE.sub(f'teams:"{key}"', text)
        return " ".join(text.split())

    async def _mention_email(self, context: TurnContext, member_id: str | None) -> str | None:
        if not member_id:
            return None
        async with self.ctx.db.session() as session:
            from sqlalchemy import select

            from storage.directory import Identity, Person

            found = await session.scalar(
                select(Person.email)
                .join(Identity, Identity.person_id == Person.id)
                .where(Identity.platform == store.PLATFORM)
                .where(Identity.data["user_id"].as_string() == member_id)
            )
        return found or await self._roster_email(context, member_id)

    async def on_message(self, context: TurnContext) -> None:
        activity = context.activity
        data = activity.value if isinstance(activity.value, dict) else None
        if data and (COMMAND_KEY in data or FORM_KEY in data):
            reply = await self.run_card_action(context, data)
        else:
            text = await self._command_text(context)
            reply = await self.run(context, text)
        if reply is not None:
            await self.send(context, reply)

    async def run(self, context: TurnContext, text: str) -> Reply:
        person_id, email = await self.resolve_person(context)
        if person_id is None:
            return await self.who_to_ask(email)
        activity = context.activity
        key = store.channel_key(activity)
        reply = await self.ctx.router.handle(text, actor_id=person_id, door="teams", channel=key)
        if key:
            # After the command, so `group attendance teams:here` links the channel at once.
            async with self.ctx.db.session() as session:
                await store.remember_channel(
                    session, key=key, reference=store.reference_of(activity, conversation_id=key)
                )
        return reply

    async def run_card_action(self, context: TurnContext, data: dict[str, Any]) -> Reply:
        """A button runs the command it carries; a form builds its command from the inputs."""
        if FORM_KEY not in data:
            return await self.run(context, str(data.get(COMMAND_KEY) or "help"))
        try:
            form = Form.from_wire(data.get(FORM_KEY))
        except UserError as err:
            return error_reply(err)
        values = submitted_values(data)
        form = form.with_values(values)
        reply = await self.run(context, form.to_command(values))
        if (
            reply.error
            and reply.form is None
            and reply.error_field in {f.name for f in form.fields}
        ):
            reply.add(form)  # show the form again, filled in, with the message by its field
        return reply

    async def send(self, context: TurnContext, reply: Reply) -> None:
        activity = context.activity
        message = reply_activity(reply)
        if reply.private and not store.is_personal(activity) and activity.from_property:
            # Only the asker sees a private answer in a channel or group chat (Slack: ephemeral).
            message = message.with_targeted_recipient(activity.from_property)
        await context.send_activity(message)

    # --- Universal Actions (Action.Execute) -----------------------------------------------

    async def on_invoke(self, context: TurnContext) -> None:
        activity = context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        if activity.name != "adaptiveCard/action":
            await self._invoke_response(context, 200, {})
            return
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        if not (COMMAND_KEY in data or FORM_KEY in data):
            body = {
                "statusCode": 400,
                "type": "application/vnd.microsoft.error",
                "value": {"code": "BadRequest", "message": "This card action carries no command."},
            }
            await self._invoke_response(context, 200, body)
            return
        reply = await self.run_card_action(context, data)
        card = render_card(reply, actions="execute")
        await self._invoke_response(
            context, 200, {"statusCode": 200, "type": CONTENT_TYPE, "value": card}
        )

    async def _invoke_response(self, context: TurnContext, status: int, body: Any) -> None:
        await context.send_activity(
            Activity(
                type=ActivityTypes.invoke_response,
                value=InvokeResponse(status=status, body=body),
            )
        )

    # --- install ----------------------------------------------------------------------------

    async def on_install(self, context: TurnContext) -> None:
        """The app was added: remember how to reach this chat or channel, and say hello."""
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if activity.type == ActivityTypes.conversation_update:
            added = [m.id for m in activity.members_added or []]
            if bot_id not in added:
                return
        elif (activity.action or "add").lower() != "add":
            return
        key = store.channel_key(activity)
        if key is None:
            person_id, email = await self.resolve_person(context)
            if person_id is None:
                await self.send(context, await self.who_to_ask(email))
                return
            await context.send_activity(
                reply_activity(
                    Reply(
                        text="Hello! I'm the partnership bot. I'll send your reminders here. "
                        "Type help to see what I can do."
                    )
                )
            )
            return
        async with self.ctx.db.session() as session:
            linked = await store.remember_channel(
                session, key=key, reference=store.reference_of(activity, conversation_id=key)
            )
        where = f" for {', '.join(linked)}" if linked else ""
        hint = (
            ""
            if linked
            else " To send a group's reminders here, type: @partnership group <name> teams:here"
        )
        await context.send_activity(
            reply_activity(
                Reply(text=f"Hello! I'm the partnership bot{where}. Mention me with help.{hint}")
            )
        )
