"""Approval and proposals in the playground, clicked through in headless Chromium: the page
renders the new buttons and forms, and every step answers the right person."""

from __future__ import annotations

from typing import Any

import pytest

from storage.database import Database
from tests.browser_support import CHROMIUM, LAUNCH_ARGS, async_playwright
from tests.playground_server import RunningServer, running_playground

pytestmark = pytest.mark.browser


def _text(server: RunningServer, language: str, key: str, **params: object) -> str:
    return server.runtime.ctx.catalogue.text(language, key, **params)


async def _as(page: Any, person: str) -> None:
    await page.locator(f'[data-person="{person}"]').click()
    await page.locator(f'[data-person="{person}"] [aria-current="true"]').wait_for()


async def _say(page: Any, text: str) -> None:
    await page.fill("#command", text)
    await page.click("#send")


async def _shows(page: Any, text: str) -> None:
    await page.locator("#messages .message", has_text=text).last.wait_for(timeout=10_000)


async def test_approving_rejecting_and_proposing_in_the_playground(database: Database) -> None:
    async with running_playground(database) as server, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{server.url}/#hanna")
        await _as(page, "hanna")
        await _say(page, "/share policy set approval required")
        await _shows(page, "approval")

        # Chris writes two suggestions; Hanna approves the first and rejects the second.
        await _as(page, "chris")
        await _say(page, "/share new https://example.com/day Our team day")
        await _shows(page, _text(server, "en", "new.created", id=1))
        await _say(page, "/share new https://example.com/other Another idea")
        await _shows(page, _text(server, "en", "new.created", id=2))
        await _as(page, "hanna")
        first = page.locator(".notice", has_text=_text(server, "de", "approval.title", id=1))
        await first.locator('[data-action="suggestion.approve"]').click()
        await _shows(page, _text(server, "de", "approval.done", id=1))
        second = page.locator(".notice", has_text=_text(server, "de", "approval.title", id=2))
        await second.locator('[data-action="suggestion.reject"]').click()
        form = page.locator('#messages form[data-form-id="reject"]').last
        await form.locator('textarea[name="reason"]').fill("Nicht diese Woche")
        await form.locator('button[type="submit"]').click()
        await _shows(page, _text(server, "de", "approval.rejected_done", id=2))
        await _as(page, "chris")
        await _shows(page, _text(server, "en", "approval.approved", id=1, by="Hanna Hofer"))
        await _shows(page, _text(server, "en", "approval.reason", reason="Nicht diese Woche"))

        # Anna proposes in the form; Chris makes it a suggestion from its card.
        await _as(page, "anna")
        await _say(page, "/share propose")
        propose = page.locator('#messages form[data-form-id="propose"]').last
        await propose.locator('input[name="url"]').fill("https://example.com/lab")
        await propose.locator('textarea[name="text"]').fill("Unser neues Labor")
        await propose.locator('button[type="submit"]').click()
        await _shows(page, "#1")
        await _as(page, "chris")
        card = page.locator(".notice", has_text="Unser neues Labor").last
        await card.locator('[data-action="proposal.accept"]').click()
        compose = page.locator('#messages form[data-form-id="compose"]').last
        await compose.wait_for()
        assert await compose.locator('input[name="url"]').input_value() == "https://example.com/lab"
        await compose.locator('button[type="submit"]').click()
        await _shows(page, _text(server, "en", "new.created", id=3))
        await _as(page, "anna")
        await _shows(page, _text(server, "de", "proposal.accepted", id=1, suggestion=3))
        assert errors == []
        await browser.close()
