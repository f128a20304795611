"""The audit trail of admin actions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.dialect import affected
from storage.models import AuditEntry
from storage.states import AuditAction


async def record(
    session: AsyncSession, *, at: datetime, actor: str, action: AuditAction, detail: str
) -> None:
    session.add(AuditEntry(at=at, actor=actor, action=action, detail=detail[:2000]))
    await session.flush()


async def recent(session: AsyncSession, limit: int = 30) -> list[AuditEntry]:
    result = await session.execute(
        select(AuditEntry)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
    )
    return list(result.scalars())


async def counts_since(session: AsyncSession, since: datetime) -> dict[AuditAction, int]:
    """How many entries of each kind were made since ``since``: kinds only, never who."""
    result = await session.execute(
        select(AuditEntry.action, sa.func.count())
        .where(col(AuditEntry.at) >= since)
        .group_by(col(AuditEntry.action))
    )
    return {AuditAction(action): int(count) for action, count in result.all()}


async def purge(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(sa.delete(AuditEntry).where(col(AuditEntry.at) < before))
    return affected(result)


async def naming(session: AsyncSession, name: str) -> list[AuditEntry]:
    """Entries that name this admin as actor or as the person whose role changed."""
    result = await session.execute(
        select(AuditEntry)
        .where(
            sa.or_(
                col(AuditEntry.actor) == name,
                sa.and_(
                    col(AuditEntry.action).in_(("role.granted", "role.revoked")),
                    col(AuditEntry.detail).startswith(f"{name} ", autoescape=True),
                ),
            )
        )
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return list(result.scalars())
