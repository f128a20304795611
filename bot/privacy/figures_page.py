"""The figures page as a view model: only what the release rule releases, every text final.

Built by a pure function from facts that name no person (:class:`SuggestionFacts`, head
counts, the recorded opt-in months), through the release rule of :mod:`bot.privacy.release`
and nothing else, so the page can show no figure that ``/share stats`` hides. The same facts
give the same page: it depends on the role a pass names, the language and the moment, never on
who opened it. Adapters draw it (HTML with charts, CSV) and add nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from babel.dates import format_date

from bot.i18n import Texts
from bot.privacy.release import (
    ORDER,
    Band,
    Rule,
    Status,
    SuggestionFacts,
    SuggestionFigures,
    month_of,
    months_ending,
    opted_in_band,
    programme_figures,
    recorded_band,
    suggestion_figures,
)
from bot.sharing.cards import short_url
from bot.sharing.networks import LABELS
from storage.opt_in import RecordedBand
from storage.states import Role

MONTHS = 12  # the page covers this month and the eleven before it
OptInState = Literal["shown", "hidden", "unrecorded"]


@dataclass(frozen=True)
class Count:
    """One network's figure: ``value`` is None when the rule does not show it."""

    network: str
    label: str
    value: int | None


@dataclass(frozen=True)
class SuggestionLine:
    suggestion_id: int
    name: str  # "#12"
    link: str  # the suggestion's link, shortened
    month: str  # "2026-12", the month it started in (policy time zone)
    started: str  # the day it started, in words
    started_on: str  # the same day as ISO date: "2026-12-02"
    status: Status
    note: str  # why there are no figures (yet), or ""
    release_at: datetime | None
    reached: Band | None
    counts: tuple[Count, ...]


@dataclass(frozen=True)
class MonthCount:
    """A month's sum of the figures shown for one network, and how many were not shown."""

    network: str
    label: str
    shown: int
    hidden: int


@dataclass(frozen=True)
class MonthLine:
    month: str  # "2026-12"
    label: str  # "Dec 2026"
    short: str  # "Dec", for a chart's axis
    started: int
    released: int
    counts: tuple[MonthCount, ...]


@dataclass(frozen=True)
class OptInLine:
    month: str
    label: str
    short: str
    state: OptInState
    band: Band | None  # only when shown
    live: bool  # this month: the band now, not a recorded one


@dataclass(frozen=True)
class FiguresPage:
    """Everything the page and its CSV show, in one language, for one role."""

    language: str
    role: Role
    generated_at: datetime
    networks: tuple[tuple[str, str], ...]  # (network, label) of the columns, in a fixed order
    released: tuple[SuggestionLine, ...]  # newest first
    others: tuple[SuggestionLine, ...]  # running, waiting, too few people: newest first
    months: tuple[MonthLine, ...]  # oldest first, every month of the page's year
    opted_in: tuple[OptInLine, ...] | None  # HR only; None on the comms page
    texts: Mapping[str, str]


@dataclass(frozen=True)
class PageFacts:
    """What storage knows, gathered for one page: no person in it."""

    started: Sequence[SuggestionFacts]
    links: Mapping[int, str]
    opted_in: int
    known: int
    recorded: Mapping[str, RecordedBand]


def month_keys(now: datetime, t: Texts) -> list[str]:
    """This month and the eleven before it, oldest first (in ``t``'s zone, the policy's)."""
    return months_ending(month_of(now, t.zone), MONTHS)


def build_page(
    facts: PageFacts,
    *,
    role: Role,
    rule: Rule,
    now: datetime,
    t: Texts,
    valid_until: datetime,
) -> FiguresPage:
    """The page for ``role``: per suggestion and per month exactly what the chat answers show.

    ``t`` is bound to the page's language and the policy's time zone (months and times are
    the organisation's, the same for everyone).
    """
    keys = month_keys(now, t)
    started = [f for f in facts.started if month_of(f.starts_at, t.zone) >= keys[0]]
    shown = {f.suggestion_id: suggestion_figures(f, rule, now) for f in started}
    lines = [
        _suggestion_line(f, shown[f.suggestion_id], facts.links, rule, t)
        for f in sorted(started, key=lambda f: (f.starts_at, f.suggestion_id), reverse=True)
    ]
    programme = programme_figures(
        started, opted_in=facts.opted_in, known=facts.known, rule=rule, now=now, zone=t.zone
    )
    by_month = {month.month: month for month in programme.months}
    months = tuple(
        MonthLine(
            month=key,
            label=_month_label(key, t),
            short=_month_label(key, t, "MMM"),
            started=by_month[key].started if key in by_month else 0,
            released=by_month[key].released if key in by_month else 0,
            counts=tuple(
                MonthCount(network, _label(network, t), total, hidden)
                for network, total, hidden in (by_month[key].clicks if key in by_month else ())
            ),
        )
        for key in keys
    )
    released = tuple(line for line in lines if line.status == "released")
    networks = {count.network for line in released for count in line.counts}
    return FiguresPage(
        language=t.language,
        role=role,
        generated_at=now,
        networks=tuple((n, _label(n, t)) for n in ORDER if n in networks),
        released=released,
        others=tuple(line for line in lines if line.status != "released"),
        months=months,
        opted_in=_opted_in(facts, keys, rule, t) if role is Role.HR else None,
        texts=_texts(t, role, rule, now, valid_until),
    )


def _suggestion_line(
    facts: SuggestionFacts,
    shown: SuggestionFigures,
    links: Mapping[int, str],
    rule: Rule,
    t: Texts,
) -> SuggestionLine:
    hours = int(rule.delay.total_seconds() // 3600)
    notes = {
        "running": t("dashboard.status.running", hours=hours),
        "waiting": t("dashboard.status.waiting", when=t.when(shown.release_at))
        if shown.release_at
        else "",
        "too_few": t("dashboard.status.too_few", min=2 * rule.k),
        "released": "",
    }
    return SuggestionLine(
        suggestion_id=facts.suggestion_id,
        name=t("dashboard.suggestion", id=facts.suggestion_id),
        link=short_url(links.get(facts.suggestion_id, "")),
        month=month_of(facts.starts_at, t.zone),
        started=t.day(facts.starts_at),
        started_on=facts.starts_at.astimezone(t.zone).date().isoformat(),
        status=shown.status,
        note=notes[shown.status],
        release_at=shown.release_at,
        reached=shown.reached,
        counts=tuple(Count(n, _label(n, t), value) for n, value in shown.counts),
    )


def _opted_in(facts: PageFacts, keys: list[str], rule: Rule, t: Texts) -> tuple[OptInLine, ...]:
    """The band of each past month as recorded then (under today's k or a larger one), and
    this month's as the rule gives it now."""
    lines = []
    for key in keys:
        live = key == keys[-1]
        if live:
            band = opted_in_band(facts.opted_in, facts.known, rule)
            state: OptInState = "shown" if band else "hidden"
        elif key in facts.recorded:
            stored = facts.recorded[key]
            band = recorded_band(stored.band, stored.k, rule)
            state = "shown" if band else "hidden"
        else:
            band, state = None, "unrecorded"
        lines.append(
            OptInLine(key, _month_label(key, t), _month_label(key, t, "MMM"), state, band, live)
        )
    return tuple(lines)


def _texts(t: Texts, role: Role, rule: Rule, now: datetime, until: datetime) -> dict[str, str]:
    hours = int(rule.delay.total_seconds() // 3600)
    role_text = t(f"dashboard.role.{role}")
    texts = {
        name: t(f"dashboard.{name}")
        for name in (
            "title",
            "csv",
            "switch",
            "same",
            "released.title",
            "released.desc",
            "released.none",
            "months.title",
            "months.desc",
            "clicks.title",
            "clicks.desc",
            "others.title",
            "others.none",
            "opted_in.title",
            "opted_in.hidden",
            "opted_in.unrecorded",
            "opted_in.live",
            "never.title",
            "col.suggestion",
            "col.link",
            "col.started",
            "col.reached",
            "col.status",
            "col.month",
            "col.started_count",
            "col.released_count",
            "col.opted_in",
            "hidden",
            "not_offered",
            "table_follows",
        )
    }
    texts.update(
        {
            "as_of": t("dashboard.as_of", when=t.when(now), zone=t.zone.key, role=role_text),
            "until": t("dashboard.until", until=t.when(until)),
            "opted_in.desc": t("dashboard.opted_in.desc", k=rule.k),
            "never": t("dashboard.never", k=rule.k, hours=hours),
            "rule": t("stats.rule", k=rule.k),
            "bands": t("stats.bands", k=rule.k),
            "sums": t("overview.rule"),
        }
    )
    return texts


def _label(network: str, t: Texts) -> str:
    return LABELS.get(network) or t("stats.copy")


def _month_label(key: str, t: Texts, pattern: str = "MMM y") -> str:
    year, number = (int(part) for part in key.split("-"))
    return format_date(datetime(year, number, 1), pattern, locale=t.language)
