"""A fake Slack Web API: a real aiohttp server on a random port that the real slack_sdk talks to.

It records every call, answers like Slack (`{"ok": true, ...}`), serves `response_url`s and a
Socket Mode websocket, and can be told to fail the next call to a method: a 429 with
Retry-After, a 5xx, or a Slack error such as `not_in_channel`. Posted messages are kept per
channel (with their metadata) so `conversations.history` can answer; `before_answer` lets a test
stall or inspect a call after it was recorded (a sender killed while waiting for Slack's answer).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: float | None = None
    page: str = "upstream trouble"  # a 5xx's body: an error page, not Slack's JSON
    page_type: str = "text/plain"


class FakeSlackAPI:
    """Start with `await fake.start()`; point SLACK_API_URL at `fake.api_url`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []  # bodies POSTed to response_urls
        self.users: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, list[Failure]] = {}
        self.socket_messages: list[dict[str, Any]] = []
        self.sockets: list[web.WebSocketResponse] = []
        self.history: dict[str, list[dict[str, Any]]] = {}  # channel -> posted, oldest first
        self.before_answer: Callable[[Call], Awaitable[None]] | None = None
        self.silent: set[str] = set()  # methods accepted, read, and never answered
        self._released = asyncio.Event()  # set on stop, so a silent call's handler ends
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- set-up --------------------------------------------------------------------------

    def add_user(self, user_id: str, email: str | None, *, name: str = "", **extra: Any) -> None:
        profile = {"email": email} if email else {}
        self.users[user_id] = {"id": user_id, "name": name, "profile": profile, **extra}

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: float | None = None,
        page: str = "upstream trouble",
        page_type: str = "text/plain",
    ) -> None:
        failure = Failure(status, error, retry_after, page, page_type)
        self.failures.setdefault(method, []).append(failure)

    def never_answer(self, method: str) -> None:
        """Accept calls to `method`, record them, and never send a response (until stop)."""
        self.silent.add(method)

    async def start(self) -> FakeSlackAPI:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{token}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._released.set()
        for ws in self.sockets:
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, token: str = "r1") -> str:
        return f"{self.url}/respond/{token}"

    # --- what happened ---------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10) -> list[Call]:
        """Wait until `count` calls to `method` arrived (work runs after the ack)."""
        for _ in range(int(timeout / 0.02)):
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"{method} called {len(self.calls_to(method))} times, not {count}")

    async def wait_for_response(self, count: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        for _ in range(int(timeout / 0.02)):
            if len(self.responses) >= count:
                return self.responses
            await asyncio.sleep(0.02)
        raise AssertionError(f"{len(self.responses)} response_url posts, not {count}")

    # --- the API ---------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        call = Call(method, args, dict(request.headers))
        self.calls.append(call)
        if method in self.silent:
            await self._released.wait()
            return web.Response(status=504, text="the fake was stopped")
        queued = self.failures.get(method)
        if queued:
            failure = queued.pop(0)
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = f"{failure.retry_after:g}"
            body = {"ok": False, "error": failure.error or "ratelimited"}
            if failure.status >= 500:
                page_headers = {"Content-Type": failure.page_type}
                return web.Response(
                    status=failure.status, body=failure.page.encode(), headers=page_headers
                )
            return web.json_response(body, status=failure.status, headers=headers)
        answer = self._answer(method, args)
        if self.before_answer is not None:
            await self.before_answer(call)
        return web.json_response(answer)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.com/",
                "team": "Partnership",
                "team_id": "T1",
                "user": "partnership-bot",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0]}}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            ts = f"1700000000.{next(self._ts):06d}"
            if method == "chat.postMessage":
                posted = {"type": "message", "ts": ts, "text": args.get("text", "")}
                if args.get("metadata"):
                    posted["metadata"] = _json(args["metadata"])
                self.history.setdefault(str(args.get("channel")), []).append(posted)
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message_ts": ts}
        if method == "conversations.history":
            return self._history(args)
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": "V1", **(_json(args.get("view")) or {})}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": True}

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first, like Slack; metadata only with `include_all_metadata`."""
        posted = self.history.get(str(args.get("channel")), [])
        oldest = float(args.get("oldest") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in reversed(posted)
            if float(m["ts"]) > oldest
        ]
        limit = int(args.get("limit") or 100)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_token"] = request.match_info["token"]
        self.responses.append(body)
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.socket_messages.append(json.loads(msg.data))
        return ws

    async def send_socket(self, envelope: dict[str, Any]) -> None:
        """Deliver a Socket Mode envelope to every connected client."""
        for ws in self.sockets:
            await ws.send_json(envelope)


def _json(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def signed_headers(secret: str, body: str, *, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<body>`."""
    import hashlib
    import hmac
    import time

    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
