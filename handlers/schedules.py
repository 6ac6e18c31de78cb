"""Scheduled posts to channels."""

from __future__ import annotations

from bot.registry import CommandSet

commands = CommandSet("schedules", "Scheduled posts to channels")
register = commands.register
