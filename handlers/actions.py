"""Actions: owners, due dates, nudges."""

from __future__ import annotations

from bot.registry import CommandSet

commands = CommandSet("actions", "Actions: owners, due dates, nudges")
register = commands.register
