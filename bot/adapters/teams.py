"""Microsoft Teams front door (Microsoft 365 Agents SDK) at `/api/messages`.

With `CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID` (and secret, tenant) set, incoming
requests must carry a valid Bot Framework JWT; with none set the door runs anonymous for local
use (logged once). Bodies are checked before the SDK sees them, so bad input gets 400, not 500.
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.adapters.webguard import host_allowed
from bot.appkeys import DOORS

if TYPE_CHECKING:
    from microsoft_agents.hosting.aiohttp import CloudAdapter
    from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration

    from bot.adapters.teams_turns import PartnershipAgent
    from bot.context import BotContext
    from bot.settings import Settings
    from scheduled.senders import Sender
    from storage.db import Database

log = logging.getLogger(__name__)
ROUTE = "/api/messages"
DOOR_KEY: web.AppKey[TeamsDoor] = web.AppKey("teams_door")
_said_anonymous = False


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    """The SDK's auth settings: the service connection, or explicitly anonymous."""
    from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration

    if settings.teams_credentials:
        return AgentAuthConfiguration(
            client_id=settings.teams_client_id,
            tenant_id=settings.teams_tenant_id,
            client_secret=settings.teams_client_secret,
            connection_name="SERVICE_CONNECTION",
        )
    return AgentAuthConfiguration(anonymous_allowed=True, connection_name="SERVICE_CONNECTION")


def _remember_product_info() -> None:
    """The SDK builds its User-Agent for each turn's two clients from importlib.metadata, which
    searches site-packages every time (a few hundred microseconds a turn); it cannot change
    while the process runs, so work it out once."""
    import functools

    from microsoft_agents.hosting.core.connector.client import (
        connector_client,
        user_token_client,
    )

    for module in (connector_client, user_token_client):
        found = getattr(module, "get_product_info", None)
        if callable(found) and not hasattr(found, "cache_info"):  # not already remembered
            module.get_product_info = functools.cache(found)  # type: ignore[attr-defined]


def build_cloud_adapter(settings: Settings, *, for_turns: bool = True) -> CloudAdapter:
    """A CloudAdapter; MSAL starts lazily, so nothing reaches Microsoft here.

    For incoming turns a failure is answered with a safe apology; for the outbox sender
    (`for_turns=False`) it propagates so the dispatcher can record and retry it.
    """
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import CloudAdapter

    _remember_product_info()
    if not settings.teams_credentials:
        # Every anonymous turn would warn that the (unused) token client has no app id.
        logging.getLogger(
            "microsoft_agents.hosting.core.connector.client.user_token_client"
        ).setLevel(logging.ERROR)
    manager = MsalConnectionManager(
        connections_configurations={"SERVICE_CONNECTION": auth_configuration(settings)}
    )
    adapter = CloudAdapter(connection_manager=manager)

    async def on_turn_error(context: Any, error: Exception) -> None:
        # The SDK's default sends the exception text to the user; never show internals.
        log.error("teams turn failed: %s", type(error).__name__, exc_info=error)
        try:
            await context.send_activity(
                "Sorry, something went wrong on our side and nothing was saved. "
                "Please try again; if it keeps happening, tell a partnership admin."
            )
        except Exception:
            log.warning("teams: could not send the error message either")

    adapter.on_turn_error = on_turn_error if for_turns else None
    return adapter


def check_activity(body: Any) -> str | None:
    """Why this JSON is not an activity we can take (None when it is)."""
    from microsoft_agents.activity import Activity
    from pydantic import ValidationError

    if not isinstance(body, dict):
        return "the body must be a JSON object (an activity)"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "the activity needs a type"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "the activity needs conversation.id"
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"].startswith("http"):
        return "the activity needs an http(s) serviceUrl"
    sender = body.get("from")
    if not (isinstance(sender, dict) and isinstance(sender.get("id"), str) and sender["id"]):
        return "the activity needs from.id (who sent it)"
    try:
        Activity.model_validate(body)
    except (ValidationError, ValueError, TypeError) as exc:
        first = exc.errors()[0] if isinstance(exc, ValidationError) and exc.errors() else None
        where = ".".join(str(p) for p in first["loc"]) if first else "activity"
        return f"invalid activity ({where})"
    return None


# Where Microsoft's channel service sends activities from (serviceUrl): Teams worldwide, GCC,
# GCC High and DoD, and the Bot Framework's own services. Replies and roster look-ups go to the
# serviceUrl, so a forged one would answer a stranger with the directory's view of them.
MICROSOFT_SERVICE_HOSTS = ("smba.trafficmanager.net",)
MICROSOFT_SERVICE_SUFFIXES = (".botframework.com", ".teams.microsoft.com", ".teams.microsoft.us")
FORWARDED_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto")


def service_url_problem(settings: Settings, service_url: str) -> str | None:
    """Why the door will not talk to this serviceUrl (None when it will).

    Anonymous (no credentials): loopback only (a local fake connector or the Agents Playground).
    With credentials: https to Microsoft's channel service hosts only."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(service_url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "the serviceUrl is not a URL"
    if not settings.teams_credentials:
        if host in LOOPBACK or host.startswith("127."):
            return None
        return "without credentials the Teams door only answers a serviceUrl on this machine"
    if parts.scheme == "https" and (
        host in MICROSOFT_SERVICE_HOSTS or host.endswith(MICROSOFT_SERVICE_SUFFIXES)
    ):
        return None
    return "the serviceUrl is not one of Microsoft's channel service hosts"


def forwarded(request: web.Request) -> bool:
    """True when the request came through a proxy that says so (X-Forwarded-*, Forwarded)."""
    return any(name in request.headers for name in FORWARDED_HEADERS)


class TeamsDoor:
    """The SDK adapter and our agent, shared by the route; built once per web app."""

    def __init__(self, ctx: BotContext) -> None:
        from bot.adapters.teams_turns import PartnershipAgent

        self.ctx = ctx
        self.adapter = build_cloud_adapter(ctx.settings)
        self.agent: PartnershipAgent = PartnershipAgent(ctx)
        self.auth = auth_configuration(ctx.settings)

    async def messages(self, request: web.Request) -> web.StreamResponse:
        if request.content_type not in ("application/json", "text/json"):
            return web.json_response({"error": "send the activity as application/json"}, status=415)
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: too deep
            return web.json_response({"error": "the body is not valid JSON"}, status=400)
        problem = check_activity(body)
        if problem:
            return web.json_response({"error": problem}, status=400)
        if not self.ctx.settings.teams_credentials and forwarded(request):
            # anonymous turns trust the caller: one that came through a proxy is not local
            return web.json_response(
                {"error": "the anonymous Teams door takes no proxied requests"}, status=403
            )
        if not self.ctx.settings.teams_credentials and not host_allowed(
            self.ctx.settings, request.host
        ):
            # DNS rebinding: another site's name pointed at this machine could act as anyone
            # and read the replies (deliveryMode expectReplies), as with the web chat
            return web.json_response({"error": "unknown host"}, status=403)
        problem = service_url_problem(self.ctx.settings, body["serviceUrl"])
        if problem:
            return web.json_response({"error": problem}, status=403)
        response = await self.adapter.process(request, self.agent)
        return response or web.Response(status=202)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def bearer_token_problem(authorization: str) -> str | None:
    """Why an Authorization header cannot be a Bot Framework token (None when it may be).

    The SDK's check looks the signing key up by the JWT header's `kid` unguarded, so a token
    without one (or with a header that is not JSON) was a 500; it is refused here with 401."""
    import jwt

    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None  # the SDK answers a missing or non-bearer token with 401 itself
    try:
        header = jwt.get_unverified_header(token.strip())
    except jwt.PyJWTError:
        return "the token is not a JWT"
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        return "the token names no signing key (kid)"
    return None


def token_shape_guard(handler: Any) -> Any:
    """Wrap the SDK's JWT-checked handler: a token of the wrong shape gets 401, not 500."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        problem = bearer_token_problem(request.headers.get("Authorization", ""))
        if problem:
            return web.json_response({"error": problem}, status=401)
        return await handler(request)

    return guarded


def attach(app: web.Application, ctx: BotContext) -> None:
    """`POST /api/messages`: JWT-checked with credentials, anonymous (local use) without."""
    global _said_anonymous
    if not ctx.settings.teams_credentials and ctx.settings.host not in LOOPBACK:
        # Anonymous turns trust the caller's serviceUrl and roster: never off this machine.
        log.error(
            "Teams door is off: HOST is %s and no CONNECTIONS__SERVICE_CONNECTION__SETTINGS__* "
            "credentials are set (anonymous Teams is for 127.0.0.1 only)",
            ctx.settings.host,
        )
        return
    door = TeamsDoor(ctx)
    app[DOOR_KEY] = door
    handler = door.messages
    if ctx.settings.teams_credentials:
        from microsoft_agents.hosting.aiohttp import jwt_authorization_decorator

        with warnings.catch_warnings():  # the SDK's JWT check reads this plain string key
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            app["agent_configuration"] = door.auth
        handler = token_shape_guard(jwt_authorization_decorator(door.messages))
    elif not _said_anonymous:
        _said_anonymous = True
        log.warning(
            "Teams door is anonymous (no CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID): "
            "for local use with a fake connector or the Agents Playground only"
        )
    app.router.add_post(ROUTE, handler)
    app[DOORS].append("teams")


def make_sender(settings: Settings, db: Database) -> Sender | None:
    """The Teams outbox sender (also in anonymous mode, for local proactive messages)."""
    if not settings.teams_credentials and settings.host not in LOOPBACK:
        return None
    from bot.adapters.teams_sender import TeamsSender

    return TeamsSender(settings, build_cloud_adapter(settings, for_turns=False))
