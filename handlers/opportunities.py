"""Opportunities and the bulletin."""

from __future__ import annotations

from bot.registry import CommandSet

commands = CommandSet("opportunities", "Opportunities and the bulletin")
register = commands.register
