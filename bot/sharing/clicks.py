"""Anonymous click counters, gathered in memory and written in batches."""

from __future__ import annotations

from collections import Counter

from storage import shares
from storage.database import Database


class ClickCounter:
    """Counts clicks per share token; no time, no person, written by :meth:`flush` only."""

    def __init__(self) -> None:
        self._pending: Counter[str] = Counter()

    def count(self, token: str) -> None:
        self._pending[token] += 1

    async def flush(self, database: Database) -> None:
        """Write the gathered counts; on failure they stay for the next flush."""
        if not self._pending:
            return
        batch, self._pending = self._pending, Counter()
        try:
            async with database.transaction() as session:
                await shares.add_clicks(session, batch)
        except Exception:
            self._pending.update(batch)
            raise
