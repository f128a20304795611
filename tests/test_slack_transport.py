"""Signatures, retried events, and acknowledging well inside Slack's three seconds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import parse_qs

import pytest

from storage import people
from storage.database import Database
from storage.states import Participation
from tests.slack_support import (
    ANNA,
    SlackWorld,
    command_body,
    event_body,
    signed_headers,
    slack_world,
    submission_body,
)
from tests.support import FakeClock


async def nobody_known(database: Database) -> bool:
    async with database.transaction() as session:
        return await people.find(session, "slack", ANNA) is None


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            lambda body: {**signed_headers(body), "X-Slack-Signature": "v0=" + "0" * 64},
            id="forged",
        ),
        pytest.param(lambda body: signed_headers(body, secret="not-the-secret"), id="wrong-secret"),
        pytest.param(
            lambda body: signed_headers(body, timestamp=int(time.time()) - 301), id="stale"
        ),
        pytest.param(
            lambda body: {"Content-Type": "application/x-www-form-urlencoded"}, id="unsigned"
        ),
    ],
)
async def test_bad_signatures_get_401_and_change_nothing(
    database: Database,
    clock: FakeClock,
    headers: Callable[[str], dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with slack_world(database, clock) as world:
        body = command_body(ANNA, "on", response_url=world.fake.response_url())
        status, _ = await world.post(body, headers=headers(body))
        assert status == 401
        await world.settle()
        assert world.fake.calls == [] and world.fake.responses == []
        assert await nobody_known(database)
    refused = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert refused == ["Slack request refused: missing, wrong or stale signature"]


async def test_retried_events_are_acknowledged_but_not_processed_twice(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        body = event_body({"type": "app_home_opened", "user": ANNA, "tab": "home"}, "EvOnce")
        assert (await world.post(body, form=False))[0] == 200
        await world.fake.wait_for(lambda: world.fake.of("views.publish"))
        retry = {
            **signed_headers(body, form=False),
            "X-Slack-Retry-Num": "1",
            "X-Slack-Retry-Reason": "http_timeout",
        }
        assert (await world.post(body, headers=retry))[0] == 200
        assert (await world.post(body, form=False))[0] == 200  # same event id, no retry header
        # A later event as a marker: once it is handled, a wrongly processed retry would be too.
        marker = event_body({"type": "app_home_opened", "user": "UBEN", "tab": "home"}, "EvNext")
        assert (await world.post(marker, form=False))[0] == 200
        await world.fake.wait_for(lambda: len(world.fake.of("views.publish")) >= 2)
        await world.settle()
        users = [call.params["user_id"] for call in world.fake.of("views.publish")]
        assert users == [ANNA, "UBEN"]


async def test_url_verification_is_answered(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        body = '{"type": "url_verification", "challenge": "abc123", "token": "x"}'
        status, text = await world.post(body, form=False)
        assert status == 200 and "abc123" in text


async def test_a_command_is_acknowledged_quickly_during_a_fan_out(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock, SHAREBOT_SLACK_RATE=1000) as world:
        await fan_out(world, database, people_count=2000, delay=0.01)
        await world.fake.wait_for(lambda: len(world.fake.of("chat.postMessage")) >= 40)
        started = time.perf_counter()
        body = command_body(ANNA, "help", response_url=world.fake.response_url("fast"))
        status, _ = await world.post(body)
        acknowledged = time.perf_counter() - started
        assert status == 200
        assert acknowledged < 1.0, f"ack took {acknowledged:.2f}s"
        assert len(world.fake.of("chat.postMessage")) < 2000  # the fan-out was still running
        await world.fake.wait_for(lambda: any(t == "fast" for t, _ in world.fake.responses))
        await world.settle()
        assert len(world.fake.of("chat.postMessage")) == 2000
        assert world.fake.duplicates() == {}


async def fan_out(
    world: SlackWorld, database: Database, *, people_count: int, delay: float
) -> None:
    """``people_count`` opted-in people, an instant policy and one suggestion for all of them."""
    from tests.slack_support import COMMS, HR

    async with database.transaction() as session:
        for n in range(people_count):
            person = await people.get_or_create(session, "slack", f"UF{n:05d}")
            person.participation = Participation.ON
            person.timezone = "Europe/Berlin"
    await world.command(HR, "policy set window always")
    await world.command(HR, "policy set spread_minutes 0")
    await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
    await world.settle()
    world.fake.post_delay = delay
    await world.command(COMMS, "new https://example.org/news Big news")  # wakes the dispatcher


async def test_socket_mode_needs_no_public_url(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock, SLACK_APP_TOKEN="xapp-1-test") as world:
        await world.fake.wait_for(lambda: world.fake.sockets)
        body = command_body(ANNA, "on", response_url=world.fake.response_url("socket"))
        status, _ = await world.post(body)
        assert status in (404, 405)  # no HTTP endpoint in Socket Mode
        payload = {key: values[0] for key, values in parse_qs(body).items()}
        envelope = {
            "envelope_id": "E1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": payload,
        }
        await world.fake.sockets[0].send_json(envelope)
        acks = await world.fake.wait_for(lambda: world.fake.socket_acks)
        assert acks[0]["envelope_id"] == "E1"
        await world.fake.wait_for(lambda: [b for t, b in world.fake.responses if t == "socket"])
        connect = world.fake.of("apps.connections.open")[0]
        assert connect.headers["Authorization"] == "Bearer xapp-1-test"


async def test_logs_at_info_carry_no_slack_user_ids(
    database: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """privacy rule 6, through bolt, slack_sdk and the adapter together."""
    from tests.slack_support import action_body

    caplog.set_level(logging.INFO)
    async with slack_world(database, clock) as world:
        await world.command(ANNA, "on")
        await world.command(ANNA, "settings")
        await world.press(ANNA, "do|card.pause|0", "1:0")
        await world.post(action_body(ANNA, "share|linkedin", response_url="x"))
        body = event_body({"type": "app_home_opened", "user": ANNA, "tab": "home"}, "EvLog")
        await world.post(body, form=False)
        await world.settle()
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert logged  # the test sees the logs
    assert not [line for line in logged if ANNA in line or "Anna" in line]


async def test_an_unexpected_failure_gets_an_apology(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with slack_world(database, clock) as world:
        await world.command(ANNA, "help")  # Anna's locale is known from now on

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("database gone")

        monkeypatch.setattr(world.runtime.core, "say", broken)
        answer = await world.command(ANNA, "on")
        catalogue = world.runtime.ctx.catalogue
        assert answer["text"] == catalogue.text("en", "error.unexpected")
        assert answer["response_type"] == "ephemeral"


async def test_a_failure_is_logged_without_the_persons_slack_id(
    database: Database,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with slack_world(database, clock) as world:

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError(f"INSERT failed [parameters: ('{ANNA}',)]")  # as drivers word it

        monkeypatch.setattr(world.runtime.core, "say", broken)
        monkeypatch.setattr(world.runtime.core, "submit", broken)
        await world.command(ANNA, "on")
        await world.post(
            submission_body(ANNA, {"type": "modal", "callback_id": "form|settings"}, {})
        )
        await world.settle()
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 2 and all("RuntimeError" in r.getMessage() for r in failures)
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and ANNA in r.getMessage()]
    assert not [r for r in failures if r.exc_info]  # no traceback text at ERROR
