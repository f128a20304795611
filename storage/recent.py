"""When people last got a message: their attention budget, nothing about what it was."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Person, RecentDelivery, UTCDateTime
from storage.shapes import shaped


async def record_recent(session: AsyncSession, person_ids: Sequence[int], at: datetime) -> None:
    """Remember that these people got a message at ``at`` (their attention budget): one
    ``INSERT … SELECT`` per wave (:mod:`storage.shapes`).

    People who asked to be forgotten while their message was on its way are skipped.
    """
    for chunk in shaped(person_ids):
        params: dict[str, object] = {f"person_{k}": id_ for k, id_ in enumerate(chunk)}
        params["at"] = at
        await session.execute(_record_statement(len(chunk)), params)


@functools.cache
def _record_statement(size: int) -> sa.Insert:
    """``INSERT INTO recent_delivery (person_id, at) SELECT id, :at FROM person WHERE id IN
    (…)`` for ``size`` people, built once per size (:mod:`storage.shapes`)."""
    ids = [sa.bindparam(f"person_{k}", type_=sa.Integer()) for k in range(size)]
    still_here = select(Person.id, sa.bindparam("at", type_=UTCDateTime())).where(
        col(Person.id).in_(ids)
    )
    table = RecentDelivery.__table__  # type: ignore[attr-defined]  # Core: the ORM would
    # take the parameters for rows of a bulk insert
    return sa.insert(table).from_select(["person_id", "at"], still_here)


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
    for chunk in shaped(person_ids):
        params: dict[str, object] = {f"person_{k}": id_ for k, id_ in enumerate(chunk)}
        params["since"] = since
        for person_id, at in await session.execute(_times_statement(len(chunk)), params):
            times[person_id].append(at)
    return times


@functools.cache
def _times_statement(size: int) -> sa.Select[Any]:
    """The recent times of ``size`` people since ``:since``, built once per size."""
    ids = [sa.bindparam(f"person_{k}", type_=sa.Integer()) for k in range(size)]
    since = sa.bindparam("since", type_=UTCDateTime())
    table = RecentDelivery.__table__  # type: ignore[attr-defined]
    return sa.select(table.c.person_id, table.c.at).where(
        table.c.person_id.in_(ids), table.c.at >= since
    )
