"""Queries about suggestions and their lifecycle: scheduled -> running -> ended."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.dialect import affected, supports_skip_locked
from storage.models import Suggestion
from storage.states import SuggestionState


async def add(session: AsyncSession, suggestion: Suggestion) -> Suggestion:
    session.add(suggestion)
    await session.flush()
    return suggestion


async def get(session: AsyncSession, suggestion_id: int) -> Suggestion | None:
    return await session.get(Suggestion, suggestion_id)


async def by_ids(session: AsyncSession, ids: list[int]) -> list[Suggestion]:
    result = await session.execute(select(Suggestion).where(col(Suggestion.id).in_(ids)))
    return list(result.scalars())


async def due_to_start(session: AsyncSession, now: datetime) -> list[int]:
    result = await session.execute(
        select(Suggestion.id).where(
            Suggestion.state == SuggestionState.SCHEDULED, col(Suggestion.starts_at) <= now
        )
    )
    return [int(i) for i in result.scalars()]


async def claim_start(session: AsyncSession, suggestion_id: int) -> bool:
    """Move a scheduled suggestion to running; True only for the one caller that did it.

    On PostgreSQL a suggestion another process is planning right now is skipped at once
    (``SKIP LOCKED``) instead of waiting for that planning to commit.
    """
    if supports_skip_locked(session):
        free = await session.execute(
            select(Suggestion.id)
            .where(
                col(Suggestion.id) == suggestion_id,
                col(Suggestion.state) == SuggestionState.SCHEDULED,
            )
            .with_for_update(skip_locked=True)
        )
        if free.first() is None:
            return False
    result = await session.execute(
        sa.update(Suggestion)
        .where(
            col(Suggestion.id) == suggestion_id, col(Suggestion.state) == SuggestionState.SCHEDULED
        )
        .values(state=SuggestionState.RUNNING)
    )
    return affected(result) > 0


async def running(session: AsyncSession) -> list[Suggestion]:
    result = await session.execute(
        select(Suggestion)
        .where(Suggestion.state == SuggestionState.RUNNING)
        .order_by(col(Suggestion.id))
    )
    return list(result.scalars())


async def expired(session: AsyncSession, now: datetime) -> list[int]:
    result = await session.execute(
        select(Suggestion.id).where(
            col(Suggestion.state).in_((SuggestionState.SCHEDULED, SuggestionState.RUNNING)),
            col(Suggestion.expires_at) <= now,
        )
    )
    return [int(i) for i in result.scalars()]


async def end(session: AsyncSession, suggestion_id: int, now: datetime) -> bool:
    """Mark a suggestion ended; False when it had ended already."""
    result = await session.execute(
        sa.update(Suggestion)
        .where(col(Suggestion.id) == suggestion_id, col(Suggestion.state) != SuggestionState.ENDED)
        .values(state=SuggestionState.ENDED, ended_at=now)
    )
    return affected(result) > 0


async def listing(
    session: AsyncSession, *, ended_since: datetime, limit: int = 20
) -> list[Suggestion]:
    """Upcoming and running suggestions, and those ended since ``ended_since``, newest first."""
    result = await session.execute(
        select(Suggestion)
        .where(
            sa.or_(
                col(Suggestion.state) != SuggestionState.ENDED,
                col(Suggestion.ended_at) >= ended_since,
            )
        )
        .order_by(col(Suggestion.starts_at).desc(), col(Suggestion.id).desc())
        .limit(limit)
    )
    return list(result.scalars())


async def count_reached(session: AsyncSession, suggestion_id: int, amount: int = 1) -> None:
    await session.execute(
        sa.update(Suggestion)
        .where(col(Suggestion.id) == suggestion_id)
        .values(reached=Suggestion.reached + amount)
    )
