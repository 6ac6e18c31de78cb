"""Meetings, RSVPs, agendas, minutes and reminders."""

from __future__ import annotations

from bot.registry import CommandSet

commands = CommandSet("meetings", "Meetings, RSVPs, agendas, minutes and reminders")
register = commands.register
