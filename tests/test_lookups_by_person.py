"""A person's rows in the outbox are found through the person, not by reading every pending
row: after a fan-out the outbox holds a pending row for everyone, and a pause click, a
change of topics or the planning of the next batch of people must not read them all.

Each lookup's statement is taken as the database got it and explained by the database
itself (SQLite's ``EXPLAIN QUERY PLAN``; PostgreSQL's ``EXPLAIN`` once it has figures)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage import outbox
from storage.database import Database
from storage.models import Person, Suggestion
from storage.states import DeliveryKind, SuggestionState

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
EVERYONE = 3000


async def _fan_out(database: Database) -> list[int]:
    """Everyone with a pending card of one suggestion, due over the next days."""
    async with database.transaction() as session:
        await session.execute(
            sa.insert(Person),
            [
                {
                    "platform": "slack",
                    "user_key": f"U{n:05d}",
                    "participation": "on",
                    "topics": [],
                    "networks": [],
                    "style": "each",
                }
                for n in range(EVERYONE)
            ],
        )
        suggestion = Suggestion(
            url="https://example.com/news",
            captions=["News"],
            state=SuggestionState.RUNNING,
            starts_at=NOW,
            created_at=NOW,
        )
        session.add(suggestion)
        await session.flush()
        assert suggestion.id is not None
        everyone = sa.select(col(Person.id)).order_by(col(Person.id))
        ids = [pid for pid in (await session.execute(everyone)).scalars() if pid is not None]
        await outbox.add_many(
            session,
            [
                outbox.Planned(pid, NOW + timedelta(minutes=n), DeliveryKind.CARD, suggestion.id)
                for n, pid in enumerate(ids)
            ],
        )
        await outbox.added_many(session, EVERYONE)  # PostgreSQL's figures, as planning leaves them
    return ids


async def _plans_of(
    database: Database, lookup: Callable[[AsyncSession], Awaitable[Any]]
) -> tuple[Any, list[str]]:
    """The lookup's result and the database's plan of each statement it ran."""
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with database.transaction() as session:
            result = await lookup(session)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    explain = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    plans = []
    async with database.engine.connect() as conn:
        for statement, parameters in statements:
            if not re.match(r"\s*SELECT\b.*\bFROM delivery\b", statement, re.DOTALL):
                continue  # the outbox's reads only (not recent_delivery's)
            rows = (await conn.exec_driver_sql(explain + statement, parameters)).all()
            plans.append(" / ".join(str(row[-1]) for row in rows))
    assert plans, "the lookup read nothing from the outbox"
    return result, plans


@pytest.mark.parametrize("where", ["the first people", "people at the end"])
async def test_the_busy_times_of_a_batch_of_people_are_found_by_person(
    database: Database, where: str
) -> None:
    ids = await _fan_out(database)
    batch = ids[:100] if where == "the first people" else ids[-100:]
    busy, plans = await _plans_of(
        database,
        lambda session: outbox.busy_times(session, batch, since=NOW - timedelta(days=7)),
    )
    assert sorted(busy) == batch and all(len(times) == 1 for times in busy.values())
    for plan in plans:
        assert "ix_delivery_person_id" in plan and "state_due" not in plan, plan


async def test_whether_a_person_has_something_due_before_a_pause_ends_is_found_by_person(
    database: Database,
) -> None:
    ids = await _fan_out(database)
    last = ids[-1]  # due last: reading the pending rows in order of time reaches it last
    found, plans = await _plans_of(
        database,
        lambda session: outbox.has_pending(session, last, before=NOW + timedelta(days=30)),
    )
    assert found is True
    not_yet, _ = await _plans_of(
        database, lambda session: outbox.has_pending(session, last, before=NOW)
    )
    assert not_yet is False
    for plan in plans:
        assert "ix_delivery_person_id" in plan and "state_due" not in plan, plan
