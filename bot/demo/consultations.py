"""The demo's open consultation, made by staff through the router."""

from __future__ import annotations

from datetime import datetime

from bot.demo.days import uk


def consultation_commands(now: datetime) -> list[tuple[str, str]]:
    """One open consultation, closing on a school day, so `consultation add` in the examples
    makes #2."""
    closes = uk(now, 24)
    return [
        (
            "stella@learnsheffield.co.uk",
            'consultation add "Education and skills partnership framework" '
            f"closes:{closes} audience:primary,secondary,special "
            'summary:"How should schools, colleges and the council work together?" '
            "link:https://example.org/framework nudge:yes",
        ),
    ]
