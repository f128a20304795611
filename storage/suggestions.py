"""Queries about suggestions and their lifecycle: (waiting ->) scheduled -> running -> ended."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.dialect import affected, supports_skip_locked
from storage.models import ApprovalRequest, Suggestion
from storage.states import SuggestionState

# Finished: nothing more happens to it (a rejected suggestion never started).
FINISHED = (SuggestionState.ENDED, SuggestionState.REJECTED)


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
    """Suggestions past their end that have not finished (one still waiting for approval too)."""
    result = await session.execute(
        select(Suggestion.id).where(
            col(Suggestion.state).not_in(FINISHED),
            col(Suggestion.expires_at) <= now,
        )
    )
    return [int(i) for i in result.scalars()]


async def end(session: AsyncSession, suggestion_id: int, now: datetime) -> bool:
    """Mark a suggestion ended (one waiting for approval is withdrawn); False when it had
    finished already."""
    result = await session.execute(
        sa.update(Suggestion)
        .where(col(Suggestion.id) == suggestion_id, col(Suggestion.state).not_in(FINISHED))
        .values(state=SuggestionState.ENDED, ended_at=now)
    )
    await _forget_author(session, suggestion_id)
    return affected(result) > 0


async def approve(session: AsyncSession, suggestion_id: int, starts_at: datetime) -> bool:
    """A waiting suggestion is scheduled to start at ``starts_at``; True only for the one
    caller that approved it (two approvers at once: the second finds it decided)."""
    return await _decide(
        session, suggestion_id, state=SuggestionState.SCHEDULED, starts_at=starts_at
    )


async def reject(session: AsyncSession, suggestion_id: int, now: datetime) -> bool:
    """A waiting suggestion is rejected: it never starts; True only for the one who did it."""
    return await _decide(session, suggestion_id, state=SuggestionState.REJECTED, ended_at=now)


async def _decide(session: AsyncSession, suggestion_id: int, **values: object) -> bool:
    result = await session.execute(
        sa.update(Suggestion)
        .where(
            col(Suggestion.id) == suggestion_id, col(Suggestion.state) == SuggestionState.WAITING
        )
        .values(**values)
    )
    await _forget_author(session, suggestion_id)
    return affected(result) > 0


async def ask_approval(session: AsyncSession, suggestion_id: int, author_id: int) -> None:
    """Remember who wrote a waiting suggestion, until it is decided or ends."""
    session.add(ApprovalRequest(suggestion_id=suggestion_id, author_id=author_id))
    await session.flush()


async def author_of(session: AsyncSession, suggestion_id: int) -> int | None:
    """Who wrote a suggestion that waits for approval (None once it was decided)."""
    result = await session.execute(
        select(ApprovalRequest.author_id).where(col(ApprovalRequest.suggestion_id) == suggestion_id)
    )
    return result.scalar_one_or_none()


async def waiting_by(session: AsyncSession, author_id: int) -> list[int]:
    """The suggestions this person wrote that still wait for approval."""
    result = await session.execute(
        select(ApprovalRequest.suggestion_id).where(col(ApprovalRequest.author_id) == author_id)
    )
    return [int(i) for i in result.scalars()]


async def _forget_author(session: AsyncSession, suggestion_id: int) -> None:
    await session.execute(
        sa.delete(ApprovalRequest).where(col(ApprovalRequest.suggestion_id) == suggestion_id)
    )


async def listing(
    session: AsyncSession, *, ended_since: datetime, limit: int = 20
) -> list[Suggestion]:
    """Waiting, upcoming and running suggestions, and those finished since ``ended_since``,
    newest first."""
    result = await session.execute(
        select(Suggestion)
        .where(
            sa.or_(
                col(Suggestion.state).not_in(FINISHED),
                col(Suggestion.ended_at) >= ended_since,
            )
        )
        .order_by(col(Suggestion.starts_at).desc(), col(Suggestion.id).desc())
        .limit(limit)
    )
    return list(result.scalars())


async def count_reached(session: AsyncSession, suggestion_id: int, amount: int = 1) -> None:
    """Count ``amount`` more people reached (once per suggestion a wave: built once)."""
    await session.execute(_COUNT_REACHED, {"suggestion": suggestion_id, "amount": amount})


_SUGGESTIONS: sa.Table = Suggestion.__table__  # type: ignore[attr-defined]
_COUNT_REACHED = (
    sa.update(_SUGGESTIONS)
    .where(_SUGGESTIONS.c.id == sa.bindparam("suggestion", type_=sa.Integer()))
    .values(reached=_SUGGESTIONS.c.reached + sa.bindparam("amount", type_=sa.Integer()))
)
