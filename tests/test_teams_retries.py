"""Teams rate limits and failures end to end: the real CloudAdapter, the dispatcher's retries
and a fake Bot Connector that answers 429 (with and without Retry-After), 412, 502, 504, 403."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.database import Database
from tests.support import FakeClock
from tests.teams_chat import PEOPLE, TeamsChat, find_person, make_comms, running_teams


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        yield chat


async def _suggest_to(teams: TeamsChat, *names: str) -> None:
    for name in names:
        await teams.say(name, "on")
    await make_comms(teams)


def _attempts(teams: TeamsChat, name: str) -> int:
    """Proactive messages tried in the person's chat (replies answer an activity id)."""
    chat = PEOPLE[name].chat
    return sum(
        1
        for c in teams.connector.calls
        if c.method == "POST" and c.conversation_id == chat and not c.activity_id
    )


def _delivered(teams: TeamsChat, name: str) -> int:
    """Proactive messages that reached the person's chat."""
    return teams.connector.sent[PEOPLE[name].chat] - teams.connector.sent[f"before:{name}"]


def _start_counting(teams: TeamsChat, *names: str) -> None:
    for name in names:
        teams.connector.sent[f"before:{name}"] = teams.connector.sent[PEOPLE[name].chat]


async def test_throttling_and_gateway_errors_are_retried_and_sent_once(teams: TeamsChat) -> None:
    await _suggest_to(teams, "anna")
    await teams.say("chris", "new https://example.com/day Our team day")
    _start_counting(teams, "anna", "ben")
    teams.connector.fail(429, retry_after="0")
    teams.connector.fail(429)  # no Retry-After: backoff with jitter
    teams.connector.fail(412)
    teams.connector.fail(502)
    await teams.tick()
    assert _delivered(teams, "anna") == 1
    assert _attempts(teams, "anna") == 5
    metrics = teams.runtime.ctx.metrics
    assert metrics.rate_limited.labels("teams")._value.get() == 2
    assert metrics.sent.labels("teams")._value.get() == 1


async def test_endless_gateway_timeouts_are_given_up_after_bounded_attempts(
    teams: TeamsChat,
) -> None:
    await _suggest_to(teams, "anna")
    await teams.say("chris", "new https://example.com/day Our team day")
    _start_counting(teams, "anna", "ben")
    teams.connector.fail(504, times=50)
    await teams.tick()
    await teams.tick()
    limits = teams.runtime.ctx.messengers["teams"].limits
    assert _attempts(teams, "anna") == limits.max_attempts
    assert _delivered(teams, "anna") == 0
    anna = await find_person(teams, "anna")
    assert anna is not None and anna.reachable and anna.participation == "on"


async def test_blocked_by_the_person_marks_them_unreachable_without_retrying(
    teams: TeamsChat,
) -> None:
    await _suggest_to(teams, "anna", "ben")
    await teams.say("chris", "new https://example.com/day Our team day")
    _start_counting(teams, "anna", "ben")
    teams.connector.fail(403)
    await teams.tick()
    blocked = [n for n in ("anna", "ben") if _delivered(teams, n) == 0]
    assert len(blocked) == 1 and _attempts(teams, blocked[0]) == 1
    person = await find_person(teams, blocked[0])
    assert person is not None and not person.reachable
    await teams.say(blocked[0], "help")  # writing to the bot again makes them reachable
    person = await find_person(teams, blocked[0])
    assert person is not None and person.reachable
