"""With an app id set, /api/messages demands a Bot Framework token and changes nothing without;
checking one never holds up the server, also while Microsoft's metadata host is slow."""

from __future__ import annotations

import asyncio
import logging
import time
from asyncio.subprocess import PIPE
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.teams.signing_keys import CHANNEL_METADATA, RETRY_SECONDS, WAIT_SECONDS, KeyRing
from storage import people
from storage.database import Database
from tests.cli import SHAREBOT, cli_env, free_port
from tests.fake_openid import FakeOpenIdHost, forged_token, openid_host
from tests.support import FakeClock, eventually
from tests.tarpit import Tarpit, tarpit
from tests.teams_chat import PEOPLE, TeamsChat, running_teams, teams_settings

APP_ID = "8f2ad2e6-6b36-4a38-9d44-3c5e0b1f7a10"
AUTHENTICATED_ENV = {
    "SHAREBOT_ADAPTERS": "teams",
    "MICROSOFT_APP_ID": APP_ID,
    "MICROSOFT_APP_PASSWORD": "secret",
    "MICROSOFT_APP_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    "MICROSOFT_APP_TYPE": "SingleTenant",
}
AUTHENTICATED = teams_settings(**AUTHENTICATED_ENV)


async def nobody_stored(database: Database, *who: str) -> bool:
    async with database.transaction() as session:
        return all([await people.find(session, "teams", PEOPLE[w].aad) is None for w in who])


def typing(chat: TeamsChat, who: str) -> dict[str, Any]:
    """An activity the bot takes without answering: it needs no outbound credentials."""
    activity = chat.message(who, "")
    activity.update(type="typing")
    activity.pop("text")
    return activity


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def health_within(chat: TeamsChat, seconds: float) -> None:
    started = time.monotonic()
    async with chat.http.get(f"{chat.url}/healthz") as response:
        assert response.status == 200
    assert time.monotonic() - started < seconds


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eA=="}]
)
async def test_without_a_valid_token_401_and_nothing_changes(
    database: Database, clock: FakeClock, headers: dict[str, str]
) -> None:
    async with running_teams(database, clock, AUTHENTICATED) as chat:
        assert await chat.post(chat.message("anna", "on"), headers) == 401
        assert await chat.post(chat.installed("ben"), headers) == 401
        assert chat.connector.calls == []
    assert await nobody_stored(database, "anna", "ben")


MALFORMED = {
    "no Content-Type": (b'{"type": "message"}', None),
    "text/plain": (b'{"type": "message"}', "text/plain"),
    "broken JSON": (b'{"type": "mess', "application/json"),
    "an array": (b"[1, 2]", "application/json"),
    "from as a string": (b'{"type": "message", "from": "anna", "text": "on"}', "application/json"),
    "entities as a string": (b'{"type": "message", "entities": "x"}', "application/json"),
    "no type": (b'{"text": "on"}', "application/json"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
@pytest.mark.parametrize("authentication", ["on", "off"])
async def test_a_malformed_request_is_refused_cleanly_and_changes_nothing(
    database: Database,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    name: str,
    authentication: str,
) -> None:
    """Authentication on and no token: 401 before the body is read. Off: 400 or 415."""
    body, content_type = MALFORMED[name]
    settings = AUTHENTICATED if authentication == "on" else teams_settings()
    caplog.set_level(logging.INFO)
    async with running_teams(database, clock, settings) as chat:
        headers = {"Content-Type": content_type} if content_type else {}
        async with chat.http.post(
            f"{chat.url}/api/messages",
            data=body,
            headers=headers,
            skip_auto_headers=["Content-Type"],
        ) as response:
            status = response.status
        expected = 415 if "Content-Type" in name or "plain" in name else 400
        assert status == (401 if authentication == "on" else expected)
        assert chat.connector.calls == []
    assert await nobody_stored(database, "anna")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


async def test_a_genuine_token_is_taken_and_a_tampered_one_refused(
    database: Database, clock: FakeClock
) -> None:
    async with openid_host() as microsoft:
        keys = KeyRing(sources={CHANNEL_METADATA: microsoft.metadata_url})
        async with running_teams(database, clock, AUTHENTICATED, keys=keys) as chat:
            activity = typing(chat, "anna")
            token = microsoft.token("key-1", APP_ID, chat.connector.url)
            assert await chat.post(activity, bearer(token)) == 201
            tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
            assert await chat.post(activity, bearer(tampered)) == 401
            other_app = microsoft.token("key-1", "someone-else", chat.connector.url)
            assert await chat.post(activity, bearer(other_app)) == 401
            assert await chat.post(chat.message("anna", "on"), bearer(tampered)) == 401
            assert chat.connector.calls == []
        # fetched once, in the background at start: never per request
        assert microsoft.hits == {"openid": 1, "keys": 1}
    assert await nobody_stored(database, "anna")


async def test_a_new_key_is_fetched_once_and_unknown_keys_cost_nothing_after(
    database: Database, clock: FakeClock
) -> None:
    seconds = [1000.0]
    async with openid_host() as microsoft:
        keys = KeyRing(sources={CHANNEL_METADATA: microsoft.metadata_url}, clock=lambda: seconds[0])
        async with running_teams(database, clock, AUTHENTICATED, keys=keys) as chat:
            await eventually(_has_fetched(microsoft))
            microsoft.add_key("key-2")  # Microsoft rotates its keys
            token = microsoft.token("key-2", APP_ID, chat.connector.url)
            assert await chat.post(typing(chat, "anna"), bearer(token)) == 401  # just fetched
            seconds[0] += RETRY_SECONDS
            assert await chat.post(typing(chat, "anna"), bearer(token)) == 201
            assert microsoft.hits["keys"] == 2
            for _ in range(5):  # forged keys: refused from memory, no fetch each time
                seconds[0] += 1
                assert await chat.post(typing(chat, "anna"), bearer(forged_token())) == 401
            assert microsoft.hits["keys"] == 2
            seconds[0] += RETRY_SECONDS  # at most one fetch a minute for unknown keys
            assert await chat.post(typing(chat, "anna"), bearer(forged_token())) == 401
            assert microsoft.hits["keys"] == 3


def _has_fetched(host: FakeOpenIdHost) -> Any:
    async def fetched() -> bool:
        return host.hits["keys"] >= 1

    return fetched


async def test_a_forged_token_while_the_metadata_host_hangs_is_401_in_bounded_time(
    database: Database, clock: FakeClock
) -> None:
    async with tarpit() as hanging:
        keys = KeyRing(sources={CHANNEL_METADATA: f"{hanging.url}/openid"}, wait=0.5)
        async with running_teams(database, clock, AUTHENTICATED, keys=keys) as chat:
            started = time.monotonic()
            forged = asyncio.create_task(
                chat.post(chat.message("anna", "on"), bearer(forged_token()))
            )
            while not forged.done():
                await health_within(chat, 1.0)  # the server answers others meanwhile
                await asyncio.sleep(0.05)
            assert await forged == 401
            assert time.monotonic() - started < 2
            assert hanging.connections >= 1  # the keys were asked of the hanging host
    assert await nobody_stored(database, "anna")


async def test_authentication_off_never_asks_for_keys_without_a_token(
    database: Database, clock: FakeClock
) -> None:
    async with openid_host() as microsoft:
        keys = KeyRing(sources={CHANNEL_METADATA: microsoft.metadata_url}, keep_fresh=False)
        async with running_teams(database, clock, keys=keys) as chat:
            assert await chat.post(typing(chat, "anna")) == 201
    assert microsoft.hits == {}


async def test_sharebot_run_stays_responsive_while_https_proxy_leads_to_a_hanging_host(
    tmp_path: Path,
) -> None:
    """As an operator runs it: Microsoft's metadata host behind a proxy that never answers
    (requests and aiohttp both take ``HTTPS_PROXY`` from the environment)."""
    async with tarpit() as hanging, aiohttp.ClientSession() as http:
        port = free_port()
        env = cli_env(tmp_path, PORT=str(port), HTTPS_PROXY=hanging.url, **AUTHENTICATED_ENV)
        process = await asyncio.create_subprocess_exec(
            *SHAREBOT, "run", cwd=tmp_path, env=env, stdout=PIPE, stderr=PIPE
        )
        base = f"http://127.0.0.1:{port}"
        try:
            await eventually(lambda: _answers(http, f"{base}/healthz"), within=60)
            await eventually(lambda: _connected(hanging), within=10)
            started = time.monotonic()
            forged = asyncio.create_task(
                http.post(
                    f"{base}/api/messages",
                    json={"type": "message", "text": "on", "serviceUrl": "https://x.example"},
                    headers=bearer(forged_token()),
                )
            )
            while not forged.done():
                began = time.monotonic()
                async with http.get(f"{base}/healthz") as response:
                    assert response.status == 200
                assert time.monotonic() - began < 1
                await asyncio.sleep(0.1)
            async with await forged as response:
                assert response.status == 401
            assert time.monotonic() - started < WAIT_SECONDS + 2
        finally:
            process.terminate()
            _, stderr = await process.communicate()
    assert b"Traceback" not in stderr


async def _answers(http: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with http.get(url) as response:
            return response.status == 200
    except aiohttp.ClientConnectionError:
        return False


async def _connected(pit: Tarpit) -> bool:
    return pit.connections >= 1
