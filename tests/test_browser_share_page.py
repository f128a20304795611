"""The share page on a phone, in headless Chromium: a photo from the playground to Instagram."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

import pytest

from adapters.playground.routes import DEMO_PHOTO, STATIC
from storage import figures
from storage.database import Database
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    DELIVERED_CARD,
    LAUNCH_ARGS,
    async_playwright,
)
from tests.playground_server import running_playground

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page, Route, ViewportSize

pytestmark = pytest.mark.browser

CAPTION = (
    "Our team day at the lake: paddling in the morning, lunch on the jetty and this sunset "
    "to finish. Thanks to everyone who made it happen!"
)
# A name for this machine that is not "localhost": a plain-http page there is not a secure
# context, as on a phone that scanned the QR code of a Sharebot on the office network.
LAN_HOST = "sharebot.lan"


class Device(TypedDict):
    """The options of ``Browser.new_context`` that make a browser a phone."""

    viewport: ViewportSize
    device_scale_factor: float
    is_mobile: bool
    has_touch: bool
    locale: str


PHONE: Device = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
}


async def test_a_photo_goes_from_the_playground_to_the_instagram_page_on_a_phone(
    database: Database,
) -> None:
    photo = (STATIC / DEMO_PHOTO).read_bytes()
    async with running_playground(database) as server, async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*LAUNCH_ARGS, f"--host-resolver-rules=MAP {LAN_HOST} 127.0.0.1"],
        )
        context = await browser.new_context(**PHONE)
        await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        await context.route("**/*", _stay_local)
        problems: list[str] = []  # script errors, and CSP violations (logged as console errors)
        context.on("page", lambda tab: _watch(tab, problems))
        page = await context.new_page()

        await page.goto(f"{server.url}/#chris")
        await page.fill("#command", "/share new")
        await page.click("#send")
        form = page.locator('form[data-form-id="compose"]').last
        await form.locator('[name="url"]').fill("https://example.com/blog/team-day")
        await form.locator('[name="captions"]').fill(CAPTION)
        await form.locator('[name="hashtags"]').fill("teamday, lifeatwork")
        await form.locator('[name="images"]').fill(f"{server.url}/static/{DEMO_PHOTO}")
        await form.locator(".preview-button").click()
        preview = page.locator(".preview img.card-image")
        await preview.wait_for()
        assert await _loaded(preview)
        await page.locator('form[data-form-id="compose"] button[type="submit"]').last.click()
        await page.locator(".message", has_text="#1").first.wait_for()

        await page.locator('[data-person="anna"]').click()
        card = page.locator(DELIVERED_CARD).first
        await card.wait_for(timeout=10_000)
        image = card.locator("img.card-image")
        assert (await image.get_attribute("src") or "").startswith(f"{server.url}/i/")
        assert await image.get_attribute("alt") == CAPTION
        assert await _loaded(image)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "playground-photo-card.png"))

        async with context.expect_page() as opened:
            await card.locator('a.share-button[data-network="instagram"]').tap()
        share = await opened.value
        await share.wait_for_load_state()
        await share.bring_to_front()
        assert await share.locator("h1").inner_text() == "Post on Instagram"
        assert await _loaded(share.locator("figure img"))
        assert await share.locator(".phone").is_hidden()  # no QR code on the phone itself
        assert await share.evaluate("document.documentElement.scrollWidth <= innerWidth")
        if await share.evaluate("typeof navigator.canShare === 'function'"):
            await share.locator("#share-photo").wait_for()  # the photo was read before the tap
        await share.screenshot(path=str(ARTIFACTS / "instagram-page.png"), full_page=True)

        text = share.locator(".text").first
        await text.locator("button[data-copy]").tap()
        await text.locator("button", has_text="Copied").wait_for()
        copied = await share.evaluate("navigator.clipboard.readText()")
        assert copied == await text.locator("p").text_content()
        assert copied.startswith(CAPTION) and "#teamday #lifeatwork" in copied

        download = share.locator("figure a[download]")
        response = await context.request.get(await download.get_attribute("href") or "")
        assert response.headers["content-type"] == "image/png"
        assert await response.body() == photo
        async with share.expect_download() as saving:
            await download.tap()
        assert (await saving.value).suggested_filename == "sharebot-1-1.png"

        instagram = share.locator("a.network.instagram")
        assert await instagram.get_attribute("href") == "https://www.instagram.com/"
        assert await instagram.get_attribute("data-app") == "instagram://camera"

        # The QR code's page on the phone, over plain http: no clipboard API, copied all the same.
        await share.evaluate("navigator.clipboard.writeText('')")
        lan = await context.new_page()
        await lan.goto(share.url.replace("127.0.0.1", LAN_HOST).replace("/s/", "/p/"))
        assert not await lan.evaluate("window.isSecureContext")
        await lan.locator("button[data-copy]").first.tap()
        await lan.locator("button", has_text="Copied").wait_for()
        await share.bring_to_front()
        assert await share.evaluate("navigator.clipboard.readText()") == copied

        await server.runtime.ctx.clicks.flush(database)
        async with database.transaction() as session:
            assert (await figures.clicks_of(session, [1]))[1]["instagram"] == 1
        assert problems == []
        await browser.close()


async def _loaded(image: Locator) -> bool:
    """The image was fetched and decoded (not blocked, not broken)."""
    return bool(
        await image.evaluate(
            "img => img.complete ? img.naturalWidth > 0 : new Promise(done => {"
            "img.onload = () => done(img.naturalWidth > 0); img.onerror = () => done(false); })"
        )
    )


def _watch(tab: Page, problems: list[str]) -> None:
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )


async def _stay_local(route: Route) -> None:
    """Only this machine is reached: anything else gets a stand-in answer."""
    if route.request.url.startswith(("http://127.0.0.1:", f"http://{LAN_HOST}:")):
        await route.continue_()
    else:
        await route.fulfill(body="not reachable from tests", content_type="text/plain")
