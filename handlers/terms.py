"""The school term calendar."""

from __future__ import annotations

from bot.registry import CommandSet

commands = CommandSet("terms", "The school term calendar")
register = commands.register
