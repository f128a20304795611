"""The figures page in headless Chromium: from HR's chat to the page, its print and its CSV.

Half a year of suggestions for a few dozen people (through the real core, dispatcher and share
links), then Hanna asks for the link in the playground and opens it. Nothing is fetched from
anywhere but Sharebot, no script runs, no console error; the page prints to PDF; the screenshot
is the one in ``docs/dashboard.png``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from bot.ports import Actor
from bot.privacy.opt_in_history import record_opt_in
from bot.sharing.links import follow
from storage import shares
from storage.database import Database
from tests.browser_support import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, async_playwright
from tests.playground_server import RunningServer, running_playground
from tests.support import FakeClock, FakeMessenger

if TYPE_CHECKING:
    from playwright.async_api import Page, Route

pytestmark = pytest.mark.browser
START = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)  # a Wednesday
TODAY = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
# Six months of suggestions: weeks after START, people opted in by then, clicks per network
HISTORY = (
    (0, 34, {"linkedin": 9, "xing": 6, "x": 2, "copy": 7}),
    (4, 38, {"linkedin": 12, "xing": 3, "x": 7, "copy": 9}),
    (9, 41, {"linkedin": 15, "xing": 8, "x": 6, "copy": 5}),
    (13, 45, {"linkedin": 11, "xing": 9, "x": 8, "copy": 12}),
    (18, 48, {"linkedin": 19, "xing": 7, "x": 3, "copy": 10}),
    (22, 52, {"linkedin": 24, "xing": 11, "x": 9, "copy": 14}),
)
CHAT = "chat"  # a second, played platform for the audience: the playground has seven people


async def _history(server: RunningServer, clock: FakeClock) -> None:
    core, ctx = server.runtime.core, server.runtime.ctx
    ctx.messengers = {**ctx.messengers, CHAT: FakeMessenger()}
    chris = Actor("playground", "chris", "Chris Weber", "en-GB", "Europe/Berlin")
    for n in range(20):  # people who never decided: opted-in is not close to everyone
        await core.say(Actor(CHAT, f"u{n}", f"U{n}", "en-GB", "Europe/Berlin"), "help")
    opted = 0
    for number, (weeks, people, clicks) in enumerate(HISTORY, start=1):
        clock.set(START + timedelta(weeks=weeks))
        for n in range(opted, people):
            await core.say(Actor(CHAT, f"p{n}", f"P{n}", "en-GB", "Europe/Berlin"), "on")
        opted = people
        await record_opt_in(server.runtime.database, clock.now())
        await core.say(
            chris,
            f"new https://example.com/news/{number} News #{number} --networks linkedin,xing,x",
        )
        await server.runtime.dispatcher.tick()
        async with server.runtime.database.transaction() as session:
            links = await shares.links_for(session, number)
        for network, times in clicks.items():
            for _ in range(times):
                assert await follow(ctx, links[network]) is not None
        await server.runtime.dispatcher.tick()
        clock.advance(days=7)
        await core.say(chris, f"end {number}")
    clock.set(TODAY - timedelta(hours=20))
    await core.say(chris, "new https://example.com/news/7 Ended this morning")
    await server.runtime.dispatcher.tick()
    await core.say(chris, "end 7")
    clock.set(TODAY)
    await core.say(chris, "new https://example.com/news/8 Running now")
    await server.runtime.dispatcher.tick()


async def test_hr_opens_the_figures_page_prints_it_and_downloads_its_csv(
    database: Database,
) -> None:
    clock = FakeClock(START)
    async with running_playground(database, clock) as server, async_playwright() as playwright:
        await _history(server, clock)
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = await browser.new_context(
            viewport={"width": 1100, "height": 900}, locale="en-GB", accept_downloads=True
        )
        elsewhere: list[str] = []

        async def stay_local(route: Route) -> None:
            if route.request.url.startswith(server.url):
                await route.continue_()
            else:
                elsewhere.append(route.request.url)
                await route.fulfill(status=404, body="")

        await context.route("**/*", stay_local)
        problems: list[str] = []
        context.on("page", lambda tab: _watch(tab, problems))
        chat = await context.new_page()
        await chat.goto(f"{server.url}/#hanna")
        await chat.fill("#command", "/share übersicht")
        await chat.click("#send")
        button = chat.locator("a.btn", has_text="Zahlenseite öffnen").last  # Hanna's German
        await button.wait_for()
        async with context.expect_page() as opened:
            await button.click()
        page = await opened.value
        await page.wait_for_load_state()

        assert await page.locator("html").get_attribute("lang") == "en"  # the browser's
        assert await page.locator("h1").inner_text() == "Sharebot figures"
        charts = page.locator('svg[role="img"]')
        assert await charts.count() == 4  # released, per month (two), opted in (HR)
        for index in range(4):
            labelled = await charts.nth(index).get_attribute("aria-labelledby") or ""
            title = page.locator(f"[id='{labelled.split()[0]}']")
            assert (await title.text_content() or "").strip()
        assert await page.locator("table").count() == 4
        released = page.locator("#released tbody tr")
        assert await released.count() == 6
        assert "24" in await released.first.inner_text()  # #6: LinkedIn 24 of 50–54
        assert await page.locator("#others tbody tr").count() == 2
        assert await page.evaluate("document.scripts.length") == 0

        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

        await page.emulate_media(media="print")
        assert await page.locator("nav").is_hidden()
        pdf = await page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        await page.emulate_media(media="screen")

        async with page.expect_download() as saving:
            await page.locator("nav a[download]").click()
        download = await saving.value
        assert download.suggested_filename == "sharebot-figures-hr-2026-12-02.csv"
        path = await download.path()
        assert path is not None
        text = path.read_text(encoding="utf-8")
        assert text.startswith("figure,suggestion,") and "opted_in" in text

        await page.locator("nav a[hreflang='de']").click()
        await page.wait_for_load_state()
        assert await page.locator("html").get_attribute("lang") == "de"
        assert await page.locator("h1").inner_text() == "Sharebot – Zahlen"

        assert elsewhere == []
        assert problems == []
        await browser.close()


def _watch(tab: Page, problems: list[str]) -> None:
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
