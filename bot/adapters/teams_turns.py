"""One Teams turn: a message, a card submit, an install. Platform payload in, router, Reply out.

No domain rule lives here: the text (or the command a card carries) goes to the same router as
every other door, as the Person the Teams account is linked to.
"""

from __future__ import annotations

import html
import logging
import re
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.adapters import images
from bot.adapters import teams_store as store
from bot.errors import UserError
from bot.people import PeopleDesk, Visitor
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
_LINE_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>|</div>\s*<div[^>]*>", re.IGNORECASE)
_MENTION = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)


class SentCard(dict[str, Any]):
    """A rendered card. The SDK deep-copies every activity it sends (to set the conversation
    on the copy); nothing changes a card once rendered, so its copy is the card itself rather
    than a copy of its hundreds of small dicts (most of the cost of sending a table)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SentCard:
        return self


def reply_activity(reply: Reply, *, actions: str = "submit") -> Activity:
    """The message for a Reply: plain text when that is all it is, else an Adaptive Card."""
    from bot.render.adaptivecards import needs_card, render_attachment, render_text_message

    if not needs_card(reply):
        text = render_text_message(reply)  # within Teams' message size
        return Activity(type=ActivityTypes.message, text=text, text_format="plain")
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
        self.people = PeopleDesk(ctx.db, platform=store.PLATFORM, account_kind="Teams")

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

    async def resolve_person(self, context: TurnContext) -> Visitor:
        """Who sent this activity (the people desk; the roster is asked only for a new account).

        The desk keeps the Bot Framework user id and name on the identity, and the personal
        chat's reference too, so proactive messages can reach the person later."""
        activity = context.activity
        account = self._account_id(activity)
        if not account or activity.from_property is None:
            return Visitor(None)
        user_id = activity.from_property.id
        data: dict[str, Any] = {"user_id": user_id, "name": activity.from_property.name}
        if store.is_personal(activity):
            data["reference"] = store.reference_of(activity)
        return await self.people.visitor(
            account, email=lambda: self._roster_email(context, user_id), data=data
        )

    # --- messages ---------------------------------------------------------------------------

    async def _command_text(self, context: TurnContext) -> str:
        activity = context.activity
        activity.remove_recipient_mention()
        # a message of several lines (minutes) arrives with line breaks as text or as HTML
        raw = _LINE_BREAK.sub("\n", activity.text or "")
        text = html.unescape(raw).replace("\xa0", " ")
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
        # spaces are tidied within each line, but the lines are kept: minutes are read by line
        lines = (" ".join(line.split()) for line in text.splitlines())
        return "\n".join(lines).strip()

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

    async def run(self, context: TurnContext, text: str, *, submitted: bool = False) -> Reply:
        visitor = await self.resolve_person(context)
        if visitor.person is None:
            return await self.people.stranger_reply(visitor.email)
        activity = context.activity
        key = store.channel_key(activity)
        reply = await self.ctx.router.handle(
            text, actor_id=visitor.person.id, door="teams", channel=key, submitted=submitted
        )
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
        reply = await self.run(context, form.to_command(values), submitted=True)
        # a bad value: the form again, as typed, with the message by its field
        return reply.after_submit(form, values)

    async def _link_images(self, reply: Reply) -> None:
        """Charts by URL when PUBLIC_URL is set (bot.adapters.images), else inline."""
        if images.wants_links(self.ctx.settings, reply):
            async with self.ctx.db.session() as session:
                await images.link_images(
                    session, reply, settings=self.ctx.settings, now=self.ctx.clock.now()
                )

    async def send(self, context: TurnContext, reply: Reply) -> None:
        activity = context.activity
        await self._link_images(reply)
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
        await self._link_images(reply)
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
            visitor = await self.resolve_person(context)
            if visitor.person is None:
                await self.send(context, await self.people.stranger_reply(visitor.email))
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
