"""Two `sharebot run` processes on one PostgreSQL database get the same Teams activity (same id)
and the same signed Slack command (same ``trigger_id``) at the same moment: each makes one
suggestion, answered once. The second copy waits on the database's unique key, then does
nothing (delivery rule 3, "an inbound request acts once")."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from sqlmodel import col

from storage import people
from storage.database import Database
from storage.models import Suggestion
from tests.conftest import POSTGRES_URL
from tests.fake_connector import running_connector
from tests.fake_slack import running_fake_slack
from tests.processes import SharebotProcess, sharebot_processes
from tests.slack_support import COMMS, SECRET, TOKEN, command_body, new_trigger, signed_headers
from tests.support import eventually
from tests.teams_chat import BOT, PEOPLE, TENANT

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="several processes need PostgreSQL (SHAREBOT_TEST_POSTGRES_URL)"
)
FROM_TEAMS = "https://example.com/from-teams"
FROM_SLACK = "https://example.com/from-slack"


async def _comms(database: Database) -> None:
    """Chris holds the comms role on Teams and on Slack."""
    async with database.transaction() as session:
        for platform, key in (("teams", PEOPLE["chris"].aad), ("slack", COMMS)):
            person = await people.get_or_create(session, platform, key)
            assert person.id is not None
            await people.grant(session, person.id, "comms")


def _teams_message(service_url: str, text: str) -> dict[str, Any]:
    """A personal message from Chris, as Teams sends it (and sends it again)."""
    chris = PEOPLE["chris"]
    return {
        "type": "message",
        "id": "f:activity-sent-twice",
        "timestamp": "2026-12-02T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": chris.account,
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": chris.chat},
        "recipient": BOT,
        "locale": chris.locale,
        "text": text,
        "textFormat": "plain",
        "channelData": {"tenant": {"id": TENANT}},
    }


async def _made(database: Database, url: str) -> int:
    async with database.transaction() as session:
        found = await session.execute(
            sa.select(sa.func.count()).select_from(Suggestion).where(col(Suggestion.url) == url)
        )
        return int(found.scalar_one())


async def test_two_processes_act_once_on_a_request_delivered_to_both(
    database: Database, tmp_path: Path
) -> None:
    await _comms(database)
    async with (
        running_fake_slack() as slack,
        running_connector() as connector,
        aiohttp.ClientSession() as http,
    ):
        settings = {
            "DATABASE_URL": POSTGRES_URL,
            "SHAREBOT_ADAPTERS": "slack,teams",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "MICROSOFT_APP_ID": "",
        }
        with sharebot_processes(tmp_path, 2, **settings) as both:

            async def ready() -> bool:
                return all([await p.ready(http) for p in both])

            await eventually(ready, within=60, every=0.2)

            async def post(process: SharebotProcess, route: str, **request: Any) -> int:
                async with http.post(f"{process.url}{route}", **request) as response:
                    return response.status

            activity = _teams_message(connector.url, f"new {FROM_TEAMS} Our team day")
            command = command_body(
                COMMS,
                f"new {FROM_SLACK} Our outing",
                response_url=slack.response_url("command"),
                trigger_id=new_trigger(COMMS),
            )
            statuses = await asyncio.gather(
                *(post(p, "/api/messages", json=activity) for p in both),
                *(
                    post(p, "/slack/events", data=command, headers=signed_headers(command))
                    for p in both
                ),
            )
            assert all(200 <= status < 300 for status in statuses), statuses

            async def both_copies_seen() -> bool:
                repeated = [await p.metric(http, "sharebot_requests_repeated") for p in both]
                return sum(repeated) == 2  # one copy of each request

            await eventually(both_copies_seen, within=30, every=0.1)
            assert await _made(database, FROM_TEAMS) == 1
            assert await _made(database, FROM_SLACK) == 1
            replies = [c for c in connector.messages() if c.activity_id == activity["id"]]
            assert len(replies) == 2  # "created" and the preview card, from one process
            await slack.wait_for(lambda: slack.responses)
            assert [tag for tag, _ in slack.responses] == ["command"]
