"""The demo's opportunities, posted by staff through the router."""

from __future__ import annotations

from datetime import datetime

from bot.demo.days import uk


def opportunity_commands(now: datetime) -> list[tuple[str, str]]:
    """A handful of opportunities closing on school days over the coming weeks, posted by staff."""

    def on(days: int) -> str:
        return uk(now, days)

    sam = "sam@learnsheffield.co.uk"
    return [
        (
            sam,
            f'opp add "Funded NPQ places" closes:{on(40)} phase:primary,secondary tags:training '
            'link:https://example.org/npq provider:"Learn Sheffield" '
            'summary:"Fully funded National Professional Qualification places for 2024."',
        ),
        (
            sam,
            f'opp add "Leadership network" closes:{on(60)} phase:all subscribers:only '
            'tags:networks link:https://example.org/n summary:"Termly network for headteachers."',
        ),
        (
            sam,
            f'opp add "Reading fluency project" closes:{on(5)} phase:primary tags:projects '
            "link:https://example.org/reading",
        ),
        (
            sam,
            f'opp add "Attendance champions training" closes:{on(20)} phase:all tags:training '
            "link:https://example.org/attendance",
        ),
        (
            sam,
            'opp add "Post-16 transition network" phase:secondary,post-16 tags:networks '
            "link:https://example.org/post16",
        ),
    ]
