"""Three `sharebot run` processes on one PostgreSQL database fan one suggestion out to 5,000
people through a fake Slack Web API; one is killed with SIGKILL halfway and started again.

Every person gets exactly one message, except rows reported as uncertain (at most twice the
killed process's concurrency: those in flight and those claimed to follow); nobody gets two;
the suggestion is planned exactly once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa
from sqlmodel import col

from storage import outbox, shares, suggestions
from storage import policy as stored_policy
from storage.database import Database
from storage.models import Delivery, Person, Suggestion
from tests.conftest import POSTGRES_URL
from tests.fake_slack import FakeSlack, running_fake_slack
from tests.processes import SharebotProcess, sharebot_processes
from tests.support import eventually

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="several processes need PostgreSQL (SHAREBOT_TEST_POSTGRES_URL)"
)
PEOPLE = 5_000
CONCURRENCY = 16
LEASE_SECONDS = 10


async def _organisation(database: Database) -> None:
    """5,000 opted-in Slack people and a suggestion due now, for the processes to find."""
    async with database.transaction() as session:
        for key, value in (
            ("window", "always"),
            ("spread_minutes", "0"),
            ("min_gap_hours", "0"),
            ("max_per_week", "14"),
        ):
            await stored_policy.store(session, key, value)
        await session.execute(
            sa.insert(Person),
            [
                {
                    "platform": "slack",
                    "user_key": f"U{n:05d}",
                    "participation": "on",
                    "invited": False,
                    "reachable": True,
                    "timezone": "Europe/Berlin",
                    "topics": [],
                    "networks": [],
                    "style": "each",
                }
                for n in range(PEOPLE)
            ],
        )
        now = datetime.now(UTC)
        suggestion = await suggestions.add(
            session,
            Suggestion(
                url="https://example.com/day",
                captions=["Our team day"],
                networks=["linkedin"],
                starts_at=now,
                created_at=now,
            ),
        )
        assert suggestion.id is not None
        await shares.create_links(session, suggestion.id, ["linkedin", "copy"])


def _settings(api_url: str) -> dict[str, str]:
    """`sharebot run` with the Slack adapter against the fake."""
    return {
        "DATABASE_URL": POSTGRES_URL,
        "SHAREBOT_ADAPTERS": "slack",
        "SLACK_BOT_TOKEN": "xoxb-crash-test",
        "SLACK_SIGNING_SECRET": "crash-test-secret",
        "SLACK_API_URL": api_url,
        "SHAREBOT_SLACK_RATE": "5000",
        "SHAREBOT_TICK_SECONDS": "0.2",
        "SHAREBOT_DELIVERY_CONCURRENCY": str(CONCURRENCY),
        "SHAREBOT_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
    }


@asynccontextmanager
async def _fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(record=False, post_delay=0.002)
    async with running_fake_slack(fake) as running:
        yield running


async def _states(database: Database) -> dict[str, int]:
    async with database.transaction() as session:
        return await outbox.count_by_state(session)


async def test_a_killed_process_neither_loses_nor_repeats(
    database: Database, tmp_path: Path
) -> None:
    await _organisation(database)
    async with _fake() as fake, aiohttp.ClientSession() as http:
        settings = _settings(fake.api_url)
        with sharebot_processes(tmp_path, 3, **settings) as running:

            async def halfway() -> bool:
                return sum(fake.posted.values()) >= PEOPLE // 2

            await eventually(halfway, within=60)
            running[0].kill()
            assert sum(fake.posted.values()) < PEOPLE  # killed in the middle of the fan-out
            running.append(SharebotProcess(tmp_path, **settings))

            async def settled() -> bool:
                states = await _states(database)
                return not states.get(outbox.PENDING) and not states.get(outbox.SENDING)

            await eventually(settled, within=120, every=0.2)
            uncertain = (await _states(database)).get(outbox.UNCERTAIN, 0)

            async def reported() -> bool:
                alive = [p for p in running if p.alive]
                counts = [await p.metric(http, "sharebot_deliveries_uncertain") for p in alive]
                return sum(counts) == uncertain

            await eventually(reported, within=30, every=0.2)

        async with database.transaction() as session:
            planned = (
                await session.execute(sa.select(sa.func.count()).select_from(Delivery))
            ).scalar_one()
            reached = (await session.execute(sa.select(col(Suggestion.reached)))).scalar_one()
    assert planned == PEOPLE  # planned exactly once, although three processes saw it due
    assert fake.duplicates() == {}
    assert uncertain <= 2 * CONCURRENCY
    assert len(fake.posted) >= PEOPLE - uncertain
    assert reached == len(fake.posted) - _sent_but_uncertain(fake, uncertain)


def _sent_but_uncertain(fake: FakeSlack, uncertain: int) -> int:
    """Uncertain rows whose message did arrive: counted by the fake, not as reached."""
    return max(0, len(fake.posted) - (PEOPLE - uncertain))
