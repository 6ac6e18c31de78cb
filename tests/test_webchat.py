"""The local web chat in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import BotContext, build_web_app
from bot.appkeys import INBOX_POLL_SECONDS
from bot.reply import Actions, Button, Reply
from storage import outbox
from storage.directory import person_by_email
from tests.conftest import run_tick, web_client

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
    async with web_client(directory) as client:
        for body in ("not json", "[]", '{"person_id": "x", "text": "help"}', '{"person_id": 1}'):
            resp = await client.post(
                "/api/web/command", data=body, headers={"Content-Type": "application/json"}
            )
            assert resp.status == 400, body
        resp = await client.post("/api/web/command", json={"person_id": 999, "text": "help"})
        data = await resp.json()
        assert data["error"] and "not in the partnership directory" in data["text"]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_user_text_is_escaped_in_the_web_chat(directory: BotContext) -> None:
    async with web_client(directory) as client:
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
        page = await (await client.get("/?token=s3cret-token")).text()
        (page_token,) = re.findall(r'name="page-token" content="([^"]+)"', page)
        headers = {"X-Web-Chat-Token": "s3cret-token", "X-Page-Token": page_token}
        people = await client.get("/api/web/people", headers=headers)
        assert people.status == 200 and len(await people.json()) == 20


EVIL = 'person add "Eve Intruder" email:eve@evil.example role:admin'
ATTACK_PAGE = """<!doctype html><title>cat pictures</title><script>
(async () => {
  const body = JSON.stringify({person_id: %(admin)d, text: %(text)s});
  const tries = [
    {mode: "no-cors", headers: {"Content-Type": "text/plain"}},
    {mode: "no-cors"},
    {mode: "cors", headers: {"Content-Type": "application/json"}},
    {mode: "cors", credentials: "include", headers: {"Content-Type": "application/json"}},
  ];
  for (const t of tries) {
    try { await fetch("%(target)s/api/web/command", {method: "POST", body, ...t}); }
    catch (e) { /* the browser refused: also fine */ }
  }
  document.title = "done";
})();
</script>"""


async def _eve(ctx: BotContext) -> object:
    async with ctx.db.session() as session:
        return await person_by_email(session, "eve@evil.example")


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_a_page_from_another_origin_cannot_act_through_the_browser(
    directory: BotContext, browser_available: None
) -> None:
    """Issue 22: a page on another origin posted a text/plain JSON body and created an admin."""
    from playwright.async_api import async_playwright

    async with directory.db.session() as session:
        alex = await person_by_email(session, "alex@learnsheffield.co.uk")
    assert alex is not None and alex.role == "admin"
    bot_server = TestServer(build_web_app(directory), host="127.0.0.1")
    async with bot_server, async_playwright() as pw:
        target = str(bot_server.make_url("")).rstrip("/")
        attacker = web.Application()

        async def attack(request: web.Request) -> web.Response:
            html = ATTACK_PAGE % {"admin": alex.id, "text": json.dumps(EVIL), "target": target}
            return web.Response(text=html, content_type="text/html")

        attacker.router.add_get("/", attack)
        async with TestServer(attacker, host="localhost") as evil_server:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = await browser.new_page()
            await page.goto(str(evil_server.make_url("/")))
            await page.wait_for_function("document.title === 'done'", timeout=10_000)
            await browser.close()
    assert await _eve(directory) is None


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_web_routes_refuse_cross_site_shapes_and_store_nothing(directory: BotContext) -> None:
    async with directory.db.session() as session:
        alex = await person_by_email(session, "alex@learnsheffield.co.uk")
    assert alex is not None
    body = json.dumps({"person_id": alex.id, "text": EVIL})
    json_type = {"Content-Type": "application/json"}
    async with web_client(directory) as client:
        page_token = client.session.headers["X-Page-Token"]
        refused = {
            "text/plain body": ({"Content-Type": "text/plain"}, 415),
            "form body": ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
            "other origin": ({**json_type, "Origin": "http://evil.example"}, 403),
            "null origin": ({**json_type, "Origin": "null"}, 403),
            "cross-site fetch": ({**json_type, "Sec-Fetch-Site": "cross-site"}, 403),
            "rebound host": ({**json_type, "Host": "evil.example:8000"}, 403),
            "no page token": ({**json_type, "X-Page-Token": ""}, 403),
            "forged page token": ({**json_type, "X-Page-Token": "abc." + "0" * 64}, 403),
        }
        for name, (headers, status) in refused.items():
            for path in ("/api/web/command", "/api/web/form"):
                resp = await client.post(path, data=body, headers=headers)
                assert resp.status == status, (name, path, resp.status)
        assert await _eve(directory) is None
        # the inbox (SSE) and the page itself check the Host; the inbox needs the page token
        rebound = {"Host": "evil.example"}
        assert (await client.get("/", headers=rebound)).status == 403
        inbox = f"/api/web/inbox?person_id={alex.id}"
        assert (await client.get(inbox, headers={"X-Page-Token": ""})).status == 403
        assert (await client.get(inbox, headers=rebound)).status == 403
        # the page's own requests still work: same origin, JSON, its token
        own = {**json_type, "Origin": str(client.make_url("")).rstrip("/")}
        ok = await client.post("/api/web/command", data=body, headers=own)
        assert ok.status == 200 and await _eve(directory) is not None
        assert page_token and (await client.get("/", headers={"Host": "localhost:1"})).status == 200


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_public_url_host_and_origin_are_accepted(directory: BotContext) -> None:
    directory.settings.public_url = "https://bot.partnership.example"
    async with web_client(directory) as client:
        headers = {"Host": "bot.partnership.example", "Origin": "https://bot.partnership.example"}
        resp = await client.post(
            "/api/web/command", json={"person_id": 1, "text": "help"}, headers=headers
        )
        assert resp.status == 200
