"""Sharebot in Microsoft's own Teams-like client, the Microsoft 365 Agents Playground.

Three people, each in their own client, use `sharebot run` (Teams adapter, no app id) as they
would in Teams: HR relaxes the policy and names a comms person with an @mention in a channel,
comms writes a suggestion, an employee who opted in gets it, reads the other wording, shares,
pauses; comms ends it and the employee's card says so. Asserted on what the clients show and on
their events recordings. Screenshots and the list of steps go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import Catalogue
from bot.views import unmarked
from tests.browser_support import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, async_playwright
from tests.teams_client import Person, World, running_world
from tests.teams_client_page import DEADLINE_MS, ClientPage

pytestmark = pytest.mark.browser

HR = Person("Hanna Huber", 20)
COMMS = Person("Chris Weber", 21)
EMPLOYEE = Person("Anna Berger", 22)
EVERYONE: tuple[Person, ...] = (
    HR,
    COMMS,
    EMPLOYEE,
    Person("Ben Braun", 23),
    Person("Clara Conte", 24),
)
EVERYONE += (Person("Dana Dorn", 25),)  # the client wants exactly five colleagues per person
CHOSEN = ("LinkedIn", "XING", "Bluesky", "WhatsApp")  # the employee's networks
CATALOGUE = Catalogue.load()


def shown(message_id: str, **params: object) -> str:
    """A catalogue text in English as the client shows it: no marks; cut before a value the
    test does not know (``{until}``)."""
    template = CATALOGUE.text("en", message_id)
    if params:
        return unmarked(template.format(**params))
    return unmarked(template.split("{")[0]).strip()


@dataclass
class Steps:
    """What the test does, as a person would, with the time each step took."""

    done: list[tuple[str, float]] = field(default_factory=list)

    @asynccontextmanager
    async def step(self, name: str) -> AsyncIterator[None]:
        started = time.monotonic()
        yield
        self.done.append((name, time.monotonic() - started))

    def report(self) -> str:
        lines = [
            f"{i:2}. {name} ({seconds:.1f} s)" for i, (name, seconds) in enumerate(self.done, 1)
        ]
        total = sum(seconds for _, seconds in self.done)
        return "\n".join([*lines, f"{len(self.done)} steps, {total:.1f} s"])


async def _stay_local(route: Any, world: World, redirects: list[str]) -> None:
    """Nothing leaves this machine: a share link's redirect is recorded, not followed."""
    url = route.request.url
    if url.startswith(f"{world.sharebot_url}/s/"):
        response = await route.fetch(max_redirects=0)
        redirects.append(response.headers.get("location", ""))
        await route.fulfill(body="redirected", content_type="text/plain")
    elif url.startswith(("http://localhost:", "http://127.0.0.1:")):
        await route.continue_()
    else:  # the client's fonts and icons from Microsoft's CDN
        await route.fulfill(status=404, body="")


async def test_three_people_use_sharebot_in_microsofts_teams_client(tmp_path: Path) -> None:
    steps = Steps()
    redirects: list[str] = []
    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    async with (
        running_world(tmp_path, EVERYONE, (HR, COMMS, EMPLOYEE), hr=HR) as world,
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        clients: dict[Person, ClientPage] = {}
        for person in (HR, COMMS, EMPLOYEE):
            context = await browser.new_context(viewport={"width": 1280, "height": 1000})
            await context.route("**/*", lambda route: _stay_local(route, world, redirects))
            page = await context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            clients[person] = ClientPage(page, person, world.clients[person].url)
        hr, comms, anna = clients[HR], clients[COMMS], clients[EMPLOYEE]
        try:
            await _conversation(steps, world, hr, comms, anna, redirects)
        finally:
            for client in clients.values():
                name = client.person.name.split()[0].lower()
                await client.page.screenshot(path=str(ARTIFACTS / f"agents-playground-{name}.png"))
            (ARTIFACTS / "agents-playground-steps.txt").write_text(steps.report() + "\n")
            await browser.close()
        async with steps.step("every activity in the clients' recordings was accepted"):
            _recordings_are_clean(world)
        async with steps.step("no script error in the clients"):
            assert errors == []
        async with steps.step("Sharebot logged no warning and no error"):
            noisy = [e for e in world.sharebot_log() if e["level"] in ("warning", "error")]
            assert [e for e in noisy if not _tick_skipped(e)] == []
    (ARTIFACTS / "agents-playground-steps.txt").write_text(steps.report() + "\n")
    print(steps.report())


async def _conversation(
    steps: Steps,
    world: World,
    hr: ClientPage,
    comms: ClientPage,
    anna: ClientPage,
    redirects: list[str],
) -> None:
    greeting = shown("help.title")
    for client in (hr, comms, anna):
        async with steps.step(f"{client.person.name} opens the client: greeted in English"):
            welcome = await client.open(greeting)
            # The policy's language is German; the client's is English.
            assert CATALOGUE.text("de", "help.title") not in await welcome.inner_text()

    async with steps.step("employee: help shows what she may do"):
        answer = await anna.say("help", greeting)
        assert "/share on" in await answer.inner_text()
        assert "/share new" not in await answer.inner_text()

    async with steps.step("employee: on"):
        await anna.say("on", shown("on.title"))

    async with steps.step("employee: the settings card, four networks ticked, saved"):
        form = await anna.say("settings", shown("settings.title"))
        for network in CHOSEN:
            await form.get_by_role("checkbox", name=network).check()
        saved = anna.message(shown("settings.saved"))
        before = await saved.count()
        await form.get_by_role("button", name=shown("settings.save")).click()
        await anna.next(saved, before)

    async with steps.step("HR: policy set window always (shown without marks)"):
        await hr.say("policy set window always", shown("policy.set", key="window", value="always"))

    async with steps.step("HR: policy set spread_minutes 0"):
        await hr.say("policy set spread_minutes 0", "spread_minutes")

    async with steps.step("HR in the General channel: @Sharebot roles grant @Chris comms"):
        granted = hr.message(shown("roles.grant.done", user=COMMS.name, role=shown("role.comms")))
        before = await granted.count()
        await hr.post_in_channel("roles grant ", COMMS, " comms")
        await hr.next(granted, before)  # answered in her personal chat

    async with steps.step("HR: roles names both by name"):
        roles = await hr.say("roles", shown("roles.title"))
        text = await roles.inner_text()
        assert f"HR: {HR.name}" in text and f"Comms: {COMMS.name}" in text

    async with steps.step("comms: help shows the placeholders in angle brackets"):
        answer = await comms.say("help", greeting)
        assert "/share new <link> <text> [--at 2h]" in await answer.inner_text()

    async with steps.step("comms: an empty compose card says why it cannot be sent"):
        compose = await comms.say("new", shown("compose.title"))
        await compose.get_by_role("button", name=shown("compose.submit")).click()
        await compose.get_by_text(shown("form.required")).first.wait_for(timeout=DEADLINE_MS)

    async with steps.step("comms: new … creates suggestion #1"):
        await comms.say(
            "new https://example.com/teamday Our team day at the lake "
            "|| A summer day with the whole team #teamday",
            shown("new.created", id=1),
        )

    card = anna.messages.filter(has_text=shown("card.intro")).filter(
        has=anna.page.get_by_role("button", name=shown("card.stop"))
    )
    async with steps.step("employee: the card arrives by itself, with her four networks"):
        await card.first.wait_for(timeout=DEADLINE_MS)
        card = card.first
        links = card.locator("button[role=link]")
        labels = [
            await links.nth(i).get_attribute("aria-label") for i in range(await links.count())
        ]
        assert labels == [*CHOSEN, shown("card.copy")]  # "copy text" opens the share page
        for i in range(len(labels)):
            assert await links.nth(i).is_visible()  # none folded into a "…" menu
        await card.scroll_into_view_if_needed()
        await card.screenshot(path=str(ARTIFACTS / "agents-playground-card.png"))
        await anna.page.screenshot(path=str(ARTIFACTS / "agents-playground-suggestion.png"))

    async with steps.step("employee: Other wording unfolds on the card"):
        captions = ("Our team day at the lake", "A summer day with the whole team")
        before = await card.inner_text()
        first = next(c for c in captions if c in before)
        await card.get_by_role("button", name=shown("card.another")).click()
        other = next(c for c in captions if c != first)
        await card.get_by_text(other).wait_for(timeout=DEADLINE_MS)

    async with steps.step("employee: LinkedIn goes through Sharebot's share link"):
        async with anna.page.context.expect_page(timeout=DEADLINE_MS) as opened:
            await card.get_by_role("link", name="LinkedIn").click()
        tab = await opened.value
        await tab.wait_for_load_state()
        await tab.close()
        assert len(redirects) == 1
        assert redirects[0].startswith("https://www.linkedin.com/sharing/share-offsite/?url=")

    async with steps.step("employee: Pause 2 weeks on the card"):
        paused = anna.message(shown("pause.done"))
        before = await paused.count()
        await card.get_by_role("button", name=shown("card.pause")).click()
        await anna.next(paused, before)

    async with steps.step("comms: end 1"):
        await comms.say("end 1", shown("end.done", id=1))

    async with steps.step("employee: her card now says it has ended"):
        ended = anna.messages.filter(has_text=shown("card.ended")).first
        await ended.wait_for(timeout=DEADLINE_MS)
        assert await ended.locator("button").count() == 0
        await ended.screenshot(path=str(ARTIFACTS / "agents-playground-ended.png"))

    async with steps.step("comms: stats 1"):
        await comms.say("stats 1", shown("stats.title", id=1))

    async with steps.step("employee: a bad command gets a short help"):
        await anna.say("frobnicate", shown("error.unknown_command", word="frobnicate"))


def _tick_skipped(entry: dict[str, Any]) -> bool:
    """APScheduler skips a dispatcher tick while the one before still runs (a busy machine):
    by design, and not this test's business."""
    return entry["logger"] == "apscheduler.scheduler" and "maximum number of running" in str(
        entry["message"]
    )


def _recordings_are_clean(world: World) -> None:
    """No activity refused in either direction; each installation greeted once, in English."""
    greeting = shown("help.title")
    for person, client in world.clients.items():
        recording = client.recording
        events = recording.events()
        assert events, person
        refused = [e for e in events if not 200 <= int(e["response"]["statusCode"]) < 300]
        assert refused == [], [(e["activityName"], e["response"]) for e in refused]
        for name in ("installationUpdate", "conversationUpdate"):
            for event in recording.to_sharebot(name):
                personal = event["request"]["body"]["conversation"].get("conversationType")
                replies = recording.replies_to(event)
                if name == "installationUpdate" and personal == "personal":
                    (welcome,) = replies
                    assert welcome["request"]["body"]["summary"].startswith(greeting)
                else:
                    assert replies == [], (person, name)
        summaries = [
            str(e["request"]["body"].get("summary", "")) for e in recording.from_sharebot()
        ]
        marked = [s for s in summaries if "`" in s or re.search(r"(?<!\w)\*\S", s)]
        assert marked == []  # notifications and previews carry no marks
