"""/healthz writes to the database and answers within a second: ``ok``, or ``degraded`` with the
kind of trouble when the database cannot be written or does not answer."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from adapters.server import build_runtime
from adapters.settings import load_settings
from storage import migrate
from storage.database import Database
from storage.engine import create_engine
from storage.models import Heartbeat
from tests.conftest import POSTGRES_URL
from tests.playground_server import serving
from tests.tcp_relay import relay

# What ``/healthz`` answered: its status, its body and how long the answer took (seconds).
Health = tuple[int, dict[str, Any], float]

needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL (SHAREBOT_TEST_POSTGRES_URL)"
)


@asynccontextmanager
async def healthz(database: Database) -> AsyncIterator[Callable[[], Awaitable[Health]]]:
    """Sharebot on ``database`` (Teams, which writes nothing at start); yields a function that
    asks ``/healthz`` and returns its status, body and how long the answer took."""
    settings = load_settings(SHAREBOT_ADAPTERS="teams")
    runtime = build_runtime(settings, database=database)
    async with serving(runtime) as url, aiohttp.ClientSession() as http:

        async def ask() -> Health:
            started = time.monotonic()
            async with http.get(f"{url}/healthz") as response:
                return response.status, await response.json(), time.monotonic() - started

        yield ask


async def migrated_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "sharebot.db"
    database = Database.from_url(f"sqlite:///{path}")
    await migrate.upgrade(database.engine)
    await database.close()
    return path


async def test_a_healthy_database_is_ok_and_the_check_really_writes(database: Database) -> None:
    async with healthz(database) as ask:
        status, body, took = await ask()
    assert (status, body) == (200, {"status": "ok", "database": "ok", "reasons": []})
    assert took < 1
    async with database.transaction() as session:
        beat = await session.get(Heartbeat, 1)
    assert beat is not None and beat.beat_at is not None


async def test_a_read_only_sqlite_file_is_degraded(tmp_path: Path) -> None:
    path = await migrated_sqlite(tmp_path)
    # what SQLite does with a file it may not write: it opens it read-only
    database = Database.from_url(f"sqlite:///file:{path}?mode=ro&uri=true")
    async with healthz(database) as ask:
        status, body, took = await ask()
    assert status == 503 and took < 1
    assert body == {
        "status": "degraded",
        "database": "read-only",
        "reasons": ["database: read-only"],
    }


async def test_a_busy_sqlite_database_gets_an_answer_within_a_second(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{await migrated_sqlite(tmp_path)}")
    async with healthz(database) as ask:
        async with database.transaction():  # a write transaction that does not end
            answers = [await ask() for _ in range(3)]
        assert [(s, b["reasons"]) for s, b, _ in answers] == [(503, ["database: no answer"])] * 3
        assert all(took < 1 for _, _, took in answers)
        assert (await ask())[0] == 200  # the held transaction ended: the next check writes


async def test_a_database_that_is_not_there_is_unreachable() -> None:
    database = Database.from_url("postgresql://sharebot@127.0.0.1:1/sharebot")
    async with healthz(database) as ask:
        status, body, took = await ask()
    assert (status, body["reasons"]) == (503, ["database: unreachable"]) and took < 1


@needs_postgres
async def test_a_frozen_postgresql_gets_an_answer_within_a_second(database: Database) -> None:
    url = make_url(POSTGRES_URL)
    async with relay(url.host or "127.0.0.1", url.port or 5432) as between:
        frozen = Database.from_url(
            url.set(host="127.0.0.1", port=between.port).render_as_string(False)
        )
        async with healthz(frozen) as ask:
            assert (await ask())[0] == 200
            between.freeze()  # the server stops answering, connections stay open
            answers = [await ask() for _ in range(3)]
            assert [(s, b["reasons"]) for s, b, _ in answers] == [
                (503, ["database: no answer"])
            ] * 3
            assert all(took < 1 for _, _, took in answers)
            between.thaw()
            deadline = time.monotonic() + 10
            while (await ask())[0] != 200:
                assert time.monotonic() < deadline, "no recovery after the database came back"


@needs_postgres
async def test_a_read_only_postgresql_is_degraded(database: Database) -> None:
    """As a hot standby is: every transaction read-only."""
    engine = create_engine(
        POSTGRES_URL, connect_args={"server_settings": {"default_transaction_read_only": "on"}}
    )
    async with healthz(Database(engine)) as ask:
        status, body, took = await ask()
    assert (status, body["reasons"]) == (503, ["database: read-only"]) and took < 1
    async with database.transaction() as session:  # nothing was written
        assert await session.scalar(sa.select(sa.func.count()).select_from(Heartbeat)) == 0
