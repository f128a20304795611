"""Whether the database takes a write, and if not, the kind of trouble (never its text)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import affected, insert_ignoring_conflicts
from storage.models import Heartbeat

# SQLSTATE codes (PostgreSQL) and message parts (SQLite) of the troubles worth telling apart
_READ_ONLY = ({"25006"}, ("readonly database",))
_FULL = ({"53100"}, ("disk is full",))
_CLOSED = ({"57P01", "57P02", "57P03", "08001", "08006"}, ("unable to open database",))


class DatabaseHealth(StrEnum):
    OK = "ok"
    READ_ONLY = "read-only"
    FULL = "full"
    NO_ANSWER = "no answer"
    UNREACHABLE = "unreachable"
    FAILING = "failing"


async def beat(session: AsyncSession, now: datetime) -> None:
    """Write the heartbeat row: the smallest write that tells whether writes still work."""
    table = Heartbeat.__table__  # type: ignore[attr-defined]
    updated = await session.execute(sa.update(table).where(table.c.id == 1).values(beat_at=now))
    if not affected(updated):
        await session.execute(insert_ignoring_conflicts(session, table, {"id": 1, "beat_at": now}))


def trouble(error: BaseException) -> DatabaseHealth:
    """The kind of a failed write; the driver's text is not passed on (it can name hosts)."""
    if isinstance(error, TimeoutError):
        return DatabaseHealth.NO_ANSWER
    if isinstance(error, OSError):
        return DatabaseHealth.UNREACHABLE
    original = getattr(error, "orig", None) or error
    code, said = getattr(original, "sqlstate", None), str(original).lower()
    for kind, (codes, signs) in (
        (DatabaseHealth.READ_ONLY, _READ_ONLY),
        (DatabaseHealth.FULL, _FULL),
        (DatabaseHealth.UNREACHABLE, _CLOSED),
    ):
        if code in codes or any(sign in said for sign in signs):
            return kind
    if isinstance(original, OSError):
        return DatabaseHealth.UNREACHABLE
    return DatabaseHealth.FAILING
