"""The demo's due dates and closing dates fall on school days, whenever it is loaded: never a
weekend, a bank holiday or the school holidays (Sheffield's calendar, the default)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.demo import load_demo
from bot.terms import default_calendar
from handlers.terms import closed_note
from tests.conftest import Asker, london


@pytest.mark.parametrize(
    "now",
    [
        london(2023, 12, 1, 9, 0),  # the design's replay: a Friday, tomorrow is Saturday
        london(2025, 12, 12, 9, 0),  # a fortnight ahead is Christmas
        london(2026, 3, 27, 9, 0),  # the last day before Sheffield's Easter holidays
    ],
)
async def test_demo_deadlines_fall_on_school_days(ask: Asker, now: datetime) -> None:
    from storage.actions import Action
    from storage.consultations import Consultation
    from storage.opportunities import Opportunity

    ask.ctx.clock.set(now)  # type: ignore[attr-defined]
    await load_demo(ask.ctx.router, now=now)
    cal = default_calendar()
    async with ask.ctx.db.session() as session:
        due = list(await session.scalars(select(Action.due_on)))
        closes = [
            c.astimezone(ask.ctx.settings.tz).date()
            for c in await session.scalars(select(Consultation.closes_at))
        ]
        opps = [d for d in await session.scalars(select(Opportunity.closes_on)) if d]
    assert len(due) >= 8 and closes and len(opps) >= 4
    closed = {d: closed_note(cal, d) for d in [*due, *closes, *opps] if closed_note(cal, d)}
    assert closed == {}
