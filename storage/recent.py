"""When people last got a message: their attention budget, nothing about what it was."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Person, RecentDelivery, UTCDateTime


async def record_recent(session: AsyncSession, person_ids: Sequence[int], at: datetime) -> None:
    """Remember that these people got a message at ``at`` (their attention budget).

    People who asked to be forgotten while their message was on its way are skipped.
    """
    if person_ids:
        still_here = select(Person.id, sa.literal(at, UTCDateTime())).where(
            col(Person.id).in_(person_ids)
        )
        await session.execute(
            sa.insert(RecentDelivery).from_select(["person_id", "at"], still_here)
        )


async def recent_for(session: AsyncSession, person_id: int) -> list[datetime]:
    result = await session.execute(
        select(RecentDelivery.at)
        .where(col(RecentDelivery.person_id) == person_id)
        .order_by(col(RecentDelivery.at))
    )
    return list(result.scalars())


async def recent_times(
    session: AsyncSession, person_ids: Sequence[int], *, since: datetime
) -> dict[int, list[datetime]]:
    """Per person, when they got messages since ``since`` (for the budget re-check)."""
    times: dict[int, list[datetime]] = defaultdict(list)
    if person_ids:
        result = await session.execute(
            select(RecentDelivery.person_id, RecentDelivery.at).where(
                col(RecentDelivery.person_id).in_(person_ids), col(RecentDelivery.at) >= since
            )
        )
        for person_id, at in result.all():
            times[person_id].append(at)
    return times
