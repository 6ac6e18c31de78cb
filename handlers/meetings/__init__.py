"""Meetings in chat: booking, changes, RSVPs, agendas, papers, minutes and calendar files.

`kernel` holds the domain's shared rules; `schedule`, `changes`, `replies`, `papers`,
`minutes`, `record` and `feeds` its commands. Reminders are planned in scheduled/meetings.py.
This module only registers.
"""

from __future__ import annotations

from bot.registry import Registry
from handlers.meetings import changes, feeds, minutes, papers, record, replies, schedule


def register(registry: Registry) -> None:
    """The commands in help order: add, list, one; move, cancel; rsvp, apologies; agenda,
    papers; minutes and the meeting's record; the calendar file and feed."""
    schedule.commands.register(registry)
    changes.commands.register(registry)
    replies.commands.register(registry)
    papers.commands.register(registry)
    minutes.commands.register(registry)
    record.commands.register(registry)
    feeds.commands.register(registry)
