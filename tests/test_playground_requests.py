"""The playground's write endpoints take same-origin JSON only, and apologise when they fail."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest

from storage import audit
from storage import policy as stored_policy
from storage.database import Database
from tests.playground_server import RunningServer, running_playground

HR_COMMAND = {"person": "hanna", "text": "/share policy set max_per_week 1"}


async def trail(database: Database) -> tuple[dict[str, str], int]:
    async with database.transaction() as session:
        return await stored_policy.load(session), len(await audit.recent(session))


async def post(server: RunningServer, data: bytes | str, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{server.url}/playground/api/say",
            data=data,
            headers=headers,
            skip_auto_headers=["Content-Type"],
        ) as response,
    ):
        return response.status


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "text/plain", "Sec-Fetch-Site": "cross-site"}, 403),
        ({"Content-Type": "application/json", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "application/json", "Origin": "null"}, 403),
        ({"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}, 403),
        ({"Content-Type": "text/plain"}, 415),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({}, 415),
    ],
)
async def test_a_request_another_site_could_make_is_refused_and_changes_nothing(
    database: Database, headers: dict[str, str], status: int
) -> None:
    async with running_playground(database) as server:
        before = await trail(database)
        assert await post(server, json.dumps(HR_COMMAND), headers) == status
        assert await trail(database) == before  # no policy change, no audit entry


async def test_the_pages_own_requests_still_act(database: Database) -> None:
    async with running_playground(database) as server:
        _, entries = await trail(database)
        headers = {
            "Content-Type": "application/json",
            "Origin": server.url,
            "Sec-Fetch-Site": "same-origin",
        }
        assert await post(server, json.dumps(HR_COMMAND), headers) == 200
        changed, more = await trail(database)
        assert changed["max_per_week"] == "1" and more == entries + 1


async def test_an_unexpected_failure_gets_an_apology_in_the_persons_language(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:

        async def broken(*args: object) -> None:
            raise RuntimeError("database gone, with a secret in the message")

        monkeypatch.setattr(server.runtime.core, "say", broken)
        caplog.set_level(logging.INFO)
        body = {"person": "anna", "text": "/share on"}  # Anna's locale is de-DE
        async with http.post(f"{server.url}/playground/api/say", json=body) as response:
            assert response.status == 500
            answer = (await response.json())["error"]
    assert answer == server.runtime.ctx.catalogue.text("de", "error.unexpected")
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text


@pytest.mark.parametrize("path", ["/", "/playground/api/state?person=hanna"])
async def test_a_name_made_to_point_here_gets_no_page_and_no_chats(
    database: Database, path: str
) -> None:
    """DNS rebinding: a page at rebound.example, whose name now points at this machine, is
    "same-origin" to the browser; the playground answers it nothing."""
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        port = server.url.rsplit(":", 1)[1]
        rebound = {"Host": f"rebound.example:{port}"}
        async with http.get(f"{server.url}{path}", headers=rebound) as response:
            assert response.status == 421
            assert "hanna" not in (await response.text()).lower()
        headers = {**rebound, "Content-Type": "application/json"}
        headers["Origin"] = f"http://rebound.example:{port}"
        assert await post(server, json.dumps(HR_COMMAND), headers) == 421
        for own in (f"127.0.0.1:{port}", f"localhost:{port}"):
            async with http.get(f"{server.url}{path}", headers={"Host": own}) as response:
                assert response.status == 200
