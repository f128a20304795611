"""When people last got a message, read with their contacts for the budget re-check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import people, recent
from storage.database import Database

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


async def test_contacts_come_with_their_recent_times_since_then_and_nobody_else(
    database: Database,
) -> None:
    async with database.transaction() as session:
        anna = await people.get_or_create(session, "slack", "UANNA")
        ben = await people.get_or_create(session, "slack", "UBEN")
        carl = await people.get_or_create(session, "slack", "UCARL")
        assert anna.id and ben.id and carl.id
        await recent.record_recent(session, [anna.id], NOW - timedelta(days=9))  # too long ago
        await recent.record_recent(session, [anna.id, carl.id], NOW - timedelta(days=2))
        await recent.record_recent(session, [anna.id], NOW - timedelta(hours=1))
    async with database.transaction() as session:
        found, times = await recent.contacts_with_times(
            session, [anna.id, ben.id, 999_999], since=NOW - timedelta(days=7)
        )
    assert sorted((c.id, c.user_key) for c in found) == [(anna.id, "UANNA"), (ben.id, "UBEN")]
    assert all(c.platform == "slack" and c.reachable for c in found)  # no row of nulls
    assert sorted(times[anna.id]) == [NOW - timedelta(days=2), NOW - timedelta(hours=1)]
    assert ben.id not in times and carl.id not in times  # Carl was not asked for
    assert all(at.tzinfo is not None for at in times[anna.id])
