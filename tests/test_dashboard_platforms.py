"""The figures page's link on every adapter: ``dashboard`` and ``stats`` answers in Slack, Teams
and the playground carry a button to it, and the link opens the page on the same server."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from storage.database import Database
from tests.playground_server import running_playground
from tests.schemas import card_errors
from tests.slack_support import COMMS, HR, card_buttons, slack_world, texts
from tests.support import FakeClock
from tests.teams_chat import PEOPLE, actions, card_text, make_comms, running_teams, text
from tests.test_slack_blocks import assert_message_blocks


def _dashboard_links(urls: list[str], base: str) -> list[str]:
    return [u for u in urls if u.startswith(f"{base}/dashboard?token=")]


async def _opens(base: str, link: str) -> str:
    """The page behind ``link``, fetched from ``base`` (the server that made the link)."""
    token = parse_qs(urlsplit(link).query)["token"][0]
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{base}/dashboard", params={"token": token}) as answer,
    ):
        assert answer.status == 200
        return await answer.text()


async def test_slack_answers_carry_a_button_to_the_page(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        answer = await world.command(COMMS, "dashboard")
        assert answer["response_type"] == "ephemeral"
        assert_message_blocks(answer["blocks"])
        buttons = card_buttons(answer)
        links = _dashboard_links([b.get("url", "") for b in buttons], world.url)
        assert len(links) == 1 and buttons[0]["action_id"].startswith("share|")
        title = world.runtime.ctx.catalogue.text("en", "dashboard.link.title")
        assert title in texts(answer)  # Chris's Slack speaks English
        page = await _opens(world.url, links[0])
        assert '<html lang="en">' in page

        await world.command(COMMS, "new https://example.org/a Our day")
        stats = await world.command(COMMS, "stats 1")
        assert_message_blocks(stats["blocks"])
        assert _dashboard_links([b.get("url", "") for b in card_buttons(stats)], world.url)
        overview = await world.command(HR, "stats")  # Hanna's Slack speaks German
        german = [b for b in card_buttons(overview) if b.get("url")]
        label = world.runtime.ctx.catalogue.text("de", "dashboard.link.button")
        assert [b["text"]["text"] for b in german] == [label]


async def test_teams_answers_carry_an_open_url_action_to_the_page(
    database: Database, clock: FakeClock
) -> None:
    async with running_teams(database, clock) as teams:
        await make_comms(teams)
        cards = await teams.say("chris", "dashboard")
        assert len(cards) == 1 and card_errors(cards[0]) == []
        opens = [a for a in actions(cards[0]) if a["type"] == "Action.OpenUrl"]
        links = _dashboard_links([a["url"] for a in opens], teams.url)
        assert len(links) == 1
        await _opens(teams.url, links[0])
        await teams.say("chris", "new https://example.org/a Our day")
        stats = await teams.say("hanna", "stats 1")
        assert card_errors(stats[0]) == []
        assert _dashboard_links([a.get("url", "") for a in actions(stats[0])], teams.url)
        assert "Zahlenseite" in card_text(stats[0])  # Hanna's Teams is German
        refused = await teams.say("anna", "dashboard")
        assert not [a for a in actions(refused[0]) if a["type"] == "Action.OpenUrl"]
        language = "de" if PEOPLE["anna"].locale.startswith("de") else "en"
        refusal = text(teams, "error.not_allowed", language, command="dashboard")
        assert refusal.replace("`", "") in card_text(refused[0])  # Teams shows no inline code


async def test_the_playground_shows_the_link_and_serves_the_page(database: Database) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        body = {"person": "chris", "text": "/share dashboard"}
        async with http.post(f"{server.url}/playground/api/say", json=body) as answer:
            assert answer.status == 200
        async with http.get(
            f"{server.url}/playground/api/state", params={"person": "chris"}
        ) as answer:
            state: dict[str, Any] = await answer.json()
        notices = [m["view"] for m in state["messages"] if m["view"]["type"] == "Notice"]
        urls = [b["url"] for b in notices[-1]["buttons"] if b["url"]]
        links = _dashboard_links(urls, server.url)
        assert len(links) == 1
        page = await _opens(server.url, links[0])
        assert "Sharebot" in page and 'id="opted-in"' not in page  # Chris is comms
