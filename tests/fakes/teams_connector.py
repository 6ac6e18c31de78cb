"""A fake Bot Framework connector: a real aiohttp server on a random port that records what the
Agents SDK's own connector client sends (replies, proactive messages) and answers roster calls.

Use it as the `serviceUrl` of test activities; nothing reaches Microsoft.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Posted:
    """One activity the bot sent to the connector."""

    conversation_id: str
    reply_to_id: str | None
    body: dict[str, Any]
    authorization: str | None
    query: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.get("text") or ""

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    def all_text(self) -> str:
        """The message text plus every TextBlock and fact in its cards, unescaped loosely."""
        parts = [self.text]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") == "TextBlock":
                    parts.append(node.get("text", ""))
                if node.get("type") == "FactSet":
                    parts.extend(f"{f['title']}: {f['value']}" for f in node.get("facts", []))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.cards)
        return "\n".join(p for p in parts if p).replace("\\", "")


class FakeTeamsConnector:
    """Records activities; `members` is the roster by member id (the SDK's `get_conversation_member`)."""

    def __init__(self) -> None:
        self.posted: list[Posted] = []
        self.members: dict[str, dict[str, Any]] = {}
        self.roster_calls: list[tuple[str, str]] = []
        self.failures: list[tuple[int, dict[str, Any] | str, dict[str, str]]] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Condition()
        self.silent = False  # accept sends and never answer them (until stop)
        self.silent_calls = 0
        self._released = asyncio.Event()
        self.url = ""

    def add_member(
        self, member_id: str, *, aad_object_id: str, name: str, email: str | None
    ) -> None:
        member: dict[str, Any] = {"id": member_id, "name": name, "aadObjectId": aad_object_id}
        if email:
            member.update(email=email, userPrincipalName=email, givenName=name.split()[0])
        self.members[member_id] = member

    def fail_next(
        self,
        status: int,
        code: str = "Error",
        headers: dict[str, str] | None = None,
        *,
        body: str | None = None,
    ) -> None:
        """Make the next send answer with this HTTP status (e.g. 403 for an uninstalled app);
        `body` sends that text instead of the connector's JSON error (a proxy's error page)."""
        error = body if body is not None else {"error": {"code": code, "message": code}}
        self.failures.append((status, error, headers or {}))

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self._paged)
        app.router.add_get("/v3/conversations/{cid}/pagedMembers", self._paged)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self.url

    async def stop(self) -> None:
        self._released.set()
        if self._runner:
            await self._runner.cleanup()

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Posted]:
        """Wait until at least `count` activities have arrived (sends can finish after 202)."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.posted) >= count), timeout
            )
        return self.posted

    async def _record(self, request: web.Request, reply_to: str | None) -> web.Response:
        if self.silent:
            self.silent_calls += 1
            await self._released.wait()
            return web.Response(status=504, text="the fake was stopped")
        if self.failures:
            status, body, headers = self.failures.pop(0)
            if isinstance(body, str):
                return web.Response(status=status, text=body, headers=headers)
            return web.json_response(body, status=status, headers=headers)
        body = await request.json()
        posted = Posted(
            conversation_id=request.match_info["cid"],
            reply_to_id=reply_to,
            body=body,
            authorization=request.headers.get("Authorization"),
            query=dict(request.query),
        )
        async with self._arrived:
            self.posted.append(posted)
            self._arrived.notify_all()
        return web.json_response({"id": f"activity-{next(self._ids)}"})

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._record(request, request.match_info["aid"])

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, None)

    async def _member(self, request: web.Request) -> web.Response:
        cid, mid = request.match_info["cid"], request.match_info["mid"]
        self.roster_calls.append((cid, mid))
        member = self.members.get(mid)
        if member is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}},
                status=404,
            )
        return web.json_response(member)

    async def _paged(self, request: web.Request) -> web.Response:
        return web.json_response({"members": list(self.members.values())})
