"""Dialect-specific statements kept in one place: upserts, row locking, planner statistics,
and an index SQLite must not choose."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def insert_ignoring_conflicts(
    session: AsyncSession, table: Any, values: dict[str, Any] | list[dict[str, Any]]
) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for the session's database (one row or many)."""
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    return insert(table).values(values).on_conflict_do_nothing()


def insert_or_replace(
    session: AsyncSession, table: Any, values: dict[str, Any], *, key: tuple[str, ...]
) -> Any:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` with the other values: the last write wins."""
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    statement = insert(table).values(values)
    changed = {name: statement.excluded[name] for name in values if name not in key}
    return statement.on_conflict_do_update(index_elements=list(key), set_=changed)


class unindexed(FunctionElement[Any]):  # lower case: used like the functions of sa.func
    """A column that SQLite must not find through an index: a condition on it is checked on
    the rows another index found (SQLite's documented unary ``+``). Without figures of a
    table, which it gathers only when told to, SQLite prefers an equality on a column of few
    values (a state) to a range on a selective one (the people of a batch); PostgreSQL, which
    keeps its figures, gets the column as it is."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: sa.ColumnElement[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _as_is(element: unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(unindexed, "sqlite")
def _unary_plus(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses, **kw))


def supports_skip_locked(session: AsyncSession) -> bool:
    return _dialect(session) == "postgresql"


async def refresh_statistics(session: AsyncSession, table: str) -> None:
    """Let PostgreSQL's planner see the table as it is now (``ANALYZE``; it runs inside the
    transaction and counts the rows the transaction added). SQLite plans by its indexes."""
    if _dialect(session) == "postgresql":
        await session.execute(sa.text(f"ANALYZE {table}"))


def affected(result: Result[Any]) -> int:
    """Rows changed by an UPDATE or DELETE."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def _dialect(session: AsyncSession) -> str:
    assert session.bind is not None
    return session.bind.dialect.name
