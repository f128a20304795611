"""The routes every deployment has: share redirect with anonymous counting, health, metrics."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp

from adapters.playground import demo
from storage import figures, shares
from storage.database import Database
from tests.playground_server import running_playground


async def _links(database: Database) -> dict[str, str]:
    async with database.transaction() as session:
        return await shares.links_for(session, 1)


async def test_share_links_redirect_count_in_batches_and_name_no_person(database: Database) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        core = server.runtime.core
        await core.say(
            demo.BY_KEY["chris"].actor,
            "new https://example.com/a?x=1 Unser Tag & mehr #team --at now",
        )
        await server.runtime.dispatcher.idle()  # the delivery tick it woke (which also flushes)
        links = await _links(database)
        assert set(links) >= {"linkedin", "xing", "x", "facebook", "bluesky", "whatsapp", "copy"}
        for network in ("linkedin", "x", "whatsapp"):
            async with http.get(f"{server.url}/s/{links[network]}", allow_redirects=False) as r:
                assert r.status == 302
                target = r.headers["Location"]
                assert "Cache-Control" in r.headers
            if network == "linkedin":
                assert parse_qs(urlsplit(target).query)["url"] == ["https://example.com/a?x=1"]
            if network == "x":
                query = parse_qs(urlsplit(target).query)
                assert query["text"] == ["Unser Tag & mehr"] and query["hashtags"] == ["team"]
        async with http.get(f"{server.url}/s/{links['copy']}") as r:
            page = await r.text()
            assert r.status == 200 and "Unser Tag &amp; mehr" in page
        async with database.transaction() as session:
            assert (
                sum(((await figures.clicks_of(session, [1]))[1]).values()) == 0
            )  # not yet: batched
        await server.runtime.dispatcher.tick()
        async with database.transaction() as session:
            clicks = (await figures.clicks_of(session, [1]))[1]
        assert clicks["linkedin"] == clicks["x"] == clicks["whatsapp"] == clicks["copy"] == 1
        async with http.get(f"{server.url}/s/doesnotexist", allow_redirects=False) as r:
            assert r.status == 404


async def test_health_and_metrics(database: Database) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/healthz") as r:
            assert r.status == 200 and (await r.json())["database"] == "ok"
        async with http.get(f"{server.url}/metrics") as r:
            text = await r.text()
        assert "sharebot_deliveries_sent" in text and "sharebot_queue_depth" in text
        assert "anna" not in text


async def test_playground_api_rejects_bad_input(database: Database) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/playground/api/state?person=mallory") as r:
            assert r.status == 404
        async with http.post(
            f"{server.url}/playground/api/say",
            data="not json",
            headers={"Content-Type": "application/json"},
        ) as r:
            assert r.status == 400
        async with http.post(f"{server.url}/playground/api/say", data="not json") as r:
            assert r.status == 415  # text/plain: only JSON is taken (security rule 4)
        async with http.post(f"{server.url}/playground/api/say", json={"person": "anna"}) as r:
            assert r.status == 400
        async with http.post(
            f"{server.url}/playground/api/say", json={"person": "anna", "text": "/share on"}
        ) as r:
            assert r.status == 200
        async with http.get(f"{server.url}/playground/api/state?person=anna") as r:
            state = await r.json()
        assert [m["kind"] for m in state["messages"]] == ["me", "ephemeral"]
