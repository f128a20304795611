"""The database handle passed around from the composition root: transactions and health."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.engine import create_engine, session_factory


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

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_engine(url))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside a transaction that commits on success and rolls back on error.

        Never open a second transaction while holding one: on SQLite they take turns.
        """
        async with self._turn, self._sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Raises when the database cannot be reached."""
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
