"""SQLite on the event loop's own thread: a statement runs where it is awaited.

aiosqlite runs every call in a thread of its own and hands the answer back through the event
loop, and SQLAlchemy makes three or four such calls per statement (a cursor, the statement,
its rows, closing the cursor). On a busy loop each answer waits behind everything else that is
ready to run (the acknowledgements and answers of other clicks, the platform's answers to
messages in flight), about a millisecond a time, and SQLite's one writer waits with it: a
click's turn held the write lock three times as long as its CPU, and a fan-out's stream ran
dry while a wave's transaction crossed the loop some thirty times. Sharebot's statements take
SQLite microseconds to a few milliseconds, so this connection makes the same calls as
aiosqlite's, the ones SQLAlchemy's aiosqlite dialect makes, without the thread. A
transaction's statements run back to back, yet none holds the loop much past a millisecond:
a statement lets the loop turn first once that has passed.

The one call that can wait long, for the write lock another process holds (``BEGIN
IMMEDIATE``, or a commit while another connection checkpoints), does not hold the loop:
SQLite answers "busy" at once, and the call is tried again after a short sleep until the
connection's busy timeout has passed, then fails as aiosqlite's would. Nor does writing to
the disk, which can stall for tens of milliseconds on a busy machine (seen as the slowest
acknowledgements of clicks): a commit, which writes the log, runs in a worker thread, and
copying the log back into the file and syncing it, which SQLite does in the commit that
fills the log, is left to a worker thread with a connection of its own (:class:`Checkpoints`).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
logger = logging.getLogger(__name__)

_TURN = 0.001  # seconds a transaction runs on the loop before it lets the loop turn
_FIRST_WAIT = 0.001  # seconds before trying a busy call again, doubling up to _LONGEST_WAIT
_LONGEST_WAIT = 0.05


def _busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class _Queue:
    """What SQLAlchemy's dialect hands aiosqlite's worker queue directly (setting the
    isolation level): run at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:
            if future is None:
                raise
            future.set_exception(error)
        else:
            if future is not None:
                future.set_result(result)


class Cursor:
    """An aiosqlite cursor's calls over a sqlite3 cursor, run at once."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._cursor = connection._open.cursor()

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        await self._connection._run(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        rows = list(parameters)  # tried again when busy: an iterator would be used up
        await self._connection._run(self._cursor.executemany, sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *_: Any) -> None:
        return None

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class Connection:
    """An aiosqlite connection's calls, as SQLAlchemy's aiosqlite dialect makes them, over a
    sqlite3 connection opened with no busy timeout of its own (:meth:`_run` waits instead)."""

    def __init__(
        self, connection: sqlite3.Connection, busy_timeout: float, checkpoints: Checkpoints
    ) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._busy_timeout = busy_timeout
        self._checkpoints = checkpoints
        self._tx = _Queue()
        self._turn_began = 0.0

    @property
    def _connection(self) -> sqlite3.Connection | None:  # what the dialect checks before commit
        return self._conn

    async def _run(self, call: Callable[..., T], *args: Any, in_thread: bool = False) -> T:
        """``call``, tried again while SQLite is busy; in a worker thread when it writes to
        the disk."""
        if not in_thread:
            await self._let_the_loop_turn()
        deadline = time.monotonic() + self._busy_timeout
        wait = _FIRST_WAIT
        while True:
            try:
                if in_thread:
                    loop = asyncio.get_running_loop()
                    return await loop.run_in_executor(None, partial(call, *args))
                return call(*args)
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() + wait > deadline:
                    raise
            await asyncio.sleep(wait)
            wait = min(wait * 2, _LONGEST_WAIT)

    async def _let_the_loop_turn(self) -> None:
        """Let the loop turn before this statement when :data:`_TURN` has passed since this
        connection last let it turn or began a transaction (the acknowledgements of requests
        that came meanwhile go out): a transaction's statements run back to back, and
        none holds the loop much longer than that."""
        if time.perf_counter() - self._turn_began > _TURN:
            await asyncio.sleep(0)
            self._turn_began = time.perf_counter()
        elif not self._open.in_transaction:
            self._turn_began = time.perf_counter()

    @property
    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("Connection closed")
        return self._conn

    def cursor(self) -> Cursor:
        return Cursor(self)

    async def commit(self) -> None:
        await self._run(self._open.commit, in_thread=True)
        self._checkpoints.after_commit()

    async def rollback(self) -> None:
        await self._run(self._open.rollback)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close at once (also what SQLAlchemy calls to terminate a connection outside the
        loop); closing again does nothing."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def isolation_level(self) -> str | None:
        return self._open.isolation_level


CHECKPOINT_EVERY = 1.0  # seconds at least between two checkpoints
_FAILED_ALOUD = 3  # checkpoints failed in a row before it is a warning


class Checkpoints:
    """Copies the write-ahead log back into the database file in a worker thread, at most
    once every :data:`CHECKPOINT_EVERY` seconds after a commit. Passive: it takes no lock
    that a writer or a reader waits for, and copies what no reader still needs (the rest
    the next time)."""

    def __init__(self, opens: Callable[[], sqlite3.Connection]) -> None:
        self._opens = opens
        self._last = float("-inf")
        self._running: asyncio.Future[None] | None = None
        self._failed = 0  # checkpoints in a row that failed

    def after_commit(self) -> None:
        if self._running is not None and not self._running.done():
            return
        if time.monotonic() - self._last < CHECKPOINT_EVERY:
            return
        self._last = time.monotonic()
        self._running = asyncio.get_running_loop().run_in_executor(None, self._checkpoint)

    def _checkpoint(self) -> None:
        try:
            connection = self._opens()
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()
        except sqlite3.Error as error:
            # The next commit's checkpoint copies what this one did not (SQLite's own
            # checkpoints fail as quietly); one failing again and again lets the log grow.
            self._failed += 1
            level = logging.WARNING if self._failed >= _FAILED_ALOUD else logging.DEBUG
            logger.log(level, "SQLite's checkpoint failed (%s)", type(error).__name__)
        else:
            self._failed = 0

    async def done(self) -> None:
        """Until the checkpoint under way, if any, has ended (whatever came of it)."""
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)


def connector(
    arguments: Sequence[Any], options: dict[str, Any]
) -> Callable[[], Awaitable[Connection]]:
    """An ``async_creator`` for SQLAlchemy: opens the file as the dialect would (its
    arguments, its options) with no busy wait inside SQLite and no checkpoint in a commit;
    the connections of one engine share their :class:`Checkpoints`."""
    kwargs = dict(options)
    busy_timeout = float(kwargs.pop("timeout", 5.0))
    kwargs["check_same_thread"] = False  # the loop's thread, but a pool may close elsewhere

    def opens(timeout: float) -> sqlite3.Connection:
        return sqlite3.connect(*arguments, timeout=timeout, **kwargs)  # type: ignore[call-overload,no-any-return]

    checkpoints = Checkpoints(partial(opens, busy_timeout))

    async def connect() -> Connection:
        opened = opens(0)
        opened.execute("PRAGMA wal_autocheckpoint=0")
        return Connection(opened, busy_timeout, checkpoints)

    return connect
