"""Opportunities and the bulletin: staff post them, everyone sees those meant for their school.

This package only registers: `adding` (opp add), `reading` (opps, opp <id>), `changes` (opp
edit, opp withdraw), `bulletin` (the weekly bulletin); the shared rules are in `kernel`. One
help topic, in that order.
"""

from __future__ import annotations

from bot.registry import Registry
from handlers.opportunities import adding, bulletin, changes, reading


def register(registry: Registry) -> None:
    """Add the opportunity and bulletin commands to `registry`, in help order."""
    adding.commands.register(registry)
    reading.commands.register(registry)
    changes.commands.register(registry)
    bulletin.commands.register(registry)
