"""Retention clean-up: what is no longer needed goes, on a schedule and with ``sharebot purge``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.commands import repeats
from bot.delivery.slots import WEEK
from bot.policy import policy_from
from bot.privacy.opt_in_history import forget_old_months
from storage import audit, outbox, proposals
from storage import policy as stored_policy
from storage.database import Database


@dataclass(frozen=True)
class Purged:
    deliveries: int
    audit_entries: int
    requests: int
    proposals: int
    opt_in_months: int = 0


async def purge(database: Database, now: datetime) -> Purged:
    """Drop budget entries older than a week, rows of ended suggestions, old audit entries,
    proposals decided more than ``retention_days`` ago, the marks of requests handled more
    than a day ago, and opted-in bands older than the figures page's year."""
    async with database.transaction() as session:
        policy = policy_from(await stored_policy.load(session))
        retained = now - timedelta(days=policy.retention_days)
        deliveries = await outbox.purge(session, recent_before=now - WEEK)
        entries = await audit.purge(session, retained)
        requests = await repeats.forget_old(session, now)
        decided = await proposals.purge(session, retained)
        months = await forget_old_months(session, now, policy.zone)
    return Purged(
        deliveries=deliveries,
        audit_entries=entries,
        requests=requests,
        proposals=decided,
        opt_in_months=months,
    )
