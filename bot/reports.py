"""Aggregate figures under the anonymity rules of DESIGN section 6, rule 4."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import Turn
from bot.errors import UserError
from bot.grammar import parse_id
from bot.networks import COPY, LABELS, NETWORKS
from bot.views import Notice, Reply
from storage import shares, suggestions

_ORDER = (*NETWORKS, COPY)


@dataclass(frozen=True)
class Release:
    """Whether figures about an audience of ``reached`` people may be shown, and which."""

    k: int
    reached: int

    @property
    def audience_ok(self) -> bool:
        return self.reached >= 2 * self.k

    def shows(self, count: int) -> bool:
        """A count is shown only when at least k people are on each side of it."""
        return self.audience_ok and self.k <= count <= self.reached - self.k


def released_at(ended_at: datetime | None, delay_hours: int) -> datetime | None:
    return None if ended_at is None else ended_at + timedelta(hours=delay_hours)


async def stats(turn: Turn, text: str) -> Reply:
    if not text:
        raise UserError("error.id_missing")
    suggestion_id = parse_id(text)
    suggestion = await suggestions.get(turn.session, suggestion_id)
    if suggestion is None:
        raise UserError("error.no_suggestion", id=suggestion_id)
    t, policy = turn.t, turn.policy
    title = t("stats.title", id=suggestion_id)
    release = released_at(suggestion.ended_at, policy.report_delay_hours)
    if release is None or turn.now < release:
        when = (
            t("stats.after_end", hours=policy.report_delay_hours)
            if release is None
            else t.when(release)
        )
        return Reply.of(Notice(title=title, lines=(t("stats.not_yet", when=when),)))
    rule = Release(k=policy.anonymity_threshold, reached=suggestion.reached)
    if not rule.audience_ok:
        return Reply.of(Notice(title=title, lines=(t("stats.audience_small", min=2 * rule.k),)))
    clicks = await shares.clicks_for(turn.session, suggestion_id)
    lines = [t("stats.reached", n=suggestion.reached)]
    # A fixed order: sorting by count would reveal the order of the hidden figures.
    for network, count in sorted(clicks.items(), key=lambda item: _ORDER.index(item[0])):
        label = LABELS.get(network, t("stats.copy"))
        figure = str(count) if rule.shows(count) else t("stats.too_small")
        lines.append(f"• {label}: {figure}")
    lines.append(t("stats.rule", k=rule.k))
    return Reply.of(Notice(title=title, lines=tuple(lines)))
