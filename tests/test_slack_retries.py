"""Slack rate limits and failures end to end: the real Slack Messenger and the dispatcher's
retries against the fake Slack Web API (429 with Retry-After, 5xx bursts, timeouts, a person
Slack says is gone)."""

from __future__ import annotations

import aiohttp

from storage import outbox, people
from storage.database import Database
from tests.fake_slack import Failure
from tests.slack_support import ANNA, BEN, COMMS, HR, SlackWorld, dm, slack_world
from tests.support import FakeClock


async def _one_suggestion(world: SlackWorld, *failures: Failure) -> None:
    """Anna and Ben opted in; the failures are what Slack answers first when cards go out."""
    await world.command(HR, "policy set window always")
    await world.command(HR, "policy set spread_minutes 0")
    await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
    await world.command(ANNA, "on")
    await world.command(BEN, "on")
    world.fake.fail(*failures)  # only chat.postMessage: the cards
    await world.command(COMMS, "new https://example.org/outing Our outing")  # wakes the sending
    await world.settle()


async def _person(world: SlackWorld, user: str) -> tuple[bool, list[str]]:
    async with world.runtime.database.transaction() as session:
        person = await people.find(session, "slack", user)
        assert person is not None and person.id is not None
        rows = await outbox.for_person(session, person.id)
    return person.reachable, [row.state for row in rows]


async def test_429_and_server_errors_are_waited_out_and_each_card_goes_once(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=100) as world:
        await _one_suggestion(
            world, Failure(status=429, retry_after=1), Failure(status=503), Failure(status=502)
        )
        assert world.fake.duplicates() == {}
        assert sorted(world.fake.posted) == sorted([dm(ANNA), dm(BEN)])
        assert len(world.fake.of("chat.postMessage")) == 5  # 3 refused, 2 delivered
        metrics = world.runtime.ctx.metrics
        assert metrics.rate_limited.labels("slack")._value.get() == 1
        assert await _person(world, ANNA) == (True, ["sent"])


async def test_a_timeout_is_uncertain_and_never_sent_again(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=100) as world:
        assert world.runtime.slack is not None
        client = world.runtime.slack.client  # the one the Messenger uses too
        assert client.session is not None
        await client.session.close()
        client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3))
        # Slack takes its time and then posts the message anyway, after the client gave up.
        await _one_suggestion(world, Failure(delay=0.6))
        states = sorted([await _person(world, ANNA), await _person(world, BEN)])
        assert states == [(True, ["sent"]), (True, ["uncertain"])]
        clock.advance(hours=1)
        await world.tick()
        await world.fake.wait_for(lambda: sum(world.fake.posted.values()) == 2)
        assert len(world.fake.of("chat.postMessage")) == 2  # the uncertain one never again
        assert world.fake.duplicates() == {}


async def test_a_person_slack_says_is_gone_becomes_unreachable_without_retrying(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=100) as world:
        await _one_suggestion(world, Failure(error="user_disabled"))
        gone = [user for user in (ANNA, BEN) if not world.fake.posted[dm(user)]]
        assert len(gone) == 1
        assert await _person(world, gone[0]) == (False, [])
        assert len(world.fake.of("chat.postMessage")) == 2
