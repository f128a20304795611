"""The figures page and its CSV never hold a figure the chat hides (privacy rule 4), by property.

Over the release rule's own random worlds (:mod:`tests.test_release_rule`): changing a hidden
count to any other hidden value, or a head count within its band, or a month's opt-in band
recorded under a smaller k, leaves the page's HTML and CSV byte for byte the same, for both
roles and both languages. So nothing on the page, drawn or written, depends on a hidden
figure. And every figure the CSV holds is the one ``/share stats`` gives for it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from adapters.dashboard.download import render_csv
from adapters.dashboard.page import render_page
from bot.i18n import Catalogue
from bot.privacy.figures_page import PageFacts, build_page
from bot.privacy.release import Rule, SuggestionFacts, suggestion_figures
from bot.privacy.reports import suggestion_notice
from bot.sharing.networks import LABELS
from storage.opt_in import RecordedBand
from storage.states import Role
from tests.test_release_rule import NOW, ZONE, with_a_hidden_count_changed, worlds

CATALOGUE = Catalogue.load()
World = tuple[Rule, list[SuggestionFacts], int, int]
MONTHS = [f"2026-{m:02d}" for m in range(1, 12)]


@st.composite
def recordings(draw: st.DrawFn) -> dict[str, RecordedBand]:
    """Opt-in bands recorded in past months, some under another k, some not shown."""
    found = {}
    for month in draw(st.lists(st.sampled_from(MONTHS), unique=True, max_size=6)):
        k = draw(st.integers(3, 12))
        low = draw(st.integers(0, 30)) * k
        found[month] = RecordedBand(k, draw(st.sampled_from([None, (low, low + k - 1)])))
    return found


def page_of(
    world: World,
    recorded: dict[str, RecordedBand],
    role: Role,
    language: str,
) -> tuple[str, str]:
    """The page's HTML and CSV for these facts, as the routes would serve them."""
    rule, suggestions, opted_in, known = world
    facts = PageFacts(
        started=suggestions,
        links={f.suggestion_id: f"https://example.com/{f.suggestion_id}" for f in suggestions},
        opted_in=opted_in,
        known=known,
        recorded=recorded,
    )
    page = build_page(
        facts,
        role=role,
        rule=rule,
        now=NOW,
        t=CATALOGUE.bind(language, ZONE),
        valid_until=NOW + timedelta(minutes=15),
    )
    return render_page(page, token="a-pass"), render_csv(page)


def everything(world: World, recorded: dict[str, RecordedBand]) -> list[tuple[str, str]]:
    return [page_of(world, recorded, role, lang) for role in Role for lang in ("de", "en")]


@settings(deadline=None)  # each example draws eight pages
@given(worlds(), recordings(), st.data())
def test_a_hidden_count_changes_nothing_on_the_page_or_in_the_csv(
    world: World, recorded: dict[str, RecordedBand], data: st.DataObject
) -> None:
    rule, suggestions, opted_in, known = world
    other = with_a_hidden_count_changed(rule, suggestions, data)
    assert everything((rule, other, opted_in, known), recorded) == everything(world, recorded)


@settings(deadline=None)  # each example draws eight pages
@given(worlds(), recordings(), st.data())
def test_exact_head_counts_change_nothing_on_the_page(
    world: World, recorded: dict[str, RecordedBand], data: st.DataObject
) -> None:
    rule, suggestions, opted_in, known = world
    index = data.draw(st.integers(0, len(suggestions) - 1))
    target = suggestions[index]
    other = list(suggestions)
    other[index] = replace(target, reached=data.draw(st.integers(*rule.band(target.reached))))
    people = data.draw(st.integers(*rule.band(opted_in)))
    assert everything((rule, other, people, known), recorded) == everything(world, recorded)


@settings(deadline=None)  # each example draws eight pages
@given(worlds(), recordings(), st.data())
def test_a_month_recorded_under_a_smaller_k_changes_nothing(
    world: World, recorded: dict[str, RecordedBand], data: st.DataObject
) -> None:
    rule = world[0]
    finer = [month for month, band in recorded.items() if band.k < rule.k]
    assume(finer)
    month = data.draw(st.sampled_from(finer))
    low = data.draw(st.integers(0, 40))
    changed = {**recorded, month: RecordedBand(recorded[month].k, (low, low + 2))}
    assert everything(world, changed) == everything(world, recorded)


@settings(deadline=None)
@given(worlds())
def test_every_figure_in_the_csv_is_the_one_stats_gives(world: World) -> None:
    rule, suggestions, _, _ = world
    by_id = {f.suggestion_id: f for f in suggestions}
    t = CATALOGUE.bind("en", ZONE)
    hidden = t("stats.hidden")
    for role in Role:
        _, text = page_of(world, {}, role, "en")
        for row in csv.DictReader(io.StringIO(text)):
            if not row["suggestion"]:
                continue
            shown = suggestion_figures(by_id[int(row["suggestion"])], rule, NOW)
            answer = suggestion_notice(t, shown, rule).lines
            if row["figure"] == "people_reached":
                assert t("stats.reached", n=f"{row['low']}–{row['high']}") in answer
            elif row["figure"] == "share_buttons":
                label = LABELS.get(row["network"]) or t("stats.copy")
                said = next(line for line in answer if line.startswith(f"• {label}: "))
                assert said.startswith(f"• {label}: {row['value'] or hidden}")
                assert (row["not_shown"] == "1") == (row["value"] == "")
            else:
                assert row["figure"] == "no_figures" and shown.status != "released"
                assert not [line for line in answer if line.startswith("• ")]
