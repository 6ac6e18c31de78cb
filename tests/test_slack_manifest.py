"""slack/manifest*.yml against the fields of Slack's app manifest schema, and against the code."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.adapters.slack import COMMAND

ROOT = Path(__file__).resolve().parent.parent
TEXT = {"type": "string", "minLength": 1}
URL = {"type": "string", "pattern": "^https://"}
SCOPES_FOR_EVENTS = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "app_home_opened": None,
}
# The subset of https://api.slack.com/reference/manifests that this app uses, with Slack's limits.
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["display_information", "features", "oauth_config", "settings"],
    "properties": {
        "_metadata": {
            "type": "object",
            "properties": {
                "major_version": {"type": "integer"},
                "minor_version": {"type": "integer"},
            },
        },
        "display_information": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 35},
                "description": {"type": "string", "maxLength": 140},
                "long_description": {"type": "string", "minLength": 175, "maxLength": 4000},
                "background_color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            },
        },
        "features": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "app_home": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "home_tab_enabled": {"type": "boolean"},
                        "messages_tab_enabled": {"type": "boolean"},
                        "messages_tab_read_only_enabled": {"type": "boolean"},
                    },
                },
                "bot_user": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["display_name"],
                    "properties": {
                        "display_name": {"type": "string", "minLength": 1, "maxLength": 80},
                        "always_online": {"type": "boolean"},
                    },
                },
                "slash_commands": {
                    "type": "array",
                    "maxItems": 50,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["command", "description"],
                        "properties": {
                            "command": {"type": "string", "pattern": "^/[a-z0-9_-]{1,31}$"},
                            "url": URL,
                            "description": {"type": "string", "minLength": 1, "maxLength": 2000},
                            "usage_hint": {"type": "string", "maxLength": 1000},
                            "should_escape": {"type": "boolean"},
                        },
                    },
                },
            },
        },
        "oauth_config": {
            "type": "object",
            "properties": {
                "scopes": {
                    "type": "object",
                    "properties": {"bot": {"type": "array", "items": TEXT, "maxItems": 255}},
                }
            },
        },
        "settings": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "event_subscriptions": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "request_url": URL,
                        "bot_events": {"type": "array", "items": TEXT, "maxItems": 100},
                    },
                },
                "interactivity": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["is_enabled"],
                    "properties": {"is_enabled": {"type": "boolean"}, "request_url": URL},
                },
                "org_deploy_enabled": {"type": "boolean"},
                "socket_mode_enabled": {"type": "boolean"},
                "token_rotation_enabled": {"type": "boolean"},
            },
        },
    },
}


@pytest.mark.parametrize("name", ["manifest.yml", "manifest-socket-mode.yml"])
def test_manifest_is_valid_and_matches_the_code(name: str) -> None:
    manifest = yaml.safe_load((ROOT / "slack" / name).read_text("utf-8"))
    jsonschema.validate(manifest, SCHEMA)
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert command["should_escape"] is True  # mentions arrive as <@U…> ids the bot resolves
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "users:read", "users:read.email"} <= scopes
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    for event in events:
        assert event in SCOPES_FOR_EVENTS
        needed = SCOPES_FOR_EVENTS[event]
        assert needed is None or needed in scopes, f"{event} needs {needed}"
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    socket = manifest["settings"]["socket_mode_enabled"]
    urls = [command.get("url"), manifest["settings"]["event_subscriptions"].get("request_url")]
    if socket:
        assert urls == [None, None]
    else:
        assert all(u and u.endswith("/slack/events") for u in urls)
        assert manifest["settings"]["interactivity"]["request_url"].endswith("/slack/events")
