"""Teams rate limits and failures end to end: the real dispatcher, CloudAdapter and Teams
Messenger against a fake Bot Connector over HTTP, one fault mode at a time (delivery rule 2).

What the Bot Connector did not take (429 with and without Retry-After, 412, a refused
connection) is retried and arrives once. Every broken answer after it posted the card (a
reset, 500/502/504 with HTML, a cut-off body, an HTML page with 200, a slow answer, an answer
the client throws on) is uncertain: counted in ``/metrics``, never sent again. Everyone gets
the card at most once; everyone whose answer was normal, exactly once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest

from storage import outbox
from storage.database import Database
from tests.fake_connector import FakeConnector
from tests.faults import UNCERTAINTY
from tests.support import FakeClock, resume_on_retry, uncertain_in_metrics
from tests.teams_chat import PEOPLE, TeamsChat, find_person, make_comms, running_teams

RECIPIENTS = ("anna", "ben", "clara")
CLIENT_TIMEOUT = 3.0  # a normal answer on a loaded machine comes well within it


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        yield chat


class Cards:
    """The cards the fake connector takes from now on, per person (replies not counted)."""

    def __init__(self, teams: TeamsChat) -> None:
        self.teams = teams
        self.before = Counter({name: self._sent(name) for name in RECIPIENTS})
        self.calls = len(teams.connector.calls)

    def _sent(self, name: str) -> int:
        return self.teams.connector.sent[PEOPLE[name].chat]

    def delivered(self, name: str) -> int:
        return self._sent(name) - self.before[name]

    def attempts(self, name: str | None = None) -> int:
        """Proactive messages tried (a reply would answer an activity id)."""
        chats = {PEOPLE[n].chat for n in ([name] if name else RECIPIENTS)}
        return sum(
            1
            for c in self.teams.connector.calls[self.calls :]
            if c.method == "POST" and c.conversation_id in chats and not c.activity_id
        )

    def broken(self) -> list[str]:
        """The people whose card got an injected answer first."""
        return [
            name
            for call in self.teams.connector.faulted
            for name in RECIPIENTS
            if call.conversation_id == PEOPLE[name].chat
        ]


async def _organisation(teams: TeamsChat) -> None:
    """Anna, Ben and Clara opted in; Chris suggests something that starts in half an hour."""
    for name in RECIPIENTS:
        await teams.say(name, "on")
    await make_comms(teams)
    await teams.say("chris", "new https://example.com/day Our team day --at 30m")
    await teams.runtime.dispatcher.idle()


async def _one_suggestion(
    teams: TeamsChat, clock: FakeClock, arrange: Callable[[FakeConnector], object]
) -> Cards:
    """The suggestion starts; ``arrange`` sets up the fake just before its cards go out."""
    await _organisation(teams)
    cards = Cards(teams)
    arrange(teams.connector)
    clock.advance(hours=1)
    await teams.tick()
    return cards


async def _never_again(teams: TeamsChat, clock: FakeClock, cards: Cards) -> None:
    """An hour later, another tick tries nothing more."""
    tried = cards.attempts()
    clock.advance(hours=1)
    await teams.tick()
    assert cards.attempts() == tried


async def _rows(teams: TeamsChat, name: str) -> list[tuple[str, str | None]]:
    person = await find_person(teams, name)
    assert person is not None and person.id is not None
    async with teams.runtime.database.transaction() as session:
        return [(r.state, r.reason) for r in await outbox.for_person(session, person.id)]


@pytest.mark.parametrize(("fault", "reason"), UNCERTAINTY["teams"].items())
async def test_a_card_teams_may_have_posted_is_uncertain_and_never_sent_again(
    teams: TeamsChat, clock: FakeClock, fault: str, reason: str
) -> None:
    assert teams.runtime.teams is not None
    if fault == "slow":  # longer than the messenger waits
        teams.runtime.teams.messenger.timeout = CLIENT_TIMEOUT
        teams.connector.slow_seconds = CLIENT_TIMEOUT * 2
    cards = await _one_suggestion(teams, clock, lambda connector: connector.fault(fault))
    [broken] = cards.broken()
    await _never_again(teams, clock, cards)
    assert {name: cards.delivered(name) for name in RECIPIENTS} == dict.fromkeys(RECIPIENTS, 1)
    assert cards.attempts() == len(RECIPIENTS)  # the broken one too: once
    assert await uncertain_in_metrics(teams.http, teams.url) == {("teams", reason): 1}
    assert await _rows(teams, broken) == [("uncertain", reason)]
    assert [await _rows(teams, n) for n in RECIPIENTS if n != broken] == [[("sent", None)]] * 2


NOT_TAKEN = [
    (429, "0", 1),
    (429, None, 1),  # no Retry-After: backoff with jitter
    (412, None, 0),
]


@pytest.mark.parametrize(("status", "retry_after", "limited"), NOT_TAKEN)
async def test_a_card_teams_did_not_take_is_retried_and_arrives_once(
    teams: TeamsChat, clock: FakeClock, status: int, retry_after: str | None, limited: int
) -> None:
    cards = await _one_suggestion(
        teams, clock, lambda connector: connector.fail(status, retry_after=retry_after)
    )
    [refused] = cards.broken()
    await _never_again(teams, clock, cards)
    assert {name: cards.delivered(name) for name in RECIPIENTS} == dict.fromkeys(RECIPIENTS, 1)
    assert cards.attempts(refused) == 2
    assert cards.attempts() == len(RECIPIENTS) + 1
    metrics = teams.runtime.ctx.metrics
    assert metrics.rate_limited.labels("teams")._value.get() == limited
    assert metrics.sent.labels("teams")._value.get() == len(RECIPIENTS)
    assert await uncertain_in_metrics(teams.http, teams.url) == {}


async def test_a_refused_connection_is_retried_and_each_card_arrives_once(
    teams: TeamsChat, clock: FakeClock
) -> None:
    port = teams.connector.listener
    assert port is not None
    port.keep_alive = False  # no open connection outlives an answer
    await _organisation(teams)
    cards = Cards(teams)
    await port.refuse()
    resume_on_retry(teams.runtime.dispatcher, port.resume)
    clock.advance(hours=1)
    await teams.tick()
    assert {name: cards.delivered(name) for name in RECIPIENTS} == dict.fromkeys(RECIPIENTS, 1)
    attempts = teams.runtime.ctx.metrics.registry.get_sample_value(
        "sharebot_dispatch_seconds_count", {"platform": "teams"}
    )
    assert attempts is not None and attempts > len(RECIPIENTS)  # some were refused first
    assert await uncertain_in_metrics(teams.http, teams.url) == {}


async def test_endless_throttling_is_given_up_after_bounded_attempts(
    teams: TeamsChat, clock: FakeClock
) -> None:
    cards = await _one_suggestion(teams, clock, lambda connector: connector.fail(412, times=50))
    limits = teams.runtime.ctx.messengers["teams"].limits
    assert all(cards.attempts(name) == limits.max_attempts for name in RECIPIENTS)
    assert all(cards.delivered(name) == 0 for name in RECIPIENTS)
    anna = await find_person(teams, "anna")
    assert anna is not None and anna.reachable and anna.participation == "on"
    assert await _rows(teams, "anna") == []  # certainly not shown: lost, not uncertain


async def test_blocked_by_the_person_marks_them_unreachable_without_retrying(
    teams: TeamsChat, clock: FakeClock
) -> None:
    cards = await _one_suggestion(teams, clock, lambda connector: connector.fail(403))
    [blocked] = cards.broken()
    assert cards.delivered(blocked) == 0 and cards.attempts(blocked) == 1
    person = await find_person(teams, blocked)
    assert person is not None and not person.reachable
    await teams.say(blocked, "help")  # writing to the bot again makes them reachable
    person = await find_person(teams, blocked)
    assert person is not None and person.reachable
