"""Queries behind the anonymous figures: suggestions, their counters, head counts. No person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Person, ShareLink, Suggestion
from storage.states import Participation, SuggestionState


async def started_since(session: AsyncSession, since: datetime) -> list[Suggestion]:
    """Suggestions that have started (running or ended) since ``since``, oldest first; one
    waiting for approval or rejected never started."""
    result = await session.execute(
        select(Suggestion)
        .where(
            col(Suggestion.state).in_((SuggestionState.RUNNING, SuggestionState.ENDED)),
            col(Suggestion.starts_at) >= since,
        )
        .order_by(col(Suggestion.starts_at), col(Suggestion.id))
    )
    return list(result.scalars())


async def clicks_of(
    session: AsyncSession, suggestion_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """Per suggestion, its anonymous click counter per network."""
    found: dict[int, dict[str, int]] = {sid: {} for sid in suggestion_ids}
    if not suggestion_ids:
        return found
    result = await session.execute(
        select(ShareLink.suggestion_id, ShareLink.network, ShareLink.clicks).where(
            col(ShareLink.suggestion_id).in_(suggestion_ids)
        )
    )
    for suggestion_id, network, clicks in result.all():
        found[int(suggestion_id)][str(network)] = int(clicks)
    return found


async def head_counts(session: AsyncSession) -> tuple[int, int]:
    """How many people are opted in, and how many people Sharebot knows at all."""
    result = await session.execute(
        select(
            sa.func.count().filter(col(Person.participation) == Participation.ON),
            sa.func.count(),
        ).select_from(Person)
    )
    opted_in, known = result.one()
    return int(opted_in), int(known)
