"""Stored suggestions and the policy, as the release rule takes them: facts that name no one."""

from __future__ import annotations

from datetime import timedelta

from bot.policy import Policy
from bot.privacy.release import Rule, SuggestionFacts
from storage.models import Suggestion


def rule_from(policy: Policy) -> Rule:
    """The release rule of the policy in force: k and the delay after the end."""
    return Rule(k=policy.anonymity_threshold, delay=timedelta(hours=policy.report_delay_hours))


def facts_of(suggestion: Suggestion, clicks: dict[str, int]) -> SuggestionFacts:
    """A stored suggestion and its counters."""
    return SuggestionFacts(
        suggestion_id=id_of(suggestion),
        starts_at=suggestion.starts_at,
        ended_at=suggestion.ended_at,
        reached=suggestion.reached,
        clicks=clicks,
    )


def id_of(suggestion: Suggestion) -> int:
    assert suggestion.id is not None
    return suggestion.id
