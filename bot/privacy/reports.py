"""``/share stats``: a suggestion's figures, or HR's programme overview, under privacy rule 4."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from babel.dates import format_date

from bot.commands.grammar import parse_id
from bot.context import Context, Turn
from bot.errors import UserError
from bot.i18n import Texts
from bot.privacy.dashboard import dashboard_button
from bot.privacy.facts import facts_of, id_of, rule_from
from bot.privacy.release import (
    Band,
    MonthFigures,
    ProgrammeFigures,
    Rule,
    SuggestionFigures,
    months_between,
    programme_figures,
    rank,
    suggestion_figures,
)
from bot.sharing.networks import LABELS
from bot.views import Button, Notice, Reply
from storage import figures, suggestions
from storage.states import Role

OVERVIEW_MONTHS = 12
BAR_WIDTH = 10  # block characters in a figure's bar in chat
_FULL, _EMPTY = "▇", "▁"
_SPARKS = "▁▂▃▄▅▆▇█"
_NO_FIGURES = "·"


def rule_of(turn: Turn) -> Rule:
    return rule_from(turn.policy)


async def stats(ctx: Context, turn: Turn, text: str) -> Reply:
    """``stats <id>`` for comms and HR; ``stats`` alone is HR's programme overview. Both carry
    a button to the figures page (:mod:`bot.privacy.dashboard`)."""
    if not text:
        if Role.HR in turn.roles:
            return await overview(turn, dashboard_button(ctx, turn))
        raise UserError("error.id_missing")
    suggestion_id = parse_id(text)
    suggestion = await suggestions.get(turn.session, suggestion_id)
    if suggestion is None:
        raise UserError("error.no_suggestion", id=suggestion_id)
    clicks = await figures.clicks_of(turn.session, [suggestion_id])
    facts = facts_of(suggestion, clicks[suggestion_id])
    rule = rule_of(turn)
    notice = suggestion_notice(turn.t, suggestion_figures(facts, rule, turn.now), rule)
    return Reply.of(replace(notice, buttons=(dashboard_button(ctx, turn),)))


def suggestion_notice(t: Texts, shown: SuggestionFigures, rule: Rule) -> Notice:
    """One suggestion's figures as a short summary: the same text every time it is asked.

    Each shown count gets a bar against the people reached (the bottom of its band), so the
    answer reads at a glance; a hidden count gets none."""
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
            *(
                f"• {_label(t, network)}: {_count(t, count)}"
                + (f"  {bar(count, shown.reached[0])}" if count is not None else "")
                for network, count in shown.counts
            ),
            t("stats.rule", k=rule.k),
            t("stats.bands", k=rule.k),
        )
    return Notice(title=title, lines=lines)


async def overview(turn: Turn, button: Button) -> Reply:
    """HR's programme overview: people opted in (as a band), and per month of the past year
    the suggestions started and the sums of the figures already shown for them; then a line
    per network that shows those sums month by month."""
    since = turn.now - timedelta(days=31 * OVERVIEW_MONTHS)
    started = await figures.started_since(turn.session, since)
    clicks = await figures.clicks_of(turn.session, [id_of(s) for s in started])
    opted_in, known = await figures.head_counts(turn.session)
    programme = programme_figures(
        [facts_of(s, clicks[id_of(s)]) for s in started],
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
    lines = (
        people,
        *(months or [t("overview.no_months")]),
        *_trend(t, programme),
        t("overview.rule"),
    )
    return Reply.of(Notice(title=t("overview.title"), lines=lines, buttons=(button,)))


def bar(value: int, full: int, width: int = BAR_WIDTH) -> str:
    """``value`` of ``full`` as a bar of block characters: ``bar(3, 10, 5)`` is ``▇▇▁▁▁``.
    Any value above zero shows at least one block."""
    filled = 0 if full <= 0 else min(width, round(value / full * width))
    filled = max(filled, 1) if value > 0 else filled
    return _FULL * filled + _EMPTY * (width - filled)


def spark(value: int, top: int) -> str:
    """``value`` as one character, from ``▁`` (nothing) to ``█`` (``top``); anything above
    zero is at least ``▂``."""
    steps = len(_SPARKS) - 1
    return _SPARKS[0 if top <= 0 or value <= 0 else max(1, round(value / top * steps))]


def _trend(t: Texts, programme: ProgrammeFigures) -> list[str]:
    """Per network, its month sums from the oldest month to the newest: how the programme
    develops, at a glance. Only sums of shown figures go in, the same as in the month lines;
    a month without released figures is a dot."""
    months = {m.month: m for m in programme.months[:OVERVIEW_MONTHS]}
    if not any(m.released for m in months.values()):
        return []
    keys = months_between(min(months), max(months))
    networks = sorted({n for m in months.values() for n, _, _ in m.clicks}, key=rank)
    sums = {m.month: {n: shown for n, shown, _ in m.clicks} for m in months.values()}
    top = max((v for by_network in sums.values() for v in by_network.values()), default=0)
    head = t("overview.trend", first=_month_name(t, keys[0]), last=_month_name(t, keys[-1]))
    lines = [head]
    for network in networks:
        marks = "".join(
            spark(sums[key].get(network, 0), top)
            if key in months and months[key].released
            else _NO_FIGURES
            for key in keys
        )
        lines.append(f"• {_label(t, network)} {marks}")
    return lines


def _month_line(t: Texts, month: MonthFigures) -> str:
    name = _month_name(t, month.month)
    head = t("overview.month", month=name, started=month.started, released=month.released)
    parts = [
        t("overview.clicks", network=_label(t, network), n=shown)
        + (t("overview.hidden", n=hidden) if hidden else "")
        for network, shown, hidden in month.clicks
    ]
    return " · ".join([head, *parts])


def _month_name(t: Texts, key: str) -> str:
    year, number = (int(part) for part in key.split("-"))
    return format_date(datetime(year, number, 1), "LLLL y", locale=t.language)


def _band(band: Band) -> str:
    return f"{band[0]}–{band[1]}"


def _label(t: Texts, network: str) -> str:
    return LABELS.get(network) or t("stats.copy")


def _count(t: Texts, count: int | None) -> str:
    return str(count) if count is not None else t("stats.hidden")
