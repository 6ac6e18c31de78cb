"""Actions: who agreed to do what, by when; done, snooze, reassign, notes, lists and export.

`kernel` holds the domain's shared rules; `adding`, `reading` and `changes` its commands;
`minutes` turns ACTION lines in a meeting's minutes into actions. This module only registers.
"""

from __future__ import annotations

from bot.registry import MINUTES_RECORDED, Registry
from handlers.actions import adding, changes, minutes, reading


def register(registry: Registry) -> None:
    """The commands in help order (add, one, lists, changes); capture from minutes."""
    adding.commands.register(registry)
    reading.commands.register(registry)
    changes.commands.register(registry)
    registry.listen(MINUTES_RECORDED, minutes.capture)
