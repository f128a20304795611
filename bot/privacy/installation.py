"""What a works council needs to know about this installation, read from the installation
itself: its schema, policy, bounds, role holders and audit trail (``sharebot works-council``).

Nothing here names a person except the holders of the comms and HR roles, whom HR sees anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.limits import PolicyLimits
from bot.policy import KEYS, Policy, policy_from
from bot.privacy.release import (
    Band,
    Rule,
    SuggestionFacts,
    SuggestionFigures,
    opted_in_band,
    suggestion_figures,
)
from bot.sharing.networks import COPY
from storage import audit, figures, people
from storage import policy as stored_policy
from storage.database import Database
from storage.schema import LiveTable, live_tables
from storage.states import AuditAction, Role

AUDIT_DAYS = 90


@dataclass(frozen=True)
class RoleHolder:
    role: Role
    name: str  # as Sharebot knows them: the platform's display name, else their user id
    platform: str
    configured: bool = False  # HR from SHAREBOT_ADMINS, not from a grant in chat


@dataclass(frozen=True)
class Example:
    """The release rule at work on one made-up suggestion, with this installation's k."""

    facts: SuggestionFacts
    figures: SuggestionFigures


@dataclass(frozen=True)
class Installation:
    at: datetime
    tables: tuple[LiveTable, ...]
    policy: Policy
    stored: frozenset[str]  # the policy keys HR has set (the others have their default)
    limits: PolicyLimits
    outside: dict[str, tuple[str, str]]  # stored values that break the bounds: now, at start
    roles: tuple[RoleHolder, ...]
    audit_since: datetime
    audit_counts: tuple[tuple[AuditAction, int], ...]  # every kind, in a fixed order
    opted_in: Band | None  # what HR's overview shows today
    example: Example

    @property
    def rule(self) -> Rule:
        return rule_of(self.policy)


def rule_of(policy: Policy) -> Rule:
    return Rule(k=policy.anonymity_threshold, delay=timedelta(hours=policy.report_delay_hours))


async def describe(
    database: Database,
    *,
    limits: PolicyLimits,
    admins: Iterable[tuple[str, str]],
    now: datetime,
) -> Installation:
    """Read everything the works-council document shows, in one transaction."""
    tables = await live_tables(database)
    since = now - timedelta(days=AUDIT_DAYS)
    async with database.transaction() as session:
        stored = await stored_policy.load(session)
        policy = policy_from(stored)
        granted = await people.role_holders(session)
        configured = [
            (platform, key, await people.find(session, platform, key))
            for platform, key in sorted(admins)
        ]
        counts = await audit.counts_since(session, since)
        opted_in, known = await figures.head_counts(session)
    roles = [
        RoleHolder(Role(role), person.display_name or person.user_key, person.platform)
        for person, role in granted
    ]
    roles += [
        RoleHolder(Role.HR, (person.display_name if person else None) or key, platform, True)
        for platform, key, person in configured
    ]
    return Installation(
        at=now,
        tables=tables,
        policy=policy,
        stored=frozenset(key for key in stored if key in KEYS),
        limits=limits,
        outside=limits.clamped(policy),
        roles=tuple(sorted(roles, key=lambda r: (r.role != Role.HR, r.name.lower()))),
        audit_since=since,
        audit_counts=tuple((action, counts.get(action, 0)) for action in AuditAction),
        opted_in=opted_in_band(opted_in, known, rule_of(policy)),
        example=worked_example(rule_of(policy), now),
    )


def worked_example(rule: Rule, now: datetime) -> Example:
    """A suggestion that reached 9k + 2 people, released: one count shown, one below k, one
    too close to everyone reached (with k = 5: 47 people; LinkedIn 12, XING 2, X 7, copied 44)."""
    k = rule.k
    reached = 9 * k + 2
    facts = SuggestionFacts(
        suggestion_id=1,
        starts_at=now - rule.delay - timedelta(days=8),
        ended_at=now - rule.delay - timedelta(hours=1),
        reached=reached,
        clicks={"linkedin": 2 * k + 2, "xing": max(k - 3, 1), "x": k + 2, COPY: reached - 3},
    )
    return Example(facts, suggestion_figures(facts, rule, now))
