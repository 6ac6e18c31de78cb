"""Consultations and their deadlines."""

from __future__ import annotations

from bot.registry import CommandSet

commands = CommandSet("consultations", "Consultations and their deadlines")
register = commands.register
