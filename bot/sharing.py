"""The share redirect: a token names a suggestion and a network, never a person."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.context import Context
from bot.networks import COPY, NETWORKS, share_target
from storage import shares, suggestions
from storage.models import Suggestion


@dataclass(frozen=True)
class ShareTarget:
    """Where a share link leads: a network's composer, or (``url`` None) the copy-text page."""

    network: str
    url: str | None
    suggestion: Suggestion


async def follow(
    ctx: Context, token: str, *, rng: random.Random | None = None
) -> ShareTarget | None:
    """Resolve a share token and count the click anonymously (in memory, flushed in batches).

    Networks that take text get one caption variant picked at random, so the link stays the
    same for every recipient. Clicks after a suggestion ended are not counted: its figures
    must not change once they may be released.
    """
    if len(token) > 32:
        return None
    async with ctx.database.transaction() as session:
        link = await shares.by_token(session, token)
        suggestion = await suggestions.get(session, link.suggestion_id) if link else None
    if link is None or suggestion is None:
        return None
    if suggestion.state != "ended":
        ctx.clicks.count(token)
    if link.network == COPY or link.network not in NETWORKS:
        return ShareTarget(COPY, None, suggestion)
    caption = (rng or random.SystemRandom()).choice(suggestion.captions)
    url = share_target(
        link.network, url=suggestion.url, caption=caption, hashtags=suggestion.hashtags
    )
    return ShareTarget(link.network, url, suggestion)
