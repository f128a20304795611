"""One person's Agents Playground in the browser, used as a person would: type, click, read.

Every wait is on what the page shows, with a deadline; nothing sleeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.teams_client import Person

# Generous: two cores, other test runs beside this one, a proactive card after a scheduler tick.
DEADLINE_MS = 45_000
# Every message Sharebot sends is one Adaptive Card; a card shown inside a card is not a message.
MESSAGE = ".ac-adaptiveCard:not(.ac-adaptiveCard .ac-adaptiveCard)"
EDITOR = "[data-lexical-editor=true]"

Page = Any  # playwright.async_api.Page; the import is optional (the tests skip without it)
Locator = Any


@dataclass
class ClientPage:
    """The chat of ``person`` with Sharebot, in the client at ``url``."""

    page: Page
    person: Person
    url: str

    @property
    def messages(self) -> Locator:
        return self.page.locator(MESSAGE)

    def message(self, showing: str) -> Locator:
        return self.messages.filter(has_text=showing)

    async def open(self, greeting: str) -> Locator:
        """Open the client: it installs the app for this person, who is greeted."""
        await self.page.goto(self.url)
        welcome = self.message(greeting).first
        await welcome.wait_for(timeout=DEADLINE_MS)
        return welcome

    async def say(self, text: str, answer: str) -> Locator:
        """Type ``text`` in the personal chat; the new message that shows ``answer``."""
        answers = self.message(answer)
        before = await answers.count()
        await self._type(text)
        await self.page.keyboard.press("Enter")
        return await self.next(answers, before)

    async def next(self, messages: Locator, before: int) -> Locator:
        """The message after the first ``before`` of ``messages``, once it is shown."""
        arrived = messages.nth(before)
        await arrived.wait_for(timeout=DEADLINE_MS)
        return arrived

    async def post_in_channel(self, *parts: str | Person, mention_bot: bool = True) -> None:
        """A post in the team's General channel; a :class:`Person` becomes an @mention."""
        await self.page.get_by_text("General", exact=True).click()
        editor = self.page.locator(EDITOR)
        await editor.click()
        if mention_bot:
            await self._mention("Share", "Sharebot")
            await self.page.keyboard.type(" ")
        for part in parts:
            if isinstance(part, Person):
                await self._mention(part.name.split()[0], part.name)
            else:
                await self.page.keyboard.type(part)
        await self.page.get_by_role("button", name="Post").click()
        # Shown (on the channel's page and in the log panel) once the client sent it.
        words = next(part for part in parts if isinstance(part, str)).strip()
        await self.page.get_by_text(words).last.wait_for(timeout=DEADLINE_MS)
        await self.page.get_by_text("Personal Chat", exact=True).click()
        await self.page.locator(EDITOR).wait_for(timeout=DEADLINE_MS)

    async def _mention(self, typed: str, name: str) -> None:
        await self.page.keyboard.type(f"@{typed}")
        choice = self.page.locator("#typeahead-menu").get_by_role("menuitem", name=name)
        await choice.click(timeout=DEADLINE_MS)

    async def _type(self, text: str) -> None:
        await self.page.locator(EDITOR).click()
        await self.page.keyboard.type(text)
