"""`partnership-bot teams-package`: the Teams app zip (manifest 1.17, icons, suggested commands).

Upload the zip in Teams (Apps > Manage your apps > Upload an app) or through the Teams admin
centre. The bot id is the Azure Bot's app (client) id, the same value the door validates tokens
against; the suggested commands come from the command registry, so they never drift.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.errors import UserError
from bot.policy import DEFAULT
from bot.registry import Registry
from bot.settings import Settings

MANIFEST_VERSION = "1.17"
MANIFEST_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
)
ASSETS = Path(__file__).resolve().parent.parent / "teams"
ACCENT = "#1F5C99"
MAX_COMMANDS = 10  # Teams shows at most ten suggested commands per scope
APP_NAMESPACE = uuid.UUID("6f1c2b1e-6b5a-4c1e-9a57-3c2f1f0d8a41")
FIRST = ("help", "whoami", "meetings", "actions", "opps", "support", "consultations")


def suggested_commands(registry: Registry, *, limit: int = MAX_COMMANDS) -> list[dict[str, str]]:
    """Commands every member may use, the everyday ones first (title <= 32, text <= 128)."""
    usable = [c for c in registry.commands.values() if {"head", "member"} <= DEFAULT.roles(c.name)]
    order = {name: i for i, name in enumerate(FIRST)}
    usable.sort(key=lambda c: (order.get(c.name, len(order)), len(c.words), c.name))
    out = []
    for command in usable[:limit]:
        out.append({"title": command.name[:32], "description": command.summary[:128]})
    return out


def _app_id(bot_id: str) -> str:
    """The Teams app id: a GUID, stable for a bot (the bot id itself when it is one)."""
    try:
        return str(uuid.UUID(bot_id))
    except ValueError:
        return str(uuid.uuid5(APP_NAMESPACE, bot_id))


def build_manifest(
    settings: Settings, registry: Registry, *, bot_id: str, version: str = "1.0.0"
) -> dict[str, Any]:
    commands = suggested_commands(registry)
    website = settings.public_url or "https://www.learnsheffield.co.uk"
    domains = []
    if settings.public_url:
        host = urlparse(settings.public_url).hostname
        if host:
            domains.append(host)
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": _app_id(bot_id),
        "developer": {
            "name": "Sheffield Strategic Partnership",
            "websiteUrl": website,
            "privacyUrl": website.rstrip("/") + "/privacy",
            "termsOfUseUrl": website.rstrip("/") + "/terms",
        },
        "name": {"short": "Partnership", "full": "Children's Strategic Partnership bot"},
        "description": {
            "short": "Meetings, actions, opportunities and support for the partnership.",
            "full": (
                "Ask about your next meetings, your actions, open opportunities, attendance "
                "figures and point-of-need support; get reminders for meetings, actions, "
                "consultations and the opportunities bulletin. Type help to start."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": commands},
                    {"scopes": ["team", "groupChat"], "commands": commands},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": domains,
    }


def make_icons() -> tuple[bytes, bytes]:
    """A plain colour icon (192x192) and a white-on-transparent outline (32x32)."""
    from PIL import Image, ImageDraw

    color = Image.new("RGBA", (192, 192), ACCENT)
    draw = ImageDraw.Draw(color)
    for cx in (64, 128):
        draw.ellipse((cx - 26, 46, cx + 26, 98), fill="white")
    draw.rounded_rectangle((30, 108, 162, 150), radius=20, fill="white")
    outline = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(outline)
    for cx in (11, 21):
        draw.ellipse((cx - 5, 6, cx + 5, 16), outline=(255, 255, 255, 255), width=2)
    draw.rounded_rectangle((4, 19, 28, 27), radius=4, outline=(255, 255, 255, 255), width=2)
    out = []
    for image in (color, outline):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out[0], out[1]


def icons() -> tuple[bytes, bytes]:
    """The committed icons in teams/ (replace them with your own), else generated ones."""
    color, outline = ASSETS / "color.png", ASSETS / "outline.png"
    if color.exists() and outline.exists():
        return color.read_bytes(), outline.read_bytes()
    return make_icons()


def write_package(
    settings: Settings,
    registry: Registry,
    out: Path,
    *,
    bot_id: str | None = None,
    version: str = "1.0.0",
) -> dict[str, Any]:
    """Write the zip; returns the manifest written."""
    bot_id = bot_id or settings.teams_client_id
    if not bot_id:
        raise UserError(
            "The Teams package needs the bot's app id.",
            hint="Set CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID (the Azure Bot's "
            "Microsoft App ID), or pass --bot-id.",
            example="partnership-bot teams-package --bot-id 00000000-0000-0000-0000-000000000000",
        )
    manifest = build_manifest(settings, registry, bot_id=bot_id, version=version)
    color, outline = icons()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("color.png", color)
        archive.writestr("outline.png", outline)
    return manifest
