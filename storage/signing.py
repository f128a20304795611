"""The stored signing key of the figures page's links: made once, the same for every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_conflicts
from storage.models import SigningKey


async def kept_key(session: AsyncSession, purpose: str, candidate: str, now: datetime) -> str:
    """The key stored for ``purpose``; ``candidate`` becomes it when there is none yet.

    Race-free: of processes starting at once, one insert wins and the others' do nothing
    (on PostgreSQL they wait for the winner's commit), so every process reads the same key.
    """
    stored = await session.get(SigningKey, purpose)
    if stored is None:  # a read first: a read-only replica that has the key can still check
        table = SigningKey.__table__  # type: ignore[attr-defined]
        values = {"purpose": purpose, "secret": candidate, "created_at": now}
        await session.execute(insert_ignoring_conflicts(session, table, values))
        stored = await session.get(SigningKey, purpose, populate_existing=True)
    assert stored is not None
    return stored.secret
