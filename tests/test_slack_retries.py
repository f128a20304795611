"""Slack rate limits and failures end to end: the real dispatcher and Slack Messenger against
the fake Slack Web API over HTTP, one fault mode at a time (delivery rule 2).

What Slack did not take (429 with and without Retry-After, ``ratelimited``, a refused
connection) is retried and arrives once. Every broken answer after Slack posted the card (a
reset, 500/502/504 with HTML, a cut-off body, an HTML page with 200, a slow answer, an answer
the client throws on, Slack's ``internal_error``) is uncertain: counted in ``/metrics``, never
sent again. Everyone gets the card at most once; everyone whose answer was normal, exactly once.
"""

from __future__ import annotations

import aiohttp
import pytest

from adapters.doctor import run_checks
from adapters.settings import load_settings
from storage import outbox, people
from storage.database import Database
from tests.fake_slack import Failure
from tests.faults import UNCERTAINTY
from tests.slack_support import ANNA, BEN, COMMS, HR, SlackWorld, dm, slack_world
from tests.support import FakeClock, resume_on_retry, uncertain_in_metrics

CLEO = "UCLEO"
RECIPIENTS = (ANNA, BEN, CLEO)
CLIENT_TIMEOUT = 3.0  # a normal answer on a loaded machine comes well within it


async def _organisation(world: SlackWorld) -> None:
    """Anna, Ben and Cleo opted in; Chris may suggest; everything goes out at once."""
    world.fake.add_user(CLEO, "Cleo")
    await world.command(HR, "policy set window always")
    await world.command(HR, "policy set spread_minutes 0")
    await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
    for user in RECIPIENTS:
        await world.command(user, "on")


async def _one_suggestion(world: SlackWorld, *failures: Failure) -> None:
    """The failures are what Slack answers first when the cards go out."""
    await _organisation(world)
    world.fake.fail(*failures)  # only chat.postMessage: the cards
    await world.command(COMMS, "new https://example.org/outing Our outing")  # wakes the sending
    await world.settle()


async def _person(world: SlackWorld, user: str) -> tuple[bool, list[tuple[str, str | None]]]:
    """Whether Sharebot can reach them, and their delivery rows' states and reasons."""
    async with world.runtime.database.transaction() as session:
        person = await people.find(session, "slack", user)
        assert person is not None and person.id is not None
        rows = await outbox.for_person(session, person.id)
    return person.reachable, [(row.state, row.reason) for row in rows]


def _broken(world: SlackWorld) -> list[str]:
    """The people whose card got an injected answer first."""
    return [str(c.params["channel"]) for c in world.fake.faulted if c.method == "chat.postMessage"]


async def _never_again(world: SlackWorld) -> None:
    """An hour later, another tick sends nothing more."""
    calls = len(world.fake.of("chat.postMessage"))
    world.clock.advance(hours=1)
    await world.tick()
    await world.settle()
    assert len(world.fake.of("chat.postMessage")) == calls


async def _short_client_timeout(world: SlackWorld) -> None:
    """The client (the one the Messenger uses too) waits only CLIENT_TIMEOUT seconds."""
    assert world.runtime.slack is not None
    client = world.runtime.slack.client
    assert client.session is not None
    await client.session.close()
    client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CLIENT_TIMEOUT))
    world.fake.slow_seconds = CLIENT_TIMEOUT * 2


def _named(value: object) -> str:
    """A test id: the fault, the Slack error or the status a Failure plays."""
    if isinstance(value, Failure):
        found = value.fault or value.error or (f"delay {value.delay}" if value.delay else "")
        return found or f"{value.status} retry-after {value.retry_after}"
    return str(value)


MAYBE_TAKEN = [
    *((Failure(fault=fault), reason) for fault, reason in UNCERTAINTY["slack"].items()),
    (Failure(error="internal_error"), "platform_error"),
    (Failure(delay=CLIENT_TIMEOUT * 2), "timeout"),  # slow, and posted after the client gave up
]


@pytest.mark.parametrize(("failure", "reason"), MAYBE_TAKEN, ids=_named)
async def test_a_card_slack_may_have_posted_is_uncertain_and_never_sent_again(
    database: Database, clock: FakeClock, failure: Failure, reason: str
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=100) as world:
        if failure.fault == "slow" or failure.delay:
            await _short_client_timeout(world)
        await _one_suggestion(world, failure)
        [broken] = _broken(world)
        normal = [user for user in RECIPIENTS if user != broken]
        if failure.delay:  # Slack posts it after the client gave up
            await world.fake.wait_for(lambda: world.fake.posted[dm(broken)] == 1, within=10)
        await _never_again(world)
        assert world.fake.duplicates() == {}
        assert all(world.fake.posted[dm(user)] == 1 for user in normal)
        assert world.fake.posted[dm(broken)] == (0 if failure.error else 1)
        assert len(world.fake.of("chat.postMessage")) == len(RECIPIENTS)  # no second try
        assert await uncertain_in_metrics(world.http, world.url) == {("slack", reason): 1}
        assert await _person(world, broken) == (True, [("uncertain", reason)])
        assert await _person(world, normal[0]) == (True, [("sent", None)])


NOT_TAKEN = [
    (Failure(status=429, retry_after=1), 1),
    (Failure(status=429, retry_after=None), 1),  # no Retry-After: backoff with jitter
    (Failure(error="ratelimited"), 1),
]


@pytest.mark.parametrize(("failure", "limited"), NOT_TAKEN, ids=_named)
async def test_a_card_slack_did_not_take_is_retried_and_arrives_once(
    database: Database, clock: FakeClock, failure: Failure, limited: int
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=100) as world:
        await _one_suggestion(world, failure)
        assert len(_broken(world)) == 1
        await _never_again(world)
        assert world.fake.duplicates() == {}
        assert all(world.fake.posted[dm(user)] == 1 for user in RECIPIENTS)
        assert len(world.fake.of("chat.postMessage")) == len(RECIPIENTS) + 1
        metrics = world.runtime.ctx.metrics
        assert metrics.rate_limited.labels("slack")._value.get() == limited
        assert metrics.sent.labels("slack")._value.get() == len(RECIPIENTS)
        assert await uncertain_in_metrics(world.http, world.url) == {}


async def test_a_refused_connection_is_retried_and_each_card_arrives_once(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=100) as world:
        port = world.fake.listener
        assert port is not None
        port.keep_alive = False  # no open connection outlives an answer
        await _organisation(world)
        await world.command(COMMS, "new https://example.org/outing Our outing --at 30m")
        await world.settle()
        await port.refuse()
        resume_on_retry(world.runtime.dispatcher, port.resume)
        clock.advance(hours=1)
        await world.tick()
        await world.settle()
        assert world.fake.duplicates() == {}
        assert all(world.fake.posted[dm(user)] == 1 for user in RECIPIENTS)
        attempts = world.runtime.ctx.metrics.registry.get_sample_value(
            "sharebot_dispatch_seconds_count", {"platform": "slack"}
        )
        assert attempts is not None and attempts > len(RECIPIENTS)  # some were refused first
        assert await uncertain_in_metrics(world.http, world.url) == {}


async def test_a_person_slack_says_is_gone_becomes_unreachable_without_retrying(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=100) as world:
        await _one_suggestion(world, Failure(error="user_disabled"))
        [gone] = _broken(world)
        assert world.fake.posted[dm(gone)] == 0
        assert await _person(world, gone) == (False, [])
        assert len(world.fake.of("chat.postMessage")) == len(RECIPIENTS)


async def test_a_refusal_is_not_retried_and_nobody_becomes_unreachable(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=100) as world:
        await _one_suggestion(world, Failure(error="invalid_auth"))
        [refused] = _broken(world)
        await _never_again(world)
        assert world.fake.posted[dm(refused)] == 0  # lost, which is harmless
        assert await _person(world, refused) == (True, [])
        assert len(world.fake.of("chat.postMessage")) == len(RECIPIENTS)
        assert await uncertain_in_metrics(world.http, world.url) == {}


async def test_doctor_shows_uncertain_deliveries_by_platform_and_reason(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=100) as world:
        await _one_suggestion(world, Failure(fault="502"))
    url = database.engine.url.render_as_string(hide_password=False)
    checks = {c.name: c for c in await run_checks(load_settings(DATABASE_URL=url))}
    assert checks["deliveries"].ok
    assert "1 uncertain (slack server_error 1;" in checks["deliveries"].detail
