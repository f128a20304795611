"""The opted-in band by month (table ``opt_in_month``): what the release rule showed, no person."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.dialect import affected, insert_or_replace
from storage.models import OptInMonth


@dataclass(frozen=True)
class RecordedBand:
    """A month's band as it was shown (``None``: not shown), and the k it was cut with."""

    k: int
    band: tuple[int, int] | None


async def record(session: AsyncSession, month: str, recorded: RecordedBand) -> None:
    """Keep the month's band; a later record in the same month replaces it."""
    low, high = recorded.band if recorded.band is not None else (None, None)
    table = OptInMonth.__table__  # type: ignore[attr-defined]
    values = {"month": month, "k": recorded.k, "low": low, "high": high}
    await session.execute(insert_or_replace(session, table, values, key=("month",)))


async def since(session: AsyncSession, first_month: str) -> dict[str, RecordedBand]:
    """Every recorded month from ``first_month`` (``"2026-01"``) on."""
    result = await session.execute(select(OptInMonth).where(col(OptInMonth.month) >= first_month))
    return {
        row.month: RecordedBand(
            row.k, (row.low, row.high) if row.low is not None and row.high is not None else None
        )
        for row in result.scalars()
    }


async def forget_before(session: AsyncSession, first_month: str) -> int:
    """Drop the months before ``first_month``; how many went."""
    result = await session.execute(sa.delete(OptInMonth).where(col(OptInMonth.month) < first_month))
    return affected(result)
