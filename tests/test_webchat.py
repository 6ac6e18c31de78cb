"""The local web chat in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import BotContext, build_web_app
from bot.appkeys import INBOX_POLL_SECONDS
from bot.reply import Actions, Button, Reply
from storage import outbox
from storage.directory import person_by_email
from tests.conftest import run_tick

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_available() -> None:
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_choose_person_send_help_click_button_and_receive_a_reminder(
    directory: BotContext, browser_available: None
) -> None:
    from playwright.async_api import async_playwright, expect

    app = build_web_app(directory)
    app[INBOX_POLL_SECONDS] = 0.2
    async with TestServer(app, host="127.0.0.1") as server, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page()
        await page.goto(str(server.make_url("/")))
        await expect(page.locator("body[data-ready='1']")).to_have_count(1)
        await page.select_option("#who", label="Jo Bloggs — head, Hillside Primary")

        await page.fill("#text", "help")
        await page.press("#text", "Enter")
        await expect(page.locator("#log .reply").last).to_contain_text("directory:")

        await page.locator("#log button.cmd", has_text="Who am I?").last.click()
        await expect(page.locator("#log .reply").last).to_contain_text("You are Jo Bloggs")

        async with directory.db.session() as session:
            jo = await person_by_email(session, "jo@hillside.sch.uk")
            assert jo is not None
            await outbox.enqueue(
                session,
                key=f"meeting:1:remind:P1D:{jo.id}",
                target=outbox.person_target(jo.id),
                reply=Reply(text="Reminder: Attendance working group tomorrow at 10:00").add(
                    Actions([Button("Attend", "rsvp 1 yes", "primary")])
                ),
                due_at=directory.clock.now() - timedelta(minutes=1),
            )
        await run_tick(directory, directory.clock.now())
        item = page.locator("#inbox .inbox-item").first
        await expect(item).to_contain_text("Attendance working group tomorrow", timeout=10_000)
        await expect(item.locator("button.cmd")).to_have_text("Attend")
        await browser.close()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_web_api_rejects_bad_bodies_with_4xx(directory: BotContext) -> None:
    async with TestClient(TestServer(build_web_app(directory))) as client:
        for body in ("not json", "[]", '{"person_id": "x", "text": "help"}', '{"person_id": 1}'):
            resp = await client.post("/api/web/command", data=body)
            assert resp.status == 400, body
        resp = await client.post("/api/web/command", json={"person_id": 999, "text": "help"})
        data = await resp.json()
        assert data["error"] and "not in the partnership directory" in data["text"]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_user_text_is_escaped_in_the_web_chat(directory: BotContext) -> None:
    async with TestClient(TestServer(build_web_app(directory))) as client:
        resp = await client.post(
            "/api/web/command", json={"person_id": 1, "text": "<script>alert(1)</script>"}
        )
        data = await resp.json()
    assert "<script>" not in data["html"] and "&lt;script&gt;" in data["html"]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_token_required_when_configured(directory: BotContext) -> None:
    directory.settings.web_chat_token = "s3cret-token"
    async with TestClient(TestServer(build_web_app(directory))) as client:
        assert (await client.get("/")).status == 401
        assert (await client.get("/?token=wrong")).status == 401
        assert (await client.get("/?token=s3cret-token")).status == 200
        people = await client.get("/api/web/people", headers={"X-Web-Chat-Token": "s3cret-token"})
        assert people.status == 200 and len(await people.json()) == 20
