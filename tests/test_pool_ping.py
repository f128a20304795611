"""PostgreSQL's pooled connections: pinged before use only after being idle a while."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage import engine as storage_engine
from storage.database import Database
from storage.engine import async_url
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="the pool's pings are PostgreSQL's")


class Pings:
    def __init__(self, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        dialect = database.engine.dialect
        ping = dialect.do_ping

        def counted(dbapi_connection: Any) -> bool:
            self.count += 1
            return ping(dbapi_connection)

        monkeypatch.setattr(dialect, "do_ping", counted)


async def backend(database: Database) -> int:
    async with database.transaction() as session:
        return int((await session.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.fixture
async def terminate() -> AsyncIterator[object]:
    """Closes a backend from the server's side, as a restart would (a connection of its own)."""
    other = create_async_engine(async_url(POSTGRES_URL), poolclass=NullPool)

    async def close(pid: int) -> None:
        async with other.connect() as conn:
            await conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    yield close
    await other.dispose()


async def test_a_connection_used_a_moment_ago_is_not_pinged(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await backend(database)
    pings = Pings(database, monkeypatch)
    for _ in range(5):
        await backend(database)
    assert pings.count == 0


async def test_an_idle_connection_the_server_closed_is_replaced_unnoticed(
    database: Database, monkeypatch: pytest.MonkeyPatch, terminate: object
) -> None:
    first = await backend(database)
    monkeypatch.setattr(storage_engine, "PING_AFTER_IDLE", 0.0)  # every connection is idle
    pings = Pings(database, monkeypatch)
    await terminate(first)  # type: ignore[operator]
    second = await backend(database)  # no error: the ping found it closed
    assert second != first
    assert pings.count >= 1


async def test_a_connection_closed_within_the_moment_fails_once_then_is_replaced(
    database: Database, monkeypatch: pytest.MonkeyPatch, terminate: object
) -> None:
    first = await backend(database)
    monkeypatch.setattr(storage_engine, "PING_AFTER_IDLE", 3600.0)
    await terminate(first)  # type: ignore[operator]
    with pytest.raises(sa.exc.DBAPIError) as failure:
        await backend(database)
    assert failure.value.connection_invalidated
    assert await backend(database) != first
