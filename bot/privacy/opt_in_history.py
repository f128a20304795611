"""The opted-in band month by month, for the figures page's chart: only what the rule shows.

Sharebot keeps no history of who opted in or out. For the chart it keeps, per month, the band
that ``/share stats`` would have shown then (or that it was not shown), recorded every hour and
replaced until the month is over: an aggregate of width k that was public to HR anyway, never
a count. Months older than the page's year go with the daily purge.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.policy import policy_from
from bot.privacy.facts import rule_from
from bot.privacy.figures_page import MONTHS
from bot.privacy.release import Band, month_of, months_ending, opted_in_band
from storage import figures, opt_in
from storage import policy as stored_policy
from storage.database import Database
from storage.opt_in import RecordedBand

KEPT_MONTHS = MONTHS  # this month and the eleven before it: what the figures page shows


async def record_opt_in(database: Database, now: datetime) -> Band | None:
    """Record this month's band as the rule shows it now; the band (None: not shown)."""
    async with database.transaction() as session:
        policy = policy_from(await stored_policy.load(session))
        rule = rule_from(policy)
        opted_in, known = await figures.head_counts(session)
        band = opted_in_band(opted_in, known, rule)
        await opt_in.record(session, month_of(now, policy.zone), RecordedBand(rule.k, band))
    return band


async def forget_old_months(session: AsyncSession, now: datetime, zone: ZoneInfo) -> int:
    """Drop the months the figures page no longer shows; how many went."""
    first = months_ending(month_of(now, zone), KEPT_MONTHS)[0]
    return await opt_in.forget_before(session, first)
