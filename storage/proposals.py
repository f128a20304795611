"""Queries about employees' proposals: open -> accepted or declined, then purged."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.dialect import affected
from storage.models import Proposal
from storage.states import ProposalState


async def add(session: AsyncSession, proposal: Proposal) -> Proposal:
    session.add(proposal)
    await session.flush()
    return proposal


async def get(session: AsyncSession, proposal_id: int) -> Proposal | None:
    return await session.get(Proposal, proposal_id)


async def open_ones(session: AsyncSession, limit: int) -> list[Proposal]:
    """Open proposals, oldest first (the first to have waited is the first to be answered)."""
    result = await session.execute(
        select(Proposal)
        .where(col(Proposal.state) == ProposalState.OPEN)
        .order_by(col(Proposal.id))
        .limit(limit)
    )
    return list(result.scalars())


async def count_open(session: AsyncSession, person_id: int | None = None) -> int:
    """How many proposals are open (of one person, for their own limit)."""
    query = (
        select(sa.func.count())
        .select_from(Proposal)
        .where(col(Proposal.state) == ProposalState.OPEN)
    )
    if person_id is not None:
        query = query.where(col(Proposal.person_id) == person_id)
    return int((await session.execute(query)).scalar_one())


async def decide(
    session: AsyncSession, proposal_id: int, state: ProposalState, now: datetime
) -> bool:
    """An open proposal becomes ``state``; True only for the one caller that decided it."""
    result = await session.execute(
        sa.update(Proposal)
        .where(col(Proposal.id) == proposal_id, col(Proposal.state) == ProposalState.OPEN)
        .values(state=state, decided_at=now)
    )
    return affected(result) > 0


async def of_person(session: AsyncSession, person_id: int) -> list[Proposal]:
    result = await session.execute(
        select(Proposal).where(col(Proposal.person_id) == person_id).order_by(col(Proposal.id))
    )
    return list(result.scalars())


async def forget(session: AsyncSession, person_id: int) -> None:
    await session.execute(sa.delete(Proposal).where(col(Proposal.person_id) == person_id))


async def purge(session: AsyncSession, decided_before: datetime) -> int:
    """Retention: proposals decided before ``decided_before`` go (open ones wait for comms)."""
    result = await session.execute(
        sa.delete(Proposal).where(
            col(Proposal.state) != ProposalState.OPEN, col(Proposal.decided_at) < decided_before
        )
    )
    return affected(result)
