"""Point-of-need support: heads ask for help, Learn Sheffield staff triage it privately.

This package only registers: asking and reading in `asking`, staff triage in `triage`, shared
rules in `kernel`. Both command modules share one help topic, asking first.
"""

from __future__ import annotations

from bot.registry import Registry
from handlers.support import asking, triage


def register(registry: Registry) -> None:
    """Add the support commands to `registry`, in help order."""
    asking.commands.register(registry)
    triage.commands.register(registry)
