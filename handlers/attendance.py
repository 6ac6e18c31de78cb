"""Quick attendance figures from DfE data."""

from __future__ import annotations

from bot.registry import CommandSet

commands = CommandSet("attendance", "Quick attendance figures from DfE data")
register = commands.register
