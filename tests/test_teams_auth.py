"""With an app id set, /api/messages demands a Bot Framework token and changes nothing without."""

from __future__ import annotations

import pytest

from storage import people
from storage.database import Database
from tests.support import FakeClock
from tests.teams_chat import PEOPLE, running_teams, teams_settings

APP_ID = "8f2ad2e6-6b36-4a38-9d44-3c5e0b1f7a10"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
async def test_without_a_valid_token_401_and_nothing_changes(
    database: Database, clock: FakeClock, headers: dict[str, str]
) -> None:
    settings = teams_settings(
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD="secret",
        MICROSOFT_APP_TENANT_ID="72f988bf-86f1-41af-91ab-2d7cd011db47",
        MICROSOFT_APP_TYPE="SingleTenant",
    )
    async with running_teams(database, clock, settings) as chat:
        assert await chat.post(chat.message("anna", "on"), headers) == 401
        assert await chat.post(chat.installed("ben"), headers) == 401
        assert chat.connector.calls == []
    async with database.transaction() as session:
        for who in ("anna", "ben"):
            assert await people.find(session, "teams", PEOPLE[who].aad) is None


async def test_a_body_that_is_no_activity_is_refused(database: Database, clock: FakeClock) -> None:
    async with running_teams(database, clock) as chat:
        async with chat.http.post(
            f"{chat.url}/api/messages", data=b"[1, 2]", headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 400
        async with chat.http.post(
            f"{chat.url}/api/messages", data=b"{nope", headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 400
        assert chat.connector.calls == []
