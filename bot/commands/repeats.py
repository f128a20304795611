"""An inbound request acts once: a copy the platform delivers again changes nothing
(delivery rule 3).

The platform's request id (a Teams activity, a Slack ``trigger_id``) is claimed inside the
transaction that does the request's work, so two copies reaching two processes at the same
moment still act once: the second waits on the database's unique key, then does nothing.
Only a hash of the id and the hour are stored, and forgotten after a day.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import handled

REMEMBERED = timedelta(days=1)  # platforms deliver again within minutes


def fingerprint(platform: str, request_id: str) -> str:
    """What is stored for a request: SHA-256 of platform and id, which says nothing by itself."""
    return hashlib.sha256(f"{platform}:{request_id}".encode()).hexdigest()


async def first_time(session: AsyncSession, platform: str, request_id: str, now: datetime) -> bool:
    """Claim the request; False when it was acted on before (or is being, elsewhere)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return await handled.claim(session, fingerprint(platform, request_id), hour)


async def forget_old(session: AsyncSession, now: datetime) -> int:
    """Retention: requests older than a day are forgotten."""
    return await handled.purge(session, now - REMEMBERED)
