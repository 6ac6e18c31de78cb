"""`partnership-bot teams-package`: a zip whose manifest (1.17) validates, with the icons Teams
needs and the registry's commands as suggestions."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from bot.cli import main
from bot.policy import POLICY
from bot.router import build_registry
from bot.settings import Settings
from bot.teams_package import make_icons, write_package

GUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
HTTPS = {"type": "string", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://", "maxLength": 2048}
# The required parts of the Teams manifest schema v1.17 (MicrosoftTeams.schema.json), as
# documented: required top-level fields, string limits and the bot/commandList shapes.
MANIFEST_SCHEMA = {
    "type": "object",
    "required": [
        "manifestVersion",
        "version",
        "id",
        "developer",
        "name",
        "description",
        "icons",
        "accentColor",
    ],
    "properties": {
        "manifestVersion": {"enum": ["1.17", "1.18", "1.19", "1.20", "1.21", "1.22"]},
        "version": {
            "type": "string",
            "maxLength": 256,
            "pattern": r"^([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)$",
        },
        "id": {"type": "string", "pattern": GUID},
        "developer": {
            "type": "object",
            "required": ["name", "websiteUrl", "privacyUrl", "termsOfUseUrl"],
            "properties": {
                "name": {"type": "string", "maxLength": 32},
                "websiteUrl": HTTPS,
                "privacyUrl": HTTPS,
                "termsOfUseUrl": HTTPS,
            },
        },
        "name": {
            "type": "object",
            "required": ["short"],
            "properties": {
                "short": {"type": "string", "maxLength": 30, "minLength": 1},
                "full": {"type": "string", "maxLength": 100},
            },
        },
        "description": {
            "type": "object",
            "required": ["short", "full"],
            "properties": {
                "short": {"type": "string", "maxLength": 80, "minLength": 1},
                "full": {"type": "string", "maxLength": 4000, "minLength": 1},
            },
        },
        "icons": {
            "type": "object",
            "required": ["outline", "color"],
            "properties": {"outline": {"type": "string"}, "color": {"type": "string"}},
        },
        "accentColor": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "bots": {
            "type": "array",
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["botId", "scopes"],
                "properties": {
                    "botId": {"type": "string", "minLength": 1},
                    "scopes": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"enum": ["team", "personal", "groupChat"]},
                    },
                    "commandLists": {
                        "type": "array",
                        "maxItems": 3,
                        "items": {
                            "type": "object",
                            "required": ["scopes", "commands"],
                            "properties": {
                                "commands": {
                                    "type": "array",
                                    "maxItems": 10,
                                    "items": {
                                        "type": "object",
                                        "required": ["title", "description"],
                                        "properties": {
                                            "title": {"type": "string", "maxLength": 32},
                                            "description": {"type": "string", "maxLength": 128},
                                        },
                                    },
                                }
                            },
                        },
                    },
                },
            },
        },
        "permissions": {
            "type": "array",
            "items": {"enum": ["identity", "messageTeamMembers"]},
        },
        "validDomains": {"type": "array", "items": {"type": "string", "maxLength": 2048}},
    },
}


def settings(**extra: str) -> Settings:
    return Settings(_env_file=None, **extra)  # type: ignore[call-arg]


def read(path: Path) -> tuple[dict, Image.Image, Image.Image]:
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    return manifest, color, outline


def test_the_package_manifest_validates_and_names_the_bot(tmp_path: Path) -> None:
    bot_id = "11111111-2222-3333-4444-555555555555"
    out = tmp_path / "app.zip"
    write_package(
        settings(public_url="https://bot.example.org"), build_registry(), out, bot_id=bot_id
    )
    manifest, color, outline = read(out)
    jsonschema.Draft7Validator(MANIFEST_SCHEMA).validate(manifest)
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["bots"][0]["botId"] == bot_id and manifest["id"] == bot_id
    assert manifest["validDomains"] == ["bot.example.org"]
    assert color.size == (192, 192) and outline.size == (32, 32)
    # Outline icons are white on transparent.
    rgba = outline.convert("RGBA")
    pixels = [rgba.getpixel((x, y)) for x in range(32) for y in range(32)]
    pixels = [p for p in pixels if p[3]]
    assert pixels and all(p[:3] == (255, 255, 255) for p in pixels)
    assert outline.convert("RGBA").getpixel((0, 0))[3] == 0


def test_suggested_commands_come_from_the_registry(tmp_path: Path) -> None:
    registry = build_registry()
    manifest = write_package(settings(), registry, tmp_path / "a.zip", bot_id="not-a-guid")
    for command_list in manifest["bots"][0]["commandLists"]:
        titles = [c["title"] for c in command_list["commands"]]
        assert titles[0] == "help" and "whoami" in titles
        assert 1 <= len(titles) <= 10
        for title in titles:
            command = registry.commands[title]
            assert "head" in POLICY[command.name].roles  # only commands every member may use
    jsonschema.Draft7Validator(MANIFEST_SCHEMA).validate(manifest)  # a GUID made from the id
    again = write_package(settings(), registry, tmp_path / "b.zip", bot_id="not-a-guid")
    assert again["id"] == manifest["id"]


def test_the_cli_writes_the_zip_and_explains_a_missing_bot_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", raising=False)
    assert main(["teams-package", "--out", str(tmp_path / "x.zip")]) == 2
    assert "CLIENTID" in capsys.readouterr().err
    monkeypatch.setenv(
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID",
        "11111111-2222-3333-4444-555555555555",
    )
    assert main(["teams-package", "--out", str(tmp_path / "x.zip"), "--version", "1.2.0"]) == 0
    manifest, _, _ = read(tmp_path / "x.zip")
    assert manifest["version"] == "1.2.0"
    jsonschema.Draft7Validator(MANIFEST_SCHEMA).validate(manifest)


def pixels(png: bytes) -> tuple[str, tuple[int, int], bytes]:
    """What a PNG shows (mode, size, raw pixels), not how zlib happened to compress it."""
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return image.mode, image.size, image.tobytes()


def test_generated_icons_match_the_committed_ones() -> None:
    color, outline = make_icons()
    assets = Path(__file__).parent.parent / "teams"
    assert pixels((assets / "color.png").read_bytes()) == pixels(color)
    assert pixels((assets / "outline.png").read_bytes()) == pixels(outline)
