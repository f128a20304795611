"""A suggestion's photos: stored once when it is created, served from here afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SuggestionImage


async def add_images(
    session: AsyncSession, suggestion_id: int, photos: Sequence[tuple[str, bytes]]
) -> list[str]:
    """Store ``(content type, bytes)`` pairs in order; one random token each, for their URLs."""
    tokens = [secrets.token_urlsafe(12) for _ in photos]
    session.add_all(
        SuggestionImage(token=token, suggestion_id=suggestion_id, content_type=kind, data=data)
        for token, (kind, data) in zip(tokens, photos, strict=True)
    )
    await session.flush()
    return tokens


async def by_token(session: AsyncSession, token: str) -> SuggestionImage | None:
    return await session.get(SuggestionImage, token)
