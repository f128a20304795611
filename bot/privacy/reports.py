"""``/share stats``: a suggestion's figures, or HR's programme overview, under privacy rule 4."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_date

from bot.commands.grammar import parse_id
from bot.context import Turn
from bot.errors import UserError
from bot.i18n import Texts
from bot.privacy.release import (
    Band,
    MonthFigures,
    Rule,
    SuggestionFacts,
    SuggestionFigures,
    programme_figures,
    suggestion_figures,
)
from bot.sharing.networks import LABELS
from bot.views import Notice, Reply
from storage import figures, suggestions
from storage.models import Suggestion
from storage.states import Role

OVERVIEW_MONTHS = 12


def rule_of(turn: Turn) -> Rule:
    policy = turn.policy
    return Rule(k=policy.anonymity_threshold, delay=timedelta(hours=policy.report_delay_hours))


async def stats(turn: Turn, text: str) -> Reply:
    """``stats <id>`` for comms and HR; ``stats`` alone is HR's programme overview."""
    if not text:
        if Role.HR in turn.roles:
            return await overview(turn)
        raise UserError("error.id_missing")
    suggestion_id = parse_id(text)
    suggestion = await suggestions.get(turn.session, suggestion_id)
    if suggestion is None:
        raise UserError("error.no_suggestion", id=suggestion_id)
    clicks = await figures.clicks_of(turn.session, [suggestion_id])
    facts = _facts(suggestion, clicks[suggestion_id])
    rule = rule_of(turn)
    return Reply.of(suggestion_notice(turn.t, suggestion_figures(facts, rule, turn.now), rule))


def suggestion_notice(t: Texts, shown: SuggestionFigures, rule: Rule) -> Notice:
    """One suggestion's figures as a short summary: the same text every time it is asked."""
    title = t("stats.title", id=shown.suggestion_id)
    if shown.status == "running":
        hours = int(rule.delay.total_seconds() // 3600)
        lines: tuple[str, ...] = (t("stats.not_yet", when=t("stats.after_end", hours=hours)),)
    elif shown.status == "waiting":
        assert shown.release_at is not None
        lines = (t("stats.not_yet", when=t.when(shown.release_at)),)
    elif shown.status == "too_few":
        lines = (t("stats.audience_small", min=2 * rule.k),)
    else:
        assert shown.reached is not None
        lines = (
            t("stats.reached", n=_band(shown.reached)),
            *(f"• {_label(t, network)}: {_count(t, count)}" for network, count in shown.counts),
            t("stats.rule", k=rule.k),
            t("stats.bands", k=rule.k),
        )
    return Notice(title=title, lines=lines)


async def overview(turn: Turn) -> Reply:
    """HR's programme overview: people opted in (as a band), and per month of the past year
    the suggestions started and the sums of the figures already shown for them."""
    since = turn.now - timedelta(days=31 * OVERVIEW_MONTHS)
    started = await figures.started_since(turn.session, since)
    clicks = await figures.clicks_of(turn.session, [_id(s) for s in started])
    opted_in, known = await figures.head_counts(turn.session)
    programme = programme_figures(
        [_facts(s, clicks[_id(s)]) for s in started],
        opted_in=opted_in,
        known=known,
        rule=rule_of(turn),
        now=turn.now,
        zone=turn.policy.zone,
    )
    t = turn.t
    people = (
        t("overview.opted_in", n=_band(programme.opted_in))
        if programme.opted_in is not None
        else t("overview.opted_in_hidden")
    )
    months = [_month_line(t, month) for month in programme.months[:OVERVIEW_MONTHS]]
    lines = (people, *(months or [t("overview.no_months")]), t("overview.rule"))
    return Reply.of(Notice(title=t("overview.title"), lines=lines))


def _month_line(t: Texts, month: MonthFigures) -> str:
    year, number = (int(part) for part in month.month.split("-"))
    name = format_date(datetime(year, number, 1), "LLLL y", locale=t.language)
    head = t("overview.month", month=name, started=month.started, released=month.released)
    parts = [
        t("overview.clicks", network=_label(t, network), n=shown)
        + (t("overview.hidden", n=hidden) if hidden else "")
        for network, shown, hidden in month.clicks
    ]
    return " · ".join([head, *parts])


def _facts(suggestion: Suggestion, clicks: dict[str, int]) -> SuggestionFacts:
    return SuggestionFacts(
        suggestion_id=_id(suggestion),
        starts_at=suggestion.starts_at,
        ended_at=suggestion.ended_at,
        reached=suggestion.reached,
        clicks=clicks,
    )


def _id(suggestion: Suggestion) -> int:
    assert suggestion.id is not None
    return suggestion.id


def _band(band: Band) -> str:
    return f"{band[0]}–{band[1]}"


def _label(t: Texts, network: str) -> str:
    return LABELS.get(network) or t("stats.copy")


def _count(t: Texts, count: int | None) -> str:
    return str(count) if count is not None else t("stats.hidden")
