"""SQLite on the event loop's thread: a transaction's statements do not cross the loop, and
the write lock held by another process is waited for without holding the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col

from storage import migrate, sqlite_in_loop
from storage.database import Database
from storage.models import Person


@asynccontextmanager
async def loop_ticks() -> AsyncIterator[list[int]]:
    """How many times the loop came round to a task that ticks every 10 ms, meanwhile."""
    ticks = [0]

    async def ticking() -> None:
        while True:
            await asyncio.sleep(0.01)
            ticks[0] += 1

    clock = asyncio.ensure_future(ticking())
    try:
        yield ticks
    finally:
        clock.cancel()


async def _migrated(tmp_path: Path) -> tuple[Database, Path]:
    path = tmp_path / "sharebot.db"
    database = Database.from_url(f"sqlite:///{path}")
    await migrate.upgrade(database.engine)
    return database, path


@pytest.mark.parametrize(
    ("turn", "seen_by_the_loop"),
    [
        (60.0, ["BEGIN", "INSERT"] + ["SELECT"] * 5),  # all of it, then the loop's turn
        # "long enough" at once: the loop turns before each statement (SQLAlchemy's event
        # for BEGIN fires just before that turn)
        (0.0, ["BEGIN"]),
    ],
)
async def test_a_transaction_runs_its_statements_before_the_loop_runs_anything_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, turn: float, seen_by_the_loop: list[str]
) -> None:
    monkeypatch.setattr(sqlite_in_loop, "_TURN", turn)
    database, _ = await _migrated(tmp_path)
    try:
        async with database.transaction() as session:  # the pool holds a connection now
            await session.execute(sa.select(1))
        statements: list[str] = []
        seen: list[list[str]] = []

        def executed(_c: object, _cursor: object, sql: str, *_: object) -> None:
            statements.append(sql.split()[0])

        sa.event.listen(database.engine.sync_engine, "before_cursor_execute", executed)
        asyncio.get_running_loop().call_soon(lambda: seen.append(list(statements)))
        async with database.transaction() as session:
            session.add(Person(platform="slack", user_key="U1"))
            await session.flush()
            for _ in range(5):
                await session.execute(sa.select(sa.func.count()).select_from(Person))
        # through aiosqlite's thread each statement waited for the loop's next turn; here
        # the commit does (it writes to the disk, in a worker thread), and a transaction
        # that has held the loop for sqlite_in_loop._TURN
        assert seen == [seen_by_the_loop]
        assert not database._turn.locked()  # type: ignore[attr-defined]
        async with database.reading() as session:
            found = await session.execute(sa.select(col(Person.user_key)))
            assert found.scalars().all() == ["U1"]
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
        started = time.monotonic()
        async with loop_ticks() as ticks, database.transaction() as session:
            session.add(Person(platform="slack", user_key="U2"))
        waited = time.monotonic() - started
        assert 0.4 < waited < 3.0  # it began once the other writer let go
        assert ticks[0] >= 20  # meanwhile the loop went on (a blocking wait would leave it at 0)
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
            await connection.cursor().execute("BEGIN IMMEDIATE")
        assert 0.1 < time.monotonic() - started < 0.8
        await connection.close()
    finally:
        holder.join()


async def test_the_log_is_copied_back_into_the_file_in_another_thread(tmp_path: Path) -> None:
    database, path = await _migrated(tmp_path)
    try:
        async with database.transaction() as session:
            connection = await (await session.connection()).get_raw_connection()
            in_loop = connection.driver_connection
            assert isinstance(in_loop, sqlite_in_loop.Connection)
            found = await session.execute(sa.text("PRAGMA wal_autocheckpoint"))
            assert found.scalar() == 0  # no commit on the loop copies the log back
        await in_loop._checkpoints.done()
        size = path.stat().st_size
        async with database.transaction() as session:
            for n in range(300):
                session.add(Person(platform="slack", user_key=f"U{n:04d}", timezone="x" * 500))
        assert path.stat().st_size == size  # still in the log: the commit did not copy it
        await in_loop._checkpoints.done()
        await asyncio.sleep(sqlite_in_loop.CHECKPOINT_EVERY)
        async with database.transaction() as session:  # the next commit starts a checkpoint
            session.add(Person(platform="slack", user_key="U9999"))
        await in_loop._checkpoints.done()
        assert path.stat().st_size > size + 300 * 500
    finally:
        await database.close()


async def test_a_checkpoint_that_keeps_failing_is_said_once_it_fails_again_and_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def cannot_open() -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    checkpoints = sqlite_in_loop.Checkpoints(cannot_open)
    with caplog.at_level("DEBUG", logger="storage.sqlite_in_loop"):
        for _ in range(3):
            checkpoints._last = float("-inf")  # as if a second had passed
            checkpoints.after_commit()
            await checkpoints.done()
    levels = [r.levelname for r in caplog.records if "checkpoint failed" in r.getMessage()]
    assert levels == ["DEBUG", "DEBUG", "WARNING"]


class _SlowCommits:
    """A sqlite3 connection whose commits take a while, as on a disk that stalls."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def commit(self) -> None:
        time.sleep(0.3)
        self._connection.commit()

    def __getattr__(self, name: str) -> object:
        return getattr(self._connection, name)


async def test_a_commit_that_stalls_on_the_disk_does_not_hold_the_loop(tmp_path: Path) -> None:
    database, path = await _migrated(tmp_path)
    await database.close()
    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    slow = _SlowCommits(raw)
    connection = sqlite_in_loop.Connection(
        slow,  # type: ignore[arg-type]
        1.0,
        sqlite_in_loop.Checkpoints(lambda: sqlite3.connect(path)),
    )
    cursor = connection.cursor()
    await cursor.execute("BEGIN IMMEDIATE")
    await cursor.execute("CREATE TABLE note (said TEXT)")
    await cursor.execute("INSERT INTO note VALUES ('U3')")
    async with loop_ticks() as ticks:
        await connection.commit()
    assert ticks[0] >= 10  # the loop went on for the 0.3 s the commit took
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT said FROM note").fetchall() == [("U3",)]
    await connection.close()
