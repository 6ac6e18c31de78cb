"""Point-of-need support requests and triage."""

from __future__ import annotations

from bot.registry import CommandSet

commands = CommandSet("support", "Point-of-need support requests and triage")
register = commands.register
