"""The playground with photos: its demo photo, the compose form's new fields, the preview."""

from __future__ import annotations

from typing import Any

import aiohttp

from adapters.playground.routes import DEMO_PHOTO, STATIC
from bot.sharing.photos import sniff
from bot.views import SuggestionCard
from storage import suggestions
from storage.database import Database
from tests.playground_server import running_playground

COMPOSE = {
    "url": "https://example.com/outing",
    "captions": "Our team day at the lake",
    "hashtags": "teamday",
    "networks": "",
    "topic": "",
    "lang": "en",
    "at": "now",
    "expires": "",
}


async def _post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> dict[str, Any]:
    async with http.post(url, json=body) as response:
        assert response.status == 200, await response.text()
        data: dict[str, Any] = await response.json()
        return data


async def test_the_demo_photo_is_a_real_photo_and_comms_are_told_how_to_use_it(
    database: Database,
) -> None:
    data = (STATIC / DEMO_PHOTO).read_bytes()
    assert sniff(data) == "image/png" and len(data) < 100_000
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        photo_url = f"{server.url}/static/{DEMO_PHOTO}"
        async with http.get(photo_url) as response:
            assert response.content_type == "image/png" and await response.read() == data
        async with http.get(f"{server.url}/playground/api/state?person=chris") as response:
            note = (await response.json())["photo_note"]
        assert f"--image {photo_url}`" in note
        async with http.get(f"{server.url}/playground/api/state?person=anna") as response:
            assert (await response.json())["photo_note"] == ""  # Anna cannot suggest anything


async def test_compose_form_takes_photos_and_the_page_choice(database: Database) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        api = f"{server.url}/playground/api"
        photo_url = f"{server.url}/static/{DEMO_PHOTO}"
        values = COMPOSE | {"images": f"{photo_url}\n", "page": "on"}

        preview = await _post(http, f"{api}/preview", {"person": "chris", "values": values})
        card = preview["form"]["preview"]
        assert card["images"] == [
            {"url": photo_url, "source": photo_url, "alt": COMPOSE["captions"]}
        ]
        assert "instagram" in [b["network"] for b in card["share_buttons"]]
        fields = {f["name"]: f for f in preview["form"]["fields"]}
        assert fields["images"]["value"] == values["images"]
        assert [o["value"] for o in fields["page"]["options"]] == ["on"]

        assert (
            await _post(
                http, f"{api}/submit", {"person": "chris", "form_id": "compose", "values": values}
            )
        )["ok"]
        await server.runtime.dispatcher.idle()
        async with database.transaction() as session:
            stored = await suggestions.get(session, 1)
        assert stored is not None and stored.page and len(stored.images) == 1
        async with http.get(f"{api}/state?person=anna") as response:
            messages = (await response.json())["messages"]
        (delivered,) = [m["view"] for m in messages if m["view"]["type"] == SuggestionCard.__name__]
        (image,) = delivered["images"]
        assert image["url"].startswith(f"{server.url}/i/") and image["source"] == photo_url


async def test_preview_is_for_comms_only(database: Database) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        url = f"{server.url}/playground/api/preview"
        async with http.post(url, json={"person": "anna", "values": COMPOSE}) as response:
            assert response.status == 400
            assert "new" in (await response.json())["error"]
        async with http.post(url, json={"person": "chris", "values": "nope"}) as response:
            assert response.status == 400
