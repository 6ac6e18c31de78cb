"""Same-origin guard for the web chat: no other web page may act through the visitor's browser.

Every web chat route (`/` and `/api/web/*`) is checked in this order:

- **Host**: the Host header must name this server: an IP literal, `localhost`, the configured
  HOST, or PUBLIC_URL's host. Anything else is a DNS-rebinding page -> 403.
- **WEB_CHAT_TOKEN** (when configured): `?token=` or `X-Web-Chat-Token` -> else 401. Without
  it, a request that came through a proxy (X-Forwarded-*, Forwarded) -> 403: the token-less
  chat is for this machine only.
- For `/api/web/*` only:
  - **Origin / Sec-Fetch-Site**: a browser's request from another origin (Origin not this
    server's or PUBLIC_URL's, or Sec-Fetch-Site other than same-origin) -> 403.
  - **Content type**: a POST must be `application/json` (a cross-site form or `no-cors` fetch can
    only send text/plain, form or multipart bodies without asking first) -> 415.
  - **Page token**: `X-Page-Token` (or `page_token=` for the SSE inbox, which cannot set
    headers) must be a token this server put in a page it served -> 403.

A page token is `<nonce>.<hmac>`: HMAC-SHA256 of a random nonce under a secret held by this
process (so a restart asks open pages to reload). Nothing is stored per page.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.appkeys import CTX, PAGE_SECRET

if TYPE_CHECKING:
    from bot.settings import Settings

WILDCARD_HOSTS = {"", "0.0.0.0", "::"}
FORWARDED_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto")


def new_page_token(secret: bytes) -> str:
    """A fresh token for one served page: `<nonce>.<hex hmac>` (URL- and HTML-safe)."""
    nonce = secrets.token_urlsafe(16)
    mac = hmac.new(secret, nonce.encode(), hashlib.sha256).hexdigest()
    return f"{nonce}.{mac}"


def page_token_valid(secret: bytes, token: str) -> bool:
    """True when `token` was made by `new_page_token` with this secret."""
    nonce, _, mac = token.partition(".")
    if not nonce or not mac:
        return False
    want = hmac.new(secret, nonce.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(want.encode(), mac.encode())


def _hostname(host_header: str) -> str:
    """`example.org:8000` -> `example.org`; `[::1]:8000` -> `::1`; lower case."""
    try:
        return (urlsplit(f"//{host_header}").hostname or "").lower()
    except ValueError:
        return ""


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_allowed(settings: Settings, host_header: str) -> bool:
    """Whether a request's Host header names this server.

    An IP literal cannot be rebound to another site's name, so any is accepted; names must be
    `localhost`, the configured HOST or PUBLIC_URL's host.
    """
    name = _hostname(host_header)
    if not name:
        return False
    if _is_ip(name) or name == "localhost":
        return True
    names = {settings.host.lower()} - WILDCARD_HOSTS
    if settings.public_url:
        names.add(_hostname(urlsplit(settings.public_url).netloc))
    return name in names


def origin_allowed(settings: Settings, origin: str, host_header: str) -> bool:
    """Whether an Origin header is this server as the browser reached it, or PUBLIC_URL."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # includes "null" (sandboxed frames, file: pages)
    if parts.netloc.lower() == host_header.lower():
        return True
    if settings.public_url:
        public = urlsplit(settings.public_url)
        return (parts.scheme, parts.netloc.lower()) == (public.scheme, public.netloc.lower())
    return False


def _refuse(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """aiohttp middleware applying the checks above to the web chat's routes only."""
    path = request.path
    is_api = path.startswith("/api/web/")
    if path != "/" and not is_api:
        return await handler(request)  # Slack, Teams, calendar feeds: their own checks
    settings = request.app[CTX].settings
    if not host_allowed(settings, request.host):
        return _refuse(403, "unknown host: open the web chat at the address the bot serves")
    token = settings.web_chat_token
    if not token and any(name in request.headers for name in FORWARDED_HEADERS):
        # the token-less web chat lets its visitor act as anyone: only from this machine
        return _refuse(403, "the web chat without WEB_CHAT_TOKEN takes no proxied requests")
    if token:
        given = request.query.get("token") or request.headers.get("X-Web-Chat-Token", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return _refuse(401, "web chat token required")
    if not is_api:
        return await handler(request)
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return _refuse(403, "requests from other web pages are refused")
    origin = request.headers.get("Origin")
    if origin is not None and not origin_allowed(settings, origin, request.host):
        return _refuse(403, "requests from other web pages are refused")
    if request.method not in ("GET", "HEAD") and request.content_type != "application/json":
        return _refuse(415, "send JSON with Content-Type: application/json")
    given = request.headers.get("X-Page-Token") or request.query.get("page_token", "")
    if not page_token_valid(request.app[PAGE_SECRET], given):
        return _refuse(403, "page token missing or out of date: reload the web chat page")
    return await handler(request)
