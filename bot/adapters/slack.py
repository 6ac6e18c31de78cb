"""Slack front door (slack-bolt AsyncApp): payload -> router, Reply -> Block Kit.

Commands, interactivity and the Events API share `/slack/events` on the bot's aiohttp server;
with SLACK_APP_TOKEN the same listeners also run over Socket Mode (no public URL needed).
Every listener acks first (well inside Slack's 3 s) and does the work after, replying through
`response_url`, except modal submissions, whose answer (field errors) must be the ack itself.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack_common import (
    PLATFORM,
    from_slack_text,
    image_urls,
    make_client,
    mentioned_users,
    modal_metadata_ok,
    slack_answer,
    slack_email,
    slack_shape_ok,
)
from bot.adapters.slack_sender import SlackSender
from bot.appkeys import BACKGROUND_STARTERS, CTX, DOORS
from bot.errors import UserError
from bot.people import PeopleDesk
from bot.render import blockkit
from bot.reply import Form, Image, Reply
from bot.router import error_reply
from storage import platforms

if TYPE_CHECKING:
    from bot.context import BotContext
    from bot.settings import Settings
    from scheduled.senders import Sender
    from storage.db import Database
    from storage.directory import Person

log = logging.getLogger(__name__)
COMMAND = "/partnership"
WORK_SLOTS = 8  # commands running at once per process (below the database pool's size)
HOME = [
    ("Your next meetings", "meetings"),
    ("Your open actions", "actions"),
    ("Open opportunities", "opps"),
    ("Your support requests", "support mine"),
    ("Triage queue", "triage"),
]


class SlackDoor:
    """The Bolt app and the translation around it; one per web app."""

    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx
        settings = ctx.settings
        self.client = make_client(settings)
        self.people = PeopleDesk(ctx.db, platform=PLATFORM, account_kind="Slack")
        self.slots = asyncio.Semaphore(WORK_SLOTS)
        self.bolt = AsyncApp(
            name="partnership-bot",
            client=self.client,
            signing_secret=settings.slack_signing_secret or "",
            request_verification_enabled=bool(settings.slack_signing_secret),
            raise_error_for_unhandled_request=False,
        )
        self.bolt.use(self.once_per_event)
        self.bolt.command(COMMAND)(self.on_command)
        self.bolt.event("app_mention")(self.on_mention)
        self.bolt.event("message")(self.on_message)
        self.bolt.event("app_home_opened")(self.on_home_opened)
        self.bolt.action(re.compile("^" + re.escape(blockkit.RUN_PREFIX)))(self.on_button)
        self.bolt.action(blockkit.OPEN_FORM)(self.on_open_form)
        self.bolt.view(blockkit.FORM_CALLBACK)(self.on_form_submitted)

    # --- plumbing ------------------------------------------------------------------------

    async def once_per_event(self, body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002
        """A redelivered event (same event_id, X-Slack-Retry-Num) is acked and dropped."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            kind = str((body.get("event") or {}).get("type", ""))
            async with self.ctx.db.session() as session:
                first = await platforms.claim_event(
                    session, event_id=str(event_id), kind=kind, now=self.ctx.clock.now()
                )
            if not first:
                return BoltResponse(status=200, body="")
        return await next()

    async def person(self, user_id: str, *, team: str | None = None) -> Person | None:
        """The Person for a Slack user (the people desk; users.info only for a new user)."""
        return await self.people.person(
            user_id,
            email=lambda: slack_email(self.client, user_id),
            data={"team_id": team} if team else None,
        )

    async def run(
        self,
        user_id: str,
        text: str,
        *,
        channel: str | None,
        team: str | None,
        submitted: bool = False,
    ) -> Reply:
        """One command as the Slack user; a stranger is told who to ask and nothing runs.

        At most WORK_SLOTS run at once: a burst acked faster than it is answered waits here,
        not for a database connection (whose wait times out and would fail the command)."""
        async with self.slots:
            person = await self.person(user_id, team=team)
            if person is None:
                return await self.people.stranger_reply()
            for mentioned in mentioned_users(text):  # so `<@U…>` resolves as a person
                await self.person(mentioned)
            return await self.ctx.router.handle(
                text, actor_id=person.id, door="slack", channel=channel, submitted=submitted
            )

    async def message(self, reply: Reply) -> dict[str, Any]:
        image_url = None
        if any(isinstance(e, Image) and e.data for e in reply.elements):
            async with self.ctx.db.session() as session:
                image_url = await image_urls(
                    session, reply, settings=self.ctx.settings, now=self.ctx.clock.now()
                )
        return blockkit.render_message(reply, image_url=image_url)

    async def open_form(self, form: Form, trigger_id: str | None, channel: str | None) -> bool:
        """Open a form as a modal; False when Slack refuses (e.g. the trigger expired)."""
        if not trigger_id:
            return False
        metadata = blockkit.modal_metadata(form, channel=channel)
        if len(metadata) > blockkit.METADATA:  # would be cut, and unreadable when submitted
            return False
        view = blockkit.render_modal(form, metadata=metadata)
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as err:
            log.info("views.open refused: %s", slack_answer(err))
            return False
        return True

    async def post(self, reply: Reply, *, channel: str, user: str, dm: bool = False) -> None:
        """Post outside a response_url: DMs always, ephemeral in a channel when private."""
        payload = await self.message(reply)
        if reply.private and not dm:
            await self.client.chat_postEphemeral(channel=channel, user=user, **payload)
        else:
            await self.client.chat_postMessage(channel=channel, **payload)

    # --- listeners -----------------------------------------------------------------------

    async def on_command(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        channel = body.get("channel_id")
        text = from_slack_text(body.get("text", ""))
        reply = await self.run(body["user_id"], text, channel=channel, team=body.get("team_id"))
        if reply.form and await self.open_form(reply.form, body.get("trigger_id"), channel):
            return
        payload = await self.message(reply)
        kind = "ephemeral" if reply.private else "in_channel"
        await respond(response_type=kind, replace_original=False, **payload)

    async def on_mention(self, event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
        text = from_slack_text(event.get("text", ""), bot_user_id=context.bot_user_id)
        user, channel = event.get("user"), event.get("channel")
        if not user or not channel:
            return
        reply = await self.run(user, text, channel=channel, team=body.get("team_id"))
        await self.post(reply, channel=channel, user=user)

    async def on_message(self, event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
        """Direct messages to the bot run like the slash command; other messages are ignored."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        user, channel = event.get("user"), event.get("channel")
        if not user or not channel:
            return
        text = from_slack_text(event.get("text", ""), bot_user_id=context.bot_user_id)
        reply = await self.run(user, text, channel=channel, team=body.get("team_id"))
        await self.post(reply, channel=channel, user=user, dm=True)

    async def on_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A button's value is a command; it runs as whoever clicked it."""
        await ack()
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        value = action.get("value")
        if not isinstance(value, str):  # a forged click; Slack always sends our text back
            log.info("a button click without a text value was ignored")
            return
        reply = await self.run(
            user, value, channel=channel, team=(body.get("team") or {}).get("id")
        )
        if reply.form and await self.open_form(reply.form, body.get("trigger_id"), channel):
            return
        await self.answer(reply, body, user=user, channel=channel)

    async def on_open_form(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        channel = (body.get("channel") or {}).get("id")
        try:
            form = Form.from_wire(action.get("value", ""))
        except UserError as err:
            await self.answer(error_reply(err), body, user=body["user"]["id"], channel=channel)
            return
        await self.open_form(form, body.get("trigger_id"), channel)

    async def on_form_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Build the command a user could have typed; a field's error shows on that field."""
        user = body["user"]["id"]
        try:
            form, channel = blockkit.read_modal_metadata(view.get("private_metadata"))
        except UserError as err:  # not a modal we opened: say so (the modal closes)
            await ack()
            await self.post(error_reply(err), channel=user, user=user, dm=True)
            return
        values = blockkit.modal_values((view.get("state") or {}).get("values") or {})
        reply = await self.run(
            user,
            form.to_command(values),
            channel=channel,
            team=(body.get("team") or {}).get("id"),
            submitted=True,
        )
        errors = blockkit.field_errors(form, reply.error_field or "", reply.text)
        if reply.error and errors:  # the modal stays open, as typed, the message by its field
            await ack(response_action="errors", errors=errors)
            return
        if reply.form is not None and not reply.error:  # still incomplete: the bot's form
            metadata = blockkit.modal_metadata(reply.form, channel=channel)
            view = blockkit.render_modal(reply.form, metadata=metadata)
            await ack(response_action="update", view=view)
            return
        await ack()
        if channel:
            await self.post(reply, channel=channel, user=user)
        else:
            await self.post(reply, channel=user, user=user, dm=True)

    async def on_home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            await self.publish_home(event["user"], team=body.get("team_id"))

    async def answer(
        self, reply: Reply, body: dict[str, Any], *, user: str, channel: str | None
    ) -> None:
        """Reply to a click: in the conversation it came from, or by DM from the home tab."""
        payload = await self.message(reply)
        if body.get("response_url"):
            kind = "ephemeral" if reply.private else "in_channel"
            await self.respond_to(body["response_url"], kind, payload)
        else:
            await self.client.chat_postMessage(channel=user, **payload)
            await self.publish_home(user, team=(body.get("team") or {}).get("id"))

    async def respond_to(self, url: str, kind: str, payload: dict[str, Any]) -> None:
        from slack_sdk.webhook.async_client import AsyncWebhookClient

        await AsyncWebhookClient(url).send(response_type=kind, replace_original=False, **payload)

    async def publish_home(self, user: str, *, team: str | None = None) -> None:
        """Compose the home tab from commands run as the user; a failing one is left out.

        Its commands take a work slot like any other (see `run`), so opening the tab in a
        burst waits for a slot rather than for a database connection."""
        async with self.slots:
            person = await self.person(user, team=team)
            if person is None:
                reply = await self.people.stranger_reply()
                view = blockkit.render_home([("Welcome", reply)], greeting="Partnership bot")
            else:
                parts = []
                for title, command in HOME:
                    reply = await self.ctx.router.handle(command, actor_id=person.id, door="slack")
                    if not reply.error:
                        parts.append((title, reply))
                view = blockkit.render_home(parts, greeting=f"Hello, {person.first_name}")
        await self.client.views_publish(user_id=user, view=view)

    # --- HTTP ----------------------------------------------------------------------------

    async def replayed(self, request: web.Request, raw_body: str, stamp: str | None) -> bool:
        """True for a correctly signed slash command or interaction seen before.

        Bolt refuses a signature older than five minutes, but within them the same signed
        request (captured from a proxy log, say) would run again. Each signature is claimed in
        the database (the table that remembers event ids, so every process sees it) and a repeat
        is refused. Events are left to `once_per_event` (by event id); unsigned or forged
        requests are left to Bolt's own check."""
        secret = self.ctx.settings.slack_signing_secret
        signature = request.headers.get("X-Slack-Signature", "")
        if not secret or not stamp or not signature or raw_body.lstrip().startswith("{"):
            return False
        if not SignatureVerifier(secret).is_valid(raw_body, stamp.strip(), signature):
            return False
        async with self.ctx.db.session() as session:
            first = await platforms.claim_event(
                session,
                event_id=f"sig:{signature}",
                kind="signed request",
                now=self.ctx.clock.now(),
            )
        if not first:
            log.warning("refused a replayed Slack request (a signature seen before)")
        return not first

    async def http(self, request: web.Request) -> web.Response:
        try:
            bolt_request = await to_bolt_request(request)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError):
            # Bolt parses the body before checking the signature: a body it cannot read (not
            # JSON, JSON that is not an object, JSON nested past Python's recursion limit) is
            # the sender's fault, not a server error
            return web.Response(status=400, text="Bad request")
        if not slack_shape_ok(bolt_request.body):
            return web.Response(status=400, text="Bad request")
        stamp = request.headers.get("X-Slack-Request-Timestamp")
        if stamp is not None and not re.fullmatch(r"\d{1,15}", stamp.strip()):
            # slack_sdk's verifier calls int() on it unguarded: a 500 otherwise
            return web.Response(status=400, text="Bad request: X-Slack-Request-Timestamp")
        if not modal_metadata_ok(bolt_request.body):
            return web.Response(status=400, text="Bad request: not a form this bot opened")
        if await self.replayed(request, bolt_request.raw_body, stamp):
            return web.Response(status=401, text="Replayed request")
        bolt_response = await self.bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)


async def serve_image(request: web.Request) -> web.Response:
    """Charts for Block Kit image blocks; the digest is unguessable without the picture."""
    digest = request.match_info["digest"]
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise web.HTTPNotFound()
    ctx = request.app[CTX]
    async with ctx.db.session() as session:
        data = await platforms.image_by_digest(session, digest)
    if data is None:
        raise web.HTTPNotFound()
    return web.Response(body=data, content_type="image/png")


SLACK_DOOR: web.AppKey[SlackDoor] = web.AppKey("slack_door", SlackDoor)
SOCKET_MODE: web.AppKey[Any] = web.AppKey("slack_socket_mode", object)


def attach(app: web.Application, ctx: BotContext) -> None:
    """Mount `/slack/events` (signing secret) and/or Socket Mode (app token) when configured."""
    settings = ctx.settings
    if not settings.slack_enabled:
        return
    # Bolt logs a rejected request's body at INFO; bodies can hold confidential text.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    door = SlackDoor(ctx)
    app[SLACK_DOOR] = door
    app[DOORS].append("slack")
    app.router.add_get("/slack/images/{digest}.png", serve_image)
    if settings.slack_signing_secret:
        app.router.add_post("/slack/events", door.http)
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(door.bolt, settings.slack_app_token)
        app[SOCKET_MODE] = handler

        async def start_socket_mode() -> None:
            await handler.connect_async()
            log.info("Slack Socket Mode connected")

        async def stop_socket_mode(_: web.Application) -> None:
            await handler.close_async()

        app[BACKGROUND_STARTERS].append(start_socket_mode)
        app.on_cleanup.append(stop_socket_mode)


def make_sender(settings: Settings, db: Database) -> Sender | None:
    """The outbox sender for Slack when a bot token is set (429s go back to the dispatcher)."""
    if not settings.slack_bot_token:
        return None
    return SlackSender(make_client(settings, retry_rate_limits=False), settings=settings)
