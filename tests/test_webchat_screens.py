"""The web chat on any screen, in Debian's chromium: a phone, a small laptop and a wide screen.

Each size is checked for what a visitor would notice: the page never scrolls sideways, the
inbox can be reached, a link in a reply opens in a new tab, the header is readable (WCAG AA),
nobody is chosen before the visitor chooses, and the browser reports no failed request.
Set UPDATE_SCREENSHOTS=1 to write the screenshots the README shows into docs/.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.app import BotContext, build_web_app
from bot.appkeys import INBOX_POLL_SECONDS
from bot.demo import load_demo
from bot.reply import Reply, Section
from storage import outbox
from storage.directory import group_by_name, person_by_email
from tests.conftest import run_tick
from tests.test_webchat import CHROMIUM, FLAGS

SIZES = [(1400, 900), (1024, 768), (390, 844)]
DOCS = Path(__file__).resolve().parent.parent / "docs"
JO = "Jo Bloggs — head, Hillside Primary"


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """WCAG 2.x contrast ratio of two sRGB colours (1 to 21)."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_wcag_reference_values() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def _rgb(css: str) -> tuple[int, int, int]:
    parts = css[css.index("(") + 1 : css.index(")")].split(",")
    r, g, b = (int(float(p)) for p in parts[:3])
    return r, g, b


@pytest.fixture
async def demo(directory: BotContext) -> BotContext:
    await load_demo(directory.router, now=directory.clock.now())
    return directory


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("width", "height"), SIZES)
async def test_the_web_chat_works_at_every_screen_size(
    demo: BotContext, width: int, height: int, caplog: pytest.LogCaptureFixture
) -> None:
    from playwright.async_api import async_playwright, expect

    app = build_web_app(demo)
    app[INBOX_POLL_SECONDS] = 0.2
    async with TestServer(app, host="127.0.0.1") as server, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        failures: list[str] = []
        page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
        page.on(
            "response",
            lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        await page.goto(str(server.make_url("/")))
        await expect(page.locator("body[data-ready='1']")).to_have_count(1)

        # nobody is chosen until the visitor chooses
        assert await page.locator("#who").input_value() == ""
        await expect(page.locator("#who option:checked")).to_have_text("Choose who you are")
        await page.fill("#text", "meetings")
        await page.press("#text", "Enter")
        await expect(page.locator("#log .reply.error").last).to_contain_text("Choose who you are")

        # the header text is readable on its background (WCAG AA: 4.5:1 for normal text)
        header_bg = _rgb(
            await page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor")
        )
        for selector in ("header h1", "header label", "header .hint"):
            if not await page.locator(selector).is_visible():
                continue
            colour = await page.eval_on_selector(selector, "e => getComputedStyle(e).color")
            ratio = contrast(_rgb(colour), header_bg)
            assert ratio >= 4.5, f"{selector} {colour} on {header_bg}: {ratio:.2f}"

        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            await page.select_option("#who", label="Sam Patel — staff, Learn Sheffield")
            await page.select_option("#who", label=JO)
            await page.wait_for_timeout(300)
        loud = [r for r in caplog.records if r.levelno > logging.INFO]
        assert not loud, [r.getMessage() for r in loud]

        # a wide table and long addresses stay inside their boxes
        for text in ("attendance core-cities", "opps", "meetings"):
            before = await page.locator("#log .reply").count()
            await page.fill("#text", text)
            await page.press("#text", "Enter")
            await expect(page.locator("#log .reply")).to_have_count(before + 1)
        await expect(page.locator("#log .reply").last).to_contain_text("meet.example.org")
        overflow = await page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"

        # links in replies are real links to a new tab with no referrer
        link = page.locator("#log .reply a[href^='https://meet.example.org']").first
        await expect(link).to_have_attribute("target", "_blank")
        await expect(link).to_have_attribute("rel", "noopener noreferrer")
        async with context.expect_page() as opened:
            await link.click()
        await (await opened.value).close()  # a new tab opened (no network here to load it)

        # the inbox is on screen, or a scroll away on a phone
        inbox = page.locator("#inbox")
        await inbox.scroll_into_view_if_needed()
        await expect(inbox).to_be_visible()
        await expect(inbox).to_be_in_viewport()

        name = f"webchat-{width}.png"
        shot = DOCS / name if os.environ.get("UPDATE_SCREENSHOTS") else None
        await page.evaluate(
            "() => { window.scrollTo(0, 0); document.querySelectorAll('.table-wrap')"
            ".forEach(t => { t.scrollLeft = 0; }); }"
        )
        if shot is not None:
            await page.screenshot(path=str(shot), full_page=False)
        await browser.close()
    assert not [f for f in failures if "meet.example.org" not in f], failures


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_a_post_sent_to_a_person_and_their_group_shows_once_with_a_uk_time(
    directory: BotContext,
) -> None:
    from playwright.async_api import async_playwright, expect

    app = build_web_app(directory)
    app[INBOX_POLL_SECONDS] = 0.2
    async with directory.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        board = await group_by_name(session, "board")
        assert jo is not None and board is not None
        post = Reply(text="Opportunities bulletin").add(Section(text="Funded NPQ places"))
        due = directory.clock.now() - timedelta(minutes=1)
        await outbox.enqueue(
            session,
            key="bulletin:test:dm",
            target=outbox.person_target(jo.id),
            reply=post,
            due_at=due,
        )
        await outbox.enqueue(
            session,
            key="bulletin:test:board",
            target=outbox.group_target("board"),
            reply=post,
            due_at=due,
        )
    await run_tick(directory, directory.clock.now())
    async with TestServer(app, host="127.0.0.1") as server, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page()
        await page.goto(str(server.make_url("/")))
        await expect(page.locator("body[data-ready='1']")).to_have_count(1)
        await page.select_option("#who", label=JO)
        items = page.locator("#inbox .inbox-item")
        await expect(items.first).to_contain_text("Funded NPQ places", timeout=10_000)
        await page.wait_for_timeout(600)  # a few more polls: the second copy must not appear
        await expect(items).to_have_count(1)
        # "Sun 29 Nov 2026, 21:00" in the partnership's zone, not an ISO stamp
        stamp = await items.first.locator("small").inner_text()
        assert "T" not in stamp and " 20" in stamp and ", " in stamp, stamp
        await browser.close()
