"""Requests acted on once: a fingerprint claimed inside the request's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.dialect import affected, insert_ignoring_conflicts
from storage.models import HandledRequest

# Core, not the ORM (its bulk-insert path for one row), and built once per database: every
# interaction and command with a request id claims one (measured in bench/interactions.py).
_TABLE: sa.Table = HandledRequest.__table__  # type: ignore[attr-defined]
_CLAIMS: dict[str, Any] = {}  # the claim's statement by dialect name


def _claiming(session: AsyncSession) -> Any:
    assert session.bind is not None
    dialect = session.bind.dialect.name
    if dialect not in _CLAIMS:
        values = {
            "fingerprint": sa.bindparam("fingerprint", type_=_TABLE.c.fingerprint.type),
            "seen_hour": sa.bindparam("hour", type_=_TABLE.c.seen_hour.type),
        }
        claiming = insert_ignoring_conflicts(session, _TABLE, values)
        _CLAIMS[dialect] = claiming.returning(_TABLE.c.fingerprint)
    return _CLAIMS[dialect]


async def claim(session: AsyncSession, fingerprint: str, hour: datetime) -> bool:
    """True for the first claim of ``fingerprint``; False when it was claimed before.

    On PostgreSQL a second transaction claiming the same fingerprint waits on the unique key
    until the first one ends: after its commit it gets False, after its rollback True.
    """
    claimed = await session.execute(_claiming(session), {"fingerprint": fingerprint, "hour": hour})
    return claimed.first() is not None


async def purge(session: AsyncSession, before: datetime) -> int:
    """Forget requests seen before ``before``: platforms deliver again within minutes."""
    result = await session.execute(
        sa.delete(HandledRequest).where(col(HandledRequest.seen_hour) < before)
    )
    return affected(result)
