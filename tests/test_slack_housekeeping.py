"""The clock forgets Slack event ids past the retry window and chart images past a month."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import BotContext
from storage.platforms import (
    SlackEvent,
    SlackImage,
    claim_event,
    image_by_digest,
    store_image,
)
from tests.conftest import london, run_tick


async def test_a_tick_forgets_old_event_ids_and_old_images(ctx: BotContext) -> None:
    now = london(2023, 12, 1, 9, 0)
    async with ctx.db.session() as session:
        await claim_event(session, event_id="Ev-old", kind="message", now=now - timedelta(days=3))
        await claim_event(session, event_id="Ev-new", kind="message", now=now - timedelta(hours=1))
        old = await store_image(session, data=b"old chart", now=now - timedelta(days=31))
        new = await store_image(session, data=b"new chart", now=now - timedelta(days=2))
        # stored long ago, but drawn again this week: still in use, so kept
        again = await store_image(session, data=b"again", now=now - timedelta(days=40))
        await store_image(session, data=b"again", now=now - timedelta(days=1))
    result = await run_tick(ctx, now)
    assert result.planned["platforms"] == 0
    async with ctx.db.session() as session:
        assert list(await session.scalars(select(SlackEvent.event_id))) == ["Ev-new"]
        assert sorted(await session.scalars(select(SlackImage.digest))) == sorted([new, again])
        assert await image_by_digest(session, old) is None
        assert await image_by_digest(session, new) == b"new chart"
        # a redelivery of the forgotten event is long past Slack's retries; the id is free again
        assert await claim_event(session, event_id="Ev-old", kind="message", now=now)
