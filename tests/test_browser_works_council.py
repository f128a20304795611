"""The works-council document in headless Chromium: it asks for nothing and prints to PDF."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from adapters.playground import demo
from storage.database import Database
from tests.browser_support import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, async_playwright
from tests.playground_server import running_playground
from tests.works_council_support import document

if TYPE_CHECKING:
    from playwright.async_api import Route, ViewportSize

pytestmark = pytest.mark.browser

ADDRESS = "https://works-council.test/document.html"
A4: ViewportSize = {"width": 794, "height": 1123}  # CSS pixels of an A4 page


async def _busy_installation(database: Database) -> None:
    """The demo organisation with a bound, a disclosure line and some admin actions."""
    async with running_playground(
        database, SHAREBOT_POLICY_LIMITS="max_per_week<=2,window<=mon-fri 08:00-18:00"
    ) as server:
        core = server.runtime.core
        hanna, chris = demo.BY_KEY["hanna"].actor, demo.BY_KEY["chris"].actor
        await core.say(
            hanna, "policy set disclosure de: Ich arbeite bei ACME. | en: I work at ACME."
        )
        await core.say(hanna, "policy set holidays AT")
        await core.say(chris, "new https://example.com/teamday Unser Teamtag --at now")
        await core.say(chris, "end 1")


@pytest.mark.parametrize("language", ["de", "en"])
async def test_the_document_renders_with_no_request_and_prints_to_pdf(
    database: Database, language: str
) -> None:
    await _busy_installation(database)
    made = await document(
        database,
        language=language,
        organisation="Beispiel GmbH",
        SHAREBOT_ADMINS="playground:hanna",
    )
    assert made.country == "at"  # the holidays are Austrian
    requests: list[str] = []
    problems: list[str] = []

    async def serve(route: Route) -> None:
        requests.append(route.request.url)
        if route.request.url == ADDRESS:
            await route.fulfill(body=made.html, content_type="text/html; charset=utf-8")
        else:
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = await browser.new_context(viewport=A4, java_script_enabled=False)
        await context.route("**/*", serve)
        page = await context.new_page()
        page.on("console", lambda message: problems.append(message.text))
        page.on("requestfailed", lambda request: problems.append(request.url))
        await page.goto(ADDRESS)
        await page.wait_for_load_state("networkidle")

        assert requests == [ADDRESS]  # nothing else: no font, no image, no style sheet
        assert "Beispiel GmbH" in await page.inner_text("header")
        assert problems == []
        assert await page.title() == (
            "Sharebot: Unterlage für den Betriebsrat"
            if language == "de"
            else "Sharebot: documentation for the works council"
        )
        # a page that fits A4 without scrolling sideways
        assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")

        if language == "de":  # the first page, as docs/works-council.png shows it
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "works-council.png"))
        await page.emulate_media(media="print")
        breaks = await page.evaluate(
            "[...document.querySelectorAll('#tables, #agreement')]"
            ".map(e => getComputedStyle(e).breakBefore)"
        )
        assert breaks == ["page", "page"]
        pdf = await page.pdf(format="A4", print_background=True)
        await browser.close()

    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 10, pages  # the parts, the long table of tables and the draft agreement
