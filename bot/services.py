"""What a handler is given: the Request (who asked what, where, when) and Services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.dates import format_date
from bot.parsing import Args
from bot.policy import DEFAULT, Policy
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.policy import Facts
    from bot.registry import Registry
    from bot.terms import TermCalendar
    from storage.db import Database
    from storage.directory import Person


@dataclass
class Request:
    """One command from one person through one door."""

    text: str
    actor: Person
    door: str  # "web", "slack", "teams", "cli"
    now: datetime
    args: Args = field(default_factory=Args)
    command: str = ""
    channel: str | None = None  # the platform channel it came from, if any
    item: Any = None  # what the command's loader found (Command.loads), checked by the policy
    facts: Facts | None = None  # the asker's relation to `item`, as the loader stated it


@dataclass
class Services:
    """Settings, the clock and this event's database session (committed by the router)."""

    settings: Settings
    clock: Clock
    session: AsyncSession
    db: Database | None = None
    registry: Registry | None = None
    policy: Policy = DEFAULT  # the router's policy table (`help` shows what it allows)
    _terms: TermCalendar | None = None

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def now(self) -> datetime:
        return self.clock.now()

    def estimated_note(self) -> str:
        """A sentence for a reply that used a date from estimated term dates ("end of term"
        in a year the council has not published), or "" when it used none."""
        days = self._terms.estimated_answers if self._terms is not None else []
        if not days:
            return ""
        named = ", ".join(format_date(d) for d in days[:3])
        return (
            f" Note: {named} comes from estimated term dates (not yet published), so it may "
            "move when the council publishes its dates."
        )

    async def terms(self) -> TermCalendar:
        """The term calendar, loaded once per event."""
        if self._terms is None:
            from storage.system import term_calendar

            self._terms = await term_calendar(self.session, self.settings.partnership_calendar)
        return self._terms
