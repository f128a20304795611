"""The database handle passed around from the composition root: transactions and health."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage import policy
from storage.engine import READ_ONLY, create_engine, session_factory
from storage.health import DatabaseHealth, beat, trouble

# A write check still under way after this long is given up (it holds one connection).
GIVE_UP_SECONDS = 30.0


class Database:
    """One engine and its session factory; every unit of work is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)
        # SQLite has one writer at a time. Taking turns here hands the database from one
        # transaction to the next at once, instead of leaving waiters in SQLite's busy
        # handler, which sleeps in growing steps (one process per SQLite file anyway).
        self._turn: AbstractAsyncContextManager[object] = (
            asyncio.Lock() if self.is_sqlite else nullcontext()
        )
        self._checking: asyncio.Task[DatabaseHealth] | None = None
        # The only writer (SQLite) keeps the policy it read; on PostgreSQL other processes
        # may change it, so every transaction reads it.
        self._policy = policy.Remembered() if self.is_sqlite else None

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_engine(url))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside a transaction that commits on success and rolls back on error.

        Never open a second transaction while holding one: on SQLite they take turns. The
        turn ends with the commit, before the session closes (closing it waits for the
        event loop's next turn).
        """
        async with self._sessions() as session, self._turn, session.begin():
            if self._policy is not None:
                policy.remember_in(session, self._policy)
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A transaction that only reads, always rolled back: on SQLite it neither takes the
        write lock nor waits for the writers' turns (WAL gives it the last committed state).
        Anything written in it is lost, so use it only for work that cannot write."""
        async with self._sessions() as session:  # closing it rolls back
            await session.connection(execution_options={READ_ONLY: True})
            yield session

    async def ping(self) -> None:
        """Raises when the database cannot be reached."""
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def health(self, within: float) -> DatabaseHealth:
        """Whether the database takes a write (the heartbeat row), answered within ``within``
        seconds whatever the database does: ``NO_ANSWER`` when it is silent. A check still
        under way from an earlier call is waited for, not started again, so a frozen database
        holds one connection for it, not one per call."""
        if self._checking is None:
            self._checking = asyncio.get_running_loop().create_task(self._write_check())
            self._checking.add_done_callback(self._checked)
        checking = self._checking
        done, _ = await asyncio.wait({checking}, timeout=within)
        if not done or checking.cancelled():
            return DatabaseHealth.NO_ANSWER
        return checking.result()

    def _checked(self, task: asyncio.Task[DatabaseHealth]) -> None:
        if self._checking is task:
            self._checking = None

    async def _write_check(self) -> DatabaseHealth:
        try:
            async with asyncio.timeout(GIVE_UP_SECONDS), self.transaction() as session:
                await beat(session, datetime.now(UTC))
        except Exception as error:
            return trouble(error)
        return DatabaseHealth.OK

    async def close(self) -> None:
        if self._checking is not None:  # a check hanging on a frozen database ends here
            self._checking.cancel()
            await asyncio.wait({self._checking}, timeout=1.0)
        await self.engine.dispose()
