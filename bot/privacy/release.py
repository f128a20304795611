"""The release rule of privacy rule 4 as pure functions: which figures may be shown, and how.

Every figure Sharebot publishes is computed here, from facts that name no person. The rule:

- a suggestion's figures are released only after it ended plus ``report_delay_hours``;
- only when it reached at least 2k people (k = ``anonymity_threshold``);
- a count is shown only when k <= count <= N - k (N = people reached, taken at the bottom of
  its band), else it is hidden;
- head counts (people reached, people opted in) are shown only as a band of width k
  (``40–44``), never exactly, so two head counts cannot be subtracted to find one person;
- the programme overview adds up only figures that were already shown per suggestion, so
  nothing hidden can be recovered by subtracting a shown figure from a sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.sharing.networks import COPY, NETWORKS

ORDER = (*NETWORKS, COPY)
Status = Literal["running", "waiting", "too_few", "released"]
Band = tuple[int, int]


@dataclass(frozen=True)
class Rule:
    """The anonymity threshold k and the delay after the end before figures are released."""

    k: int
    delay: timedelta

    def audience_ok(self, audience: int) -> bool:
        return audience >= 2 * self.k

    def shows(self, count: int, audience: int) -> bool:
        """A count is shown only when at least k people are on each side of it.

        The audience is taken at the bottom of its band: were the exact audience used, whether a
        count near the top is shown would tell where in its band the audience lies.
        """
        low = self.band(audience)[0]
        return self.audience_ok(low) and self.k <= count <= low - self.k

    def release_at(self, ended_at: datetime | None) -> datetime | None:
        return None if ended_at is None else ended_at + self.delay

    def released(self, ended_at: datetime | None, now: datetime) -> bool:
        release = self.release_at(ended_at)
        return release is not None and now >= release

    def band(self, head_count: int) -> Band:
        """A head count as the band of width k it falls in: 47 with k = 5 is ``(45, 49)``."""
        low = head_count // self.k * self.k
        return low, low + self.k - 1


@dataclass(frozen=True)
class SuggestionFacts:
    """What storage knows about one started suggestion: no person in it."""

    suggestion_id: int
    starts_at: datetime
    ended_at: datetime | None
    reached: int
    clicks: Mapping[str, int]


@dataclass(frozen=True)
class SuggestionFigures:
    """What may be shown about one suggestion; ``None`` marks a hidden count."""

    suggestion_id: int
    status: Status
    release_at: datetime | None = None
    reached: Band | None = None
    counts: tuple[tuple[str, int | None], ...] = ()


@dataclass(frozen=True)
class MonthFigures:
    """One calendar month of the overview: suggestions started, and sums of shown figures."""

    month: str  # "2026-12", in the policy's time zone
    started: int
    released: int
    # per network: (sum of the counts shown for it, how many counts were hidden)
    clicks: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class ProgrammeFigures:
    opted_in: Band | None
    months: tuple[MonthFigures, ...]


def suggestion_figures(facts: SuggestionFacts, rule: Rule, now: datetime) -> SuggestionFigures:
    """The figures of one suggestion as anyone asking would get them: the same every time."""
    sid = facts.suggestion_id
    if facts.ended_at is None:
        return SuggestionFigures(sid, "running")
    if not rule.released(facts.ended_at, now):
        return SuggestionFigures(sid, "waiting", rule.release_at(facts.ended_at))
    if not rule.audience_ok(facts.reached):
        return SuggestionFigures(sid, "too_few")
    counts = tuple(
        (network, count if rule.shows(count, facts.reached) else None)
        # A fixed order: sorting by count would reveal the order of the hidden figures.
        for network, count in sorted(facts.clicks.items(), key=lambda item: rank(item[0]))
    )
    return SuggestionFigures(sid, "released", reached=rule.band(facts.reached), counts=counts)


def opted_in_band(opted_in: int, known: int, rule: Rule) -> Band | None:
    """People opted in, as a band, when at least k people are on each side of the count.

    ``known`` is everyone Sharebot has met; the people not opted in are its other side. The
    decision looks only at the band, so it tells nothing about where in the band the count is.
    """
    low, high = rule.band(opted_in)
    shown = rule.audience_ok(known) and low >= rule.k and high <= known - rule.k
    return (low, high) if shown else None


def recorded_band(band: Band | None, recorded_k: int, rule: Rule) -> Band | None:
    """A past month's opted-in band, as recorded then: shown only when it was cut with a k at
    least today's. After HR raised the threshold, a band cut finer than today's rule allows
    (or shown then, but too close to nobody or everyone for today's k) is not shown."""
    return band if band is not None and recorded_k >= rule.k else None


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    """The calendar month of ``moment`` in ``zone``: ``"2026-12"``."""
    return moment.astimezone(zone).strftime("%Y-%m")


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included: ``"2026-11"``, ``"2026-12"``."""
    start, end = (_month_number(key) for key in (first, last))
    return [f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(start, end + 1)]


def months_ending(last: str, count: int) -> list[str]:
    """The ``count`` months up to ``last``, oldest first: the year that ends in ``last``."""
    first = _month_number(last) - count + 1
    return months_between(f"{first // 12:04d}-{first % 12 + 1:02d}", last)


def _month_number(key: str) -> int:
    year, month = (int(part) for part in key.split("-"))
    return year * 12 + month - 1


def programme_figures(
    started: Sequence[SuggestionFacts],
    *,
    opted_in: int,
    known: int,
    rule: Rule,
    now: datetime,
    zone: ZoneInfo,
) -> ProgrammeFigures:
    """HR's overview. Per month of start: how many suggestions started, and per network the
    sum of the counts already shown for that month's released suggestions. A hidden count adds
    nothing to a sum, so every sum is a sum of published figures and reveals nothing new.
    """
    months: dict[str, list[SuggestionFigures]] = {}
    for facts in sorted(started, key=lambda f: (f.starts_at, f.suggestion_id)):
        key = month_of(facts.starts_at, zone)
        months.setdefault(key, []).append(suggestion_figures(facts, rule, now))
    return ProgrammeFigures(
        opted_in=opted_in_band(opted_in, known, rule),
        months=tuple(_month(key, figures) for key, figures in sorted(months.items(), reverse=True)),
    )


def _month(key: str, figures: list[SuggestionFigures]) -> MonthFigures:
    released = [f for f in figures if f.status == "released"]
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for figure in released:
        for network, count in figure.counts:
            shown[network] = shown.get(network, 0) + (count or 0)
            hidden[network] = hidden.get(network, 0) + (count is None)
    clicks = tuple(
        (network, shown[network], hidden[network]) for network in sorted(shown, key=rank)
    )
    return MonthFigures(key, started=len(figures), released=len(released), clicks=clicks)


def rank(network: str) -> int:
    """A network's place in the fixed order figures are shown in."""
    return ORDER.index(network) if network in ORDER else len(ORDER)
