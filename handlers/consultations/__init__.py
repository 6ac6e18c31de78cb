"""Consultations and their deadlines: staff open them, heads say when their school responded.

This package only registers: `opening` (consultation add), `reading` (consultations,
consultation <id>), `changes` (extend, close), `responses` (responded, responses); the shared
rules are in `kernel`. One help topic, in that order.
"""

from __future__ import annotations

from bot.registry import Registry
from handlers.consultations import changes, opening, reading, responses


def register(registry: Registry) -> None:
    """Add the consultation commands to `registry`, in help order."""
    opening.commands.register(registry)
    reading.commands.register(registry)
    changes.commands.register(registry)
    responses.commands.register(registry)
