"""An attendance reply through the real Teams door: under 40 KB of card JSON with its chart, the
chart by URL when PUBLIC_URL is set (and served there), inline otherwise."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters import teams
from bot.app import BotContext, build_web_app
from bot.charts import png_title
from scheduled.dispatcher import Dispatcher
from storage.attendance import import_shipped
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_teams import connector, personal, post

__all__ = ["connector"]  # the fake connector fixture, shared with tests/test_teams.py
PUBLIC = "https://partnership.example.org"
CARD_LIMIT = 40_000


async def _client(ctx: BotContext, public_url: str | None) -> TestClient:
    ctx.settings = ctx.settings.model_copy(update={"public_url": public_url})
    ctx.dispatcher = Dispatcher(ctx.db, [teams.make_sender(ctx.settings, ctx.db)])  # type: ignore[list-item]
    async with ctx.db.session() as session:
        await import_shipped(session, ctx.clock.now())
    client = TestClient(TestServer(build_web_app(ctx)))
    await client.start_server()
    return client


@pytest.fixture
async def public(directory: BotContext) -> AsyncIterator[TestClient]:
    client = await _client(directory, PUBLIC)
    yield client
    await client.close()


@pytest.fixture
async def local(directory: BotContext) -> AsyncIterator[TestClient]:
    client = await _client(directory, None)
    yield client
    await client.close()


def _images(card: dict) -> list[dict]:  # type: ignore[type-arg]
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Image":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


@pytest.mark.parametrize(
    "text", ["attendance Sheffield", "attendance compare Sheffield Leeds", "attendance core-cities"]
)
async def test_with_public_url_the_chart_is_a_link_the_bot_serves(
    public: TestClient, connector: FakeTeamsConnector, text: str
) -> None:
    assert await post(public, personal(connector, "jo", text)) == 202
    [answer] = connector.posted
    [card] = answer.cards
    assert len(json.dumps(answer.body)) < CARD_LIMIT // 4  # a link, not the picture
    [image] = _images(card)
    url = image["url"]
    assert re.fullmatch(re.escape(PUBLIC) + r"/images/[0-9a-f]{64}\.png", url), url
    served = await public.get(url.removeprefix(PUBLIC))
    assert served.status == 200 and served.content_type == "image/png"
    chart = await served.read()
    assert png_title(chart) and png_title(chart) in json.dumps(card)  # the card's chart
    assert (await public.get("/images/" + "0" * 64 + ".png")).status == 404


async def test_without_public_url_the_chart_travels_inline_under_40_kb(
    local: TestClient, connector: FakeTeamsConnector
) -> None:
    assert await post(local, personal(connector, "jo", "attendance Sheffield")) == 202
    [answer] = connector.posted
    [image] = _images(answer.cards[0])
    assert image["url"].startswith("data:image/png;base64,")
    assert len(json.dumps(answer.body)) < CARD_LIMIT
    assert (await local.get("/images/" + "0" * 64 + ".png")).status == 404  # nothing to link
