"""Privacy, audit and access."""

from __future__ import annotations

from bot.registry import CommandSet

commands = CommandSet("trust", "Privacy, audit and access")
register = commands.register
