"""Requests acted on once: a fingerprint claimed inside the request's own transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.dialect import affected, insert_ignoring_conflicts
from storage.models import HandledRequest


async def claim(session: AsyncSession, fingerprint: str, hour: datetime) -> bool:
    """True for the first claim of ``fingerprint``; False when it was claimed before.

    On PostgreSQL a second transaction claiming the same fingerprint waits on the unique key
    until the first one ends: after its commit it gets False, after its rollback True.
    """
    claimed = await session.execute(
        insert_ignoring_conflicts(
            session, HandledRequest, {"fingerprint": fingerprint, "seen_hour": hour}
        ).returning(col(HandledRequest.fingerprint))
    )
    return claimed.first() is not None


async def purge(session: AsyncSession, before: datetime) -> int:
    """Forget requests seen before ``before``: platforms deliver again within minutes."""
    result = await session.execute(
        sa.delete(HandledRequest).where(col(HandledRequest.seen_hour) < before)
    )
    return affected(result)
