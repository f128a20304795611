"""The playground in headless Chromium: comms suggests, an employee shares, nobody is watched."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from storage import figures
from storage.database import Database
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    DELIVERED_CARD,
    LAUNCH_ARGS,
    async_playwright,
)
from tests.data_export import parse_my_data
from tests.playground_server import running_playground

if TYPE_CHECKING:
    from playwright.async_api import Page, Route

pytestmark = pytest.mark.browser
IDENTITY = ("user_id", "display_name", "timezone", "platform_locale")


async def test_comms_suggests_employee_shares_and_leaves_the_same_trace(database: Database) -> None:
    async with running_playground(database) as server, async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=LAUNCH_ARGS,
        )
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        # Share pages would leave the machine: answer them locally instead.
        redirects: list[str] = []
        await context.route("**/*", lambda route: _stay_local(route, redirects))
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        await page.goto(f"{server.url}/#chris")
        await page.locator('[data-person="chris"]').click()
        await page.fill("#command", "/share new https://example.com/teamday Our team day --at now")
        await page.click("#send")
        await page.locator(".message", has_text="#1").first.wait_for()

        await page.locator('[data-person="anna"]').click()
        card = page.locator(DELIVERED_CARD).first
        await card.wait_for(timeout=10_000)
        assert "Our team day" in await card.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "playground-card.png"))
        anna_before = await _my_data_in_browser(page, "anna")

        async with context.expect_page() as opened:
            await card.locator('a.share-button[data-network="linkedin"]').click()
        share_tab = await opened.value
        await share_tab.wait_for_load_state()
        assert len(redirects) == 1
        assert redirects[0].startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
        await share_tab.close()

        await server.runtime.dispatcher.tick()  # flushes the anonymous counters
        async with database.transaction() as session:
            clicks = (await figures.clicks_of(session, [1]))[1]
        assert clicks["linkedin"] == 1
        assert sum(clicks.values()) == 1

        anna = await _my_data_in_browser(page, "anna")
        ben = await _my_data_in_browser(page, "ben")
        assert anna["deliveries"] and anna == anna_before  # her click left nothing in her data
        # and it reads as Ben's, who did not click (each sent in the wave that held them)
        assert _without_send_times(anna) == _without_send_times(ben)
        assert errors == []
        await browser.close()


async def _my_data_in_browser(page: Page, person: str) -> dict[str, object]:
    """The person's my-data file as the page shows it, without what names them."""
    await page.locator(f'[data-person="{person}"]').click()
    await page.fill("#command", "/share my-data")
    await page.click("#send")
    export = page.locator(".export-content").last
    await export.wait_for(state="attached")
    content = await export.text_content()
    assert content is not None
    data = parse_my_data(content)
    return {
        **data,
        "person": {k: v for k, v in data["person"].items() if k not in IDENTITY},
        # without the platform's id of this person's own message
        "deliveries": [
            {k: v for k, v in delivery.items() if k != "message_ref"}
            for delivery in data["deliveries"]
        ],
    }


def _without_send_times(data: dict[str, object]) -> dict[str, object]:
    """The export without the moments of sending, which depend on the wave a person was in."""
    deliveries = data["deliveries"]
    assert isinstance(deliveries, list)
    recent = data["recent_message_times"]
    assert isinstance(recent, list)
    return {
        **data,
        "deliveries": [{k: v for k, v in d.items() if k != "claimed_at"} for d in deliveries],
        "recent_message_times": len(recent),
    }


async def _stay_local(route: Route, redirects: list[str]) -> None:
    """Only this machine is reached: a share link's redirect is recorded, not followed."""
    url = route.request.url
    if not url.startswith("http://127.0.0.1:"):
        await route.fulfill(body="not reachable from tests", content_type="text/plain")
    elif "/s/" in url:
        response = await route.fetch(max_redirects=0)
        redirects.append(response.headers.get("location", ""))
        await route.fulfill(body="redirected", content_type="text/plain")
    else:
        await route.continue_()
