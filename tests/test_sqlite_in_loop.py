"""SQLite on the event loop's thread: a transaction's statements do not cross the loop, and
the write lock held by another process is waited for without holding the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col

from storage import migrate, sqlite_in_loop
from storage.database import Database
from storage.models import Person


async def _migrated(tmp_path: Path) -> tuple[Database, Path]:
    path = tmp_path / "sharebot.db"
    database = Database.from_url(f"sqlite:///{path}")
    await migrate.upgrade(database.engine)
    return database, path


async def test_a_transaction_is_committed_before_the_loop_runs_anything_else(
    tmp_path: Path,
) -> None:
    database, path = await _migrated(tmp_path)
    try:
        async with database.transaction() as session:  # the pool holds a connection now
            await session.execute(sa.select(1))
        seen: list[int] = []

        def other_work() -> None:  # anything else ready to run on the loop, looking in
            with sqlite3.connect(path) as other:
                seen.append(other.execute("SELECT count(*) FROM person").fetchone()[0])

        asyncio.get_running_loop().call_soon(other_work)
        async with database.transaction() as session:
            session.add(Person(platform="slack", user_key="U1"))
            await session.flush()
            for _ in range(5):
                await session.execute(sa.select(sa.func.count()).select_from(Person))
        # begun, six statements and committed before the loop's next turn (through
        # aiosqlite's thread each statement waited for the loop, and nothing was committed)
        assert seen == [1]
        assert not database._turn.locked()  # type: ignore[attr-defined]
    finally:
        await database.close()


def _hold_write_lock(path: Path, seconds: float, held: threading.Event) -> None:
    """Another process's writer, as SQLite sees it: a connection of its own with the lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    other.execute("ROLLBACK")
    other.close()


async def test_the_write_lock_held_elsewhere_is_waited_for_while_the_loop_runs_on(
    tmp_path: Path,
) -> None:
    database, path = await _migrated(tmp_path)
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 0.5, held))
    holder.start()
    try:
        await asyncio.to_thread(held.wait)
        ticks = 0

        async def ticking() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        clock = asyncio.ensure_future(ticking())
        started = time.monotonic()
        async with database.transaction() as session:
            session.add(Person(platform="slack", user_key="U2"))
        waited = time.monotonic() - started
        clock.cancel()
        assert 0.4 < waited < 3.0  # it began once the other writer let go
        assert ticks >= 20  # meanwhile the loop went on (a blocking wait would leave it at 0)
        async with database.reading() as session:
            found = await session.execute(sa.select(col(Person.user_key)))
            assert found.scalars().all() == ["U2"]
    finally:
        holder.join()
        await database.close()


async def test_a_lock_held_past_the_busy_timeout_fails_as_sqlite_does(tmp_path: Path) -> None:
    database, path = await _migrated(tmp_path)
    await database.close()
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 1.0, held))
    holder.start()
    try:
        await asyncio.to_thread(held.wait)
        connect = sqlite_in_loop.connector([str(path)], {"timeout": 0.2})
        connection = await connect()
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await connection.execute("BEGIN IMMEDIATE")
        assert 0.1 < time.monotonic() - started < 0.8
        await connection.close()
    finally:
        holder.join()
