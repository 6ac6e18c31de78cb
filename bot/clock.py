"""The one place "now" comes from, so `ask --now`, `tick --now` and tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time, always UTC-aware."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one instant (for `--now` and tests); `set` moves it."""

    def __init__(self, instant: datetime) -> None:
        self._instant = as_utc(instant)

    def now(self) -> datetime:
        return self._instant

    def set(self, instant: datetime) -> None:
        self._instant = as_utc(instant)


def as_utc(instant: datetime) -> datetime:
    """Naive datetimes are taken as UTC (how SQLite hands them back)."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def parse_instant(text: str, tz_name: str = "Europe/London") -> datetime:
    """Parse an ISO 8601 instant for `--now`; a naive one is in the partnership's zone."""
    from zoneinfo import ZoneInfo

    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz_name))
    return value.astimezone(UTC)
