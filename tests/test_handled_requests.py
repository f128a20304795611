"""A request's claim at the storage layer (delivery rule 3), with its statement built once and
used again and again: the first claim of a fingerprint wins, later ones and copies lose, a
rolled-back claim leaves it free, and the hour it was seen is kept for retention."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import handled
from storage import policy as stored_policy
from storage.database import Database
from tests.support import WEDNESDAY

HOUR = WEDNESDAY.replace(minute=0, second=0, microsecond=0)


async def _claim(database: Database, fingerprint: str) -> bool:
    async with database.transaction() as session:
        return await handled.claim(session, fingerprint, HOUR)


async def test_a_fingerprint_is_claimed_once(database: Database) -> None:
    assert await _claim(database, "a" * 64)
    assert not await _claim(database, "a" * 64)
    assert not await _claim(database, "a" * 64)
    assert await _claim(database, "b" * 64)  # another request is another claim


async def test_a_rolled_back_claim_leaves_the_request_unclaimed(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            assert await handled.claim(session, "c" * 64, HOUR)
            raise RuntimeError("the turn failed")
    assert await _claim(database, "c" * 64)


async def test_the_hour_seen_is_kept_for_retention(database: Database) -> None:
    assert await _claim(database, "d" * 64)
    async with database.transaction() as session:
        assert await handled.purge(session, HOUR) == 0  # seen in that hour, not before it
        assert await handled.purge(session, HOUR + timedelta(hours=1)) == 1
    assert await _claim(database, "d" * 64)  # forgotten: a claim again


async def test_the_policy_read_sees_what_was_stored(database: Database) -> None:
    async with database.transaction() as session:
        assert await stored_policy.load(session) == {}
        await stored_policy.store(session, "max_per_week", "2")
        assert await stored_policy.load(session) == {"max_per_week": "2"}
        await stored_policy.store(session, "max_per_week", "3")  # the same row, changed
        assert await stored_policy.load(session) == {"max_per_week": "3"}
    async with database.reading() as session:
        assert await stored_policy.load(session) == {"max_per_week": "3"}
