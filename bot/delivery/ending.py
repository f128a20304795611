"""Ending: every card sent for an ended suggestion is shown as ended, then its rows go."""

from __future__ import annotations

import asyncio
import time

from bot.context import Context
from bot.delivery.planning import Planning
from bot.delivery.sender import Sender
from bot.delivery.wave import Wave
from bot.policy import Policy
from storage import outbox

CHUNK = 500


async def finish_ended(ctx: Context, sender: Sender, policy: Policy, until: float) -> bool:
    """Update the cards of ended suggestions; False when time ran out before all were done.

    Cards are taken a chunk at a time (their rows deleted as they are taken), so a large
    audience never sits in memory and two processes never update the same card. What is
    left when time is up waits for the next tick.
    """
    async with ctx.database.transaction() as session:
        ended = await outbox.ended_with_rows(session)
    planning = Planning(policy)
    for suggestion_id in ended:
        while True:
            if time.monotonic() > until:
                return False
            async with ctx.database.transaction() as session:
                rows = await outbox.take_sent(session, suggestion_id, CHUNK)
                wave = Wave(ctx, session, planning)
                await wave.load(rows, None)
                updates = [await wave.ended_view(row) for row in rows]
            await asyncio.gather(*(sender.update(*u) for u in updates if u is not None))
            if len(rows) < CHUNK:
                break
        async with ctx.database.transaction() as session:
            await outbox.delete_for_suggestion(session, suggestion_id)
    return True
