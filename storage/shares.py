"""Share links and their anonymous click counters: a suggestion and a network, never a person."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import ShareLink


async def create_links(
    session: AsyncSession, suggestion_id: int, networks: Iterable[str]
) -> dict[str, str]:
    """One random token per network, the same for every recipient of the suggestion."""
    tokens = {network: secrets.token_urlsafe(12) for network in networks}
    session.add_all(
        ShareLink(token=token, suggestion_id=suggestion_id, network=network)
        for network, token in tokens.items()
    )
    await session.flush()
    return tokens


async def links_for(session: AsyncSession, suggestion_id: int) -> dict[str, str]:
    result = await session.execute(
        select(ShareLink.network, ShareLink.token).where(ShareLink.suggestion_id == suggestion_id)
    )
    return {network: token for network, token in result.all()}


async def by_token(session: AsyncSession, token: str) -> ShareLink | None:
    return await session.get(ShareLink, token)


async def add_clicks(session: AsyncSession, counts: Mapping[str, int]) -> None:
    """Add a batch of clicks, one statement per link."""
    for token, amount in sorted(counts.items()):
        await session.execute(
            sa.update(ShareLink)
            .where(col(ShareLink.token) == token)
            .values(clicks=ShareLink.clicks + amount)
        )
