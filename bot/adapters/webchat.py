"""The local web chat at `/`: pick who you are, type commands, see replies and a live inbox.

It is for trying the bot with no workspace. Bound to 127.0.0.1 unless HOST says otherwise; then
every API call must carry WEB_CHAT_TOKEN. Every route is behind `webguard.guard` (Host, Origin,
JSON content type, per-page token), so no other web page can act through the visitor's browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from datetime import datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.adapters import webguard
from bot.appkeys import CTX, DOORS, INBOX_CLOSING, INBOX_POLL_SECONDS, PAGE_SECRET
from bot.dates import format_when
from bot.errors import UserError
from bot.render.html import render_html
from bot.render.text import render_text
from bot.reply import Form, Reply
from bot.router import error_reply
from storage import directory, outbox

if TYPE_CHECKING:
    from bot.context import BotContext

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DUPLICATE_WINDOW = timedelta(hours=1)


def _ctx(request: web.Request) -> BotContext:
    return request.app[CTX]


def render_payload(reply: Reply) -> dict[str, Any]:
    return {
        "html": render_html(reply),
        "text": render_text(reply),
        "error": reply.error,
        "error_field": reply.error_field,
    }


async def page(request: web.Request) -> web.Response:
    html = resources.files("bot.adapters").joinpath("webchat.html").read_text("utf-8")
    token = webguard.new_page_token(request.app[PAGE_SECRET])
    return web.Response(
        text=html.replace("__PAGE_TOKEN__", token),
        content_type="text/html",
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


async def people(request: web.Request) -> web.Response:
    async with _ctx(request).db.session() as session:
        rows = await directory.all_people(session)
        data = [
            {
                "id": p.id,
                "name": p.name,
                "email": p.email,
                "role": p.role,
                "organisation": p.organisation.name if p.organisation else None,
            }
            for p in rows
            if p.active
        ]
    return web.json_response(data)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):  # RecursionError: too deep
        raise web.HTTPBadRequest(text="body must be JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    try:
        body["person_id"] = int(body.get("person_id"))
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text="person_id must be a number") from None
    return body


async def command(request: web.Request) -> web.Response:
    body = await _body(request)
    text = body.get("text")
    if not isinstance(text, str):
        raise web.HTTPBadRequest(text="text must be a string")
    reply = await _ctx(request).router.handle(text, actor_id=body["person_id"], door="web")
    return web.json_response(render_payload(reply))


async def form(request: web.Request) -> web.Response:
    """A submitted form becomes the command text a user could have typed.

    Body: `{"person_id": int, "form": <Form.to_wire(), as the page got it in data-form>,
    "values": {field name: text}}`. A body that is not such a form gets 400 with an error
    reply (html, text) saying so.
    """
    body = await _body(request)
    values = body.get("values", {})
    try:
        form = Form.from_wire(body.get("form"))
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise UserError(
                "The form's values must be text, by field name.",
                example='{"form": {...}, "values": {"note": "Primary heads done"}}',
            )
    except UserError as err:
        return web.json_response(render_payload(error_reply(err)), status=400)
    text = form.to_command(values)
    reply = await _ctx(request).router.handle(
        text, actor_id=body["person_id"], door="web", submitted=True
    )
    # a bad value: the form again, as typed, with the message by its field
    payload = render_payload(reply.after_submit(form, values))
    payload["command"] = text
    return web.json_response(payload)


async def _inbox_targets(ctx: BotContext, person_id: int) -> list[str]:
    async with ctx.db.session() as session:
        groups = await directory.groups_of(session, person_id)
    return [outbox.person_target(person_id)] + [outbox.group_target(g.name) for g in groups]


async def inbox(request: web.Request) -> web.StreamResponse:
    """Server-sent events: each sent outbox message for this person or their groups."""
    ctx = _ctx(request)
    try:
        person_id = int(request.query["person_id"])
        # a browser reconnecting after a dropped stream says where it got to
        after = int(request.headers.get("Last-Event-ID") or request.query.get("after", "0"))
    except (KeyError, ValueError):
        raise web.HTTPBadRequest(text="person_id is required") from None
    targets = await _inbox_targets(ctx, person_id)
    tz = ctx.settings.tz
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    cursor = after  # 0: the latest few, then everything new
    # A post can reach a person twice, as their own copy and as a group channel's (a bulletin
    # to a member of the bulletin's channel): the inbox shows it once. Copies are sent together,
    # so the same text an hour or more apart is a new post (next week's identical reminder).
    shown: dict[str, datetime] = {}
    closing = request.app[INBOX_CLOSING]

    async def fetch(after_id: int) -> list[tuple[int, dict[str, Any]]]:
        """New messages, read and rendered in one short session that no disconnect cuts."""
        async with ctx.db.session() as session:
            rows = await outbox.sent_to(session, targets=targets, after_id=after_id)
            found = []
            for row in rows:
                data = render_payload(row.reply)
                data.update(
                    {
                        "id": row.id,
                        "key": row.key,
                        "target": row.target,
                        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                        # local time, UK style: "Sun 29 Nov 2026, 21:00"
                        "sent_label": format_when(row.sent_at, tz) if row.sent_at else "",
                        "_sent": row.sent_at or ctx.clock.now(),
                    }
                )
                found.append((row.id, data))
            return found

    try:
        while not closing.is_set():
            # Shielded, and written to the browser only after the session is closed: a visitor
            # switching person (the page drops this stream) must never cut a database session
            # in half, which SQLAlchemy logs as an error ("Exception during reset").
            for row_id, data in await asyncio.shield(fetch(cursor)):
                cursor = max(cursor, row_id)
                sent = data.pop("_sent")
                before = shown.get(data["html"])
                shown[data["html"]] = sent
                if before is not None and abs(sent - before) < DUPLICATE_WINDOW:
                    continue
                await response.write(f"id: {row_id}\ndata: {json.dumps(data)}\n\n".encode())
            await response.write(b": keepalive\n\n")
            with contextlib.suppress(TimeoutError):  # a poll, or the server stopping
                await asyncio.wait_for(closing.wait(), request.app.get(INBOX_POLL_SECONDS, 1.0))
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response


async def _close_inboxes(app: web.Application) -> None:
    """On shutdown open inbox streams end (the page reconnects to the next server)."""
    app[INBOX_CLOSING].set()


def attach(app: web.Application, ctx: BotContext) -> None:
    app[PAGE_SECRET] = secrets.token_bytes(32)
    app[INBOX_CLOSING] = asyncio.Event()
    app.on_shutdown.append(_close_inboxes)
    app.middlewares.append(webguard.guard)
    app.router.add_get("/", page)
    app.router.add_get("/api/web/people", people)
    app.router.add_post("/api/web/command", command)
    app.router.add_post("/api/web/form", form)
    app.router.add_get("/api/web/inbox", inbox)
    app[DOORS].append("web")
