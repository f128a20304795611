"""The async engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_in_loop

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


# An execution option: the transaction only reads (SQLite then begins it without the lock)
READ_ONLY = "sharebot_read_only"


class UnsupportedDatabase(ValueError):
    """The database URL names a database Sharebot does not support."""


def async_url(url: str) -> sa.URL:
    """Turn a user-facing URL (``sqlite:///sharebot.db``, ``postgresql://…``) into an async one."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise UnsupportedDatabase(
            f"unsupported database {backend!r}: use sqlite:/// or postgresql://"
        )
    return parsed.set(drivername=_DRIVERS[backend])


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """Build the engine; SQLite gets WAL, foreign keys and a busy timeout on every connection,
    its statements run on the event loop's thread (:mod:`storage.sqlite_in_loop`). Errors
    never show the statement's parameters.

    SQLite transactions begin with ``BEGIN IMMEDIATE``: they take the write lock up front and
    wait for it, so a read-then-write (claiming deliveries, first contact) cannot interleave
    with another connection's and every transaction sees the rows it then changes. One that
    only reads (:data:`READ_ONLY` among its execution options) begins deferred: no lock.
    """
    target = async_url(url)
    # An error's text must not carry the statement's values (message references, platform
    # ids): they would end up in logs (security rule 5).
    options.setdefault("hide_parameters", True)
    if target.get_backend_name() == "sqlite":
        arguments, connect_options = SQLiteDialect_aiosqlite().create_connect_args(target)
        opened = sqlite_in_loop.connector(arguments, {**connect_options, "timeout": 30})
        engine = create_async_engine(target, async_creator=opened, **options)

        @sa.event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            dbapi_connection.isolation_level = None  # the driver's own BEGIN is replaced below

        @sa.event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: sa.Connection) -> None:
            reads = connection.get_execution_options().get(READ_ONLY, False)
            connection.exec_driver_sql("BEGIN" if reads else "BEGIN IMMEDIATE")

        return engine
    options.setdefault("pool_size", 10)
    engine = create_async_engine(target, **options)
    _ping_after_idle(engine)
    return engine


# A pooled connection idle for longer than this is pinged before it is handed out.
PING_AFTER_IDLE = 1.0  # seconds


def _ping_after_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection before use when it has been idle for a while, as the pool's
    ``pre_ping`` does before every use: a connection the server closed meanwhile (it
    restarted, a firewall dropped it) is replaced, and every other pooled one with it.

    One in use a moment ago is handed out as it is: under load that saves a round trip per
    transaction (one of the nine a fan-out's wave made). Should the server go away within
    that moment, the first transaction to notice fails, as one under way then would, and
    SQLAlchemy replaces every pooled connection.
    """

    @sa.event.listens_for(engine.sync_engine, "connect")
    def _connected(_dbapi_connection: Any, record: Any) -> None:
        record.info["used"] = time.monotonic()

    @sa.event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["used"] = time.monotonic()

    @sa.event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("used", float("-inf")) <= PING_AFTER_IDLE:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise sa.exc.InvalidatePoolError("the database closed the connection") from error
        if not alive:
            raise sa.exc.InvalidatePoolError("the database closed the connection")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
