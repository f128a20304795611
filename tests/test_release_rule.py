"""Property tests of the release rule (privacy rule 4) over random audiences and counts.

The central property: a hidden figure cannot be recovered from what is published. We check it
the strongest way: change the hidden figure to any other hidden value, and everything Sharebot
would publish (every suggestion's figures and HR's overview) stays exactly the same — so no
subtraction of published figures, however clever, can tell the two worlds apart.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.privacy.release import (
    ProgrammeFigures,
    Rule,
    SuggestionFacts,
    SuggestionFigures,
    opted_in_band,
    programme_figures,
    suggestion_figures,
)

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Berlin")
NETWORKS = ("linkedin", "x", "copy")


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    return Rule(k=draw(st.integers(3, 12)), delay=timedelta(hours=draw(st.integers(0, 72))))


@st.composite
def facts(draw: st.DrawFn, suggestion_id: int) -> SuggestionFacts:
    starts = NOW - timedelta(hours=draw(st.integers(0, 24 * 200)))
    ended = draw(
        st.one_of(st.none(), st.integers(0, 24 * 30).map(lambda h: starts + timedelta(hours=h)))
    )
    reached = draw(st.integers(0, 80))
    clicks = {n: draw(st.integers(0, reached + 3)) for n in NETWORKS}
    return SuggestionFacts(suggestion_id, starts, ended, reached, clicks)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Rule, list[SuggestionFacts], int, int]:
    rule = draw(rules())
    count = draw(st.integers(1, 6))
    known = draw(st.integers(0, 200))
    opted_in = draw(st.integers(0, known))
    return rule, [draw(facts(i + 1)) for i in range(count)], opted_in, known


def publish(
    rule: Rule, world: list[SuggestionFacts], opted_in: int, known: int
) -> tuple[list[SuggestionFigures], ProgrammeFigures]:
    """Everything anyone can get out of Sharebot about these facts."""
    per_suggestion = [suggestion_figures(f, rule, NOW) for f in world]
    overview = programme_figures(
        world, opted_in=opted_in, known=known, rule=rule, now=NOW, zone=ZONE
    )
    return per_suggestion, overview


@given(worlds())
def test_nothing_before_the_delay_or_below_2k(
    world: tuple[Rule, list[SuggestionFacts], int, int],
) -> None:
    rule, suggestions, opted_in, known = world
    for facts_, shown in zip(suggestions, publish(*world)[0], strict=True):
        early = facts_.ended_at is None or facts_.ended_at + rule.delay > NOW
        if early or facts_.reached < 2 * rule.k:
            assert shown.counts == () and shown.reached is None
            assert shown.status != "released"
        for _, count in shown.counts:
            assert count is None or rule.k <= count <= facts_.reached - rule.k
        if shown.reached is not None:
            low, high = shown.reached
            assert low <= facts_.reached <= high and high - low == rule.k - 1
    band = opted_in_band(opted_in, known, rule)
    if known < 2 * rule.k:
        assert band is None
    if band is not None:
        assert band[0] <= opted_in <= band[1]
        assert rule.k <= opted_in <= known - rule.k


def with_a_hidden_count_changed(
    rule: Rule, suggestions: list[SuggestionFacts], data: st.DataObject
) -> list[SuggestionFacts]:
    """The suggestions with one count that is not published (hidden, or not yet released)
    changed to any other value that would not be published either."""
    shown = [suggestion_figures(f, rule, NOW) for f in suggestions]
    hidden = [
        (index, network)
        for index, figures in enumerate(shown)
        for network in NETWORKS
        if figures.status != "released" or dict(figures.counts)[network] is None
    ]
    assume(hidden)
    index, network = data.draw(st.sampled_from(hidden))
    target = suggestions[index]
    alternatives = [
        value
        for value in range(0, target.reached + 4)
        if not (rule.released(target.ended_at, NOW) and rule.shows(value, target.reached))
    ]
    value = data.draw(st.sampled_from(alternatives))
    other = list(suggestions)
    other[index] = replace(target, clicks={**target.clicks, network: value})
    return other


@given(worlds(), st.data())
def test_a_hidden_count_cannot_be_recovered_from_anything_published(
    world: tuple[Rule, list[SuggestionFacts], int, int], data: st.DataObject
) -> None:
    rule, suggestions, opted_in, known = world
    published = publish(*world)
    other = with_a_hidden_count_changed(rule, suggestions, data)
    assert publish(rule, other, opted_in, known) == published


@given(worlds(), st.data())
def test_exact_head_counts_cannot_be_recovered(
    world: tuple[Rule, list[SuggestionFacts], int, int], data: st.DataObject
) -> None:
    """Within its band, the exact number of people reached or opted in makes no difference to
    anything published: subtracting two head counts finds nobody."""
    rule, suggestions, opted_in, known = world
    published = publish(*world)
    index = data.draw(st.integers(0, len(suggestions) - 1))
    target = suggestions[index]
    other = list(suggestions)
    other[index] = replace(target, reached=data.draw(st.integers(*rule.band(target.reached))))
    people = data.draw(st.integers(*rule.band(opted_in)))
    assert publish(rule, other, people, known) == published


@given(worlds())
def test_overview_sums_are_sums_of_published_figures(
    world: tuple[Rule, list[SuggestionFacts], int, int],
) -> None:
    rule, suggestions, _, _ = world
    per_suggestion, overview = publish(*world)
    for month in overview.months:
        in_month = [
            shown
            for facts_, shown in zip(suggestions, per_suggestion, strict=True)
            if facts_.starts_at.astimezone(ZONE).strftime("%Y-%m") == month.month
        ]
        assert month.started == len(in_month)
        for network, total, hidden in month.clicks:
            shown_counts = [dict(s.counts).get(network) for s in in_month if s.counts]
            assert total == sum(c for c in shown_counts if c is not None)
            assert hidden == sum(1 for c in shown_counts if c is None)
            assert total == 0 or total >= rule.k
