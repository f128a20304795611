"""The Teams Messenger against the fake connector: it says what the Bot Connector did with a
message, never retries, and no client below it retries either."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials

from adapters.settings import load_settings
from adapters.teams.app import build_adapter
from adapters.teams.connector import single_attempt
from adapters.teams.messenger import TeamsMessenger, activity_for
from bot.ports import (
    Addressee,
    MaybeTaken,
    NotTaken,
    Rate,
    Refused,
    SendFailure,
    Unreachable,
)
from bot.views import Notice
from tests.fake_connector import FakeConnector, running_connector
from tests.faults import UNCERTAINTY
from tests.teams_chat import BOT, PEOPLE, TENANT

NOTICE = Notice(lines=("Hallo",))


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async with running_connector() as fake:
        yield fake


def messenger(timeout: float = 30.0) -> TeamsMessenger:
    settings = load_settings(SHAREBOT_ADAPTERS="teams")
    return TeamsMessenger(build_adapter(settings), "", timeout=timeout)


def anna(connector: FakeConnector) -> Addressee:
    member = PEOPLE["anna"]
    reference = {
        "user": member.account,
        "bot": BOT,
        "conversation": {"id": member.chat, "conversationType": "personal", "tenantID": TENANT},
        "channelId": "msteams",
        "serviceUrl": connector.url,
    }
    return Addressee("teams", member.aad, json.dumps(reference))


async def test_send_posts_one_new_message_and_returns_its_id(connector: FakeConnector) -> None:
    ref = await messenger().send(anna(connector), NOTICE)
    [call] = connector.messages()
    assert ref == "activity-1" and call.activity_id == ""
    assert call.conversation_id == PEOPLE["anna"].chat
    assert connector.sent[PEOPLE["anna"].chat] == 1


async def test_update_replaces_the_message_by_its_id(connector: FakeConnector) -> None:
    await messenger().update(anna(connector), "activity-7", NOTICE)
    [call] = connector.updates()
    assert call.activity_id == "activity-7" and call.body["attachments"]


@pytest.mark.parametrize(
    ("status", "retry_after", "kind", "detail"),
    [
        (429, "7", NotTaken, 7.0),
        (429, None, NotTaken, None),
        (412, None, NotTaken, None),
        # a 5xx may come after the activity was posted (delivery rule 2): never again
        (502, None, MaybeTaken, "server_error"),
        (504, None, MaybeTaken, "server_error"),
        (500, None, MaybeTaken, "server_error"),
        (403, None, Unreachable, None),
        (404, None, Unreachable, None),
        # the bot's own problem, not the person's: refused, nobody becomes unreachable
        (400, None, Refused, None),
        (401, None, Refused, None),
    ],
)
async def test_refusals_are_reported_and_not_retried(
    connector: FakeConnector,
    status: int,
    retry_after: str | None,
    kind: type[SendFailure],
    detail: float | str | None,
) -> None:
    for operation in ("send", "update"):
        connector.calls.clear()
        connector.fail(status, retry_after=retry_after)
        with pytest.raises(SendFailure) as failed:
            if operation == "send":
                await messenger().send(anna(connector), NOTICE)
            else:
                await messenger().update(anna(connector), "activity-1", NOTICE)
        error = failed.value
        assert type(error) is kind, operation
        if isinstance(error, NotTaken):
            assert error.retry_after == detail and error.limited == (status == 429)
        if isinstance(error, MaybeTaken):
            assert error.uncertainty == detail
        assert len(connector.calls) == 1, "neither the messenger nor msrest may retry"


@pytest.mark.parametrize(("fault", "uncertainty"), UNCERTAINTY["teams"].items())
async def test_a_broken_answer_after_posting_is_maybe_taken(
    connector: FakeConnector, fault: str, uncertainty: str
) -> None:
    connector.slow_seconds = 1.0
    for operation in ("send", "update"):
        connector.calls.clear()
        connector.fault(fault)
        with pytest.raises(MaybeTaken) as failed:
            if operation == "send":
                await messenger(timeout=0.5).send(anna(connector), NOTICE)
            else:
                await messenger(timeout=0.5).update(anna(connector), "activity-1", NOTICE)
        assert failed.value.uncertainty == uncertainty, operation
        assert len(connector.calls) == 1, "neither the messenger nor msrest may retry"
    assert connector.sent[PEOPLE["anna"].chat] == 1  # the send was taken


async def test_msrests_own_retry_would_update_three_times_more(
    connector: FakeConnector,
) -> None:
    """Without Sharebot's single attempt, the connector client itself retries a 502 to a PUT
    (urllib3 under msrest): the fake counts every try."""
    client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url=connector.url)
    connector.fault("502", times=10)
    with pytest.raises(Exception):  # noqa: B017 - whatever msrest makes of four 502s
        await client.conversations.update_activity(
            PEOPLE["anna"].chat, "activity-1", activity_for(NOTICE)
        )
    assert len(connector.updates()) == 4
    connector.failures.clear()
    connector.calls.clear()
    connector.fault("502", times=10)
    with pytest.raises(Exception):  # noqa: B017
        await single_attempt(
            ConnectorClient(MicrosoftAppCredentials("", ""), base_url=connector.url)
        ).conversations.update_activity(PEOPLE["anna"].chat, "activity-1", activity_for(NOTICE))
    assert len(connector.updates()) == 1


async def test_a_timeout_is_uncertain_never_retried(connector: FakeConnector) -> None:
    # The activity may have reached Teams before the answer was lost: sending it again
    # could show it twice, so the dispatcher counts it as uncertain instead.
    connector.hang()
    with pytest.raises(MaybeTaken) as failed:
        await messenger(timeout=0.2).send(anna(connector), NOTICE)
    assert failed.value.uncertainty == "timeout"


async def test_an_unreachable_connector_did_not_take_it(connector: FakeConnector) -> None:
    port = connector.listener
    assert port is not None
    port.keep_alive = False
    await port.refuse()
    with pytest.raises(NotTaken) as failed:
        await messenger().send(anna(connector), NOTICE)
    assert not failed.value.limited
    await port.resume()
    assert await messenger().send(anna(connector), NOTICE)


@pytest.mark.parametrize("address", [None, "", "not json", "[]", '{"serviceUrl": "http://x"}'])
async def test_no_usable_address_is_unreachable(address: str | None) -> None:
    with pytest.raises(Unreachable):
        await messenger().send(Addressee("teams", "someone", address), NOTICE)


def test_declares_the_teams_limits() -> None:
    limits = messenger().limits
    assert limits.per_conversation == (Rate(7, 1.0), Rate(60, 30.0))
    assert limits.overall == (Rate(30, 1.0),)


async def test_many_sends_in_parallel_all_arrive_once(connector: FakeConnector) -> None:
    teams = messenger()
    to = anna(connector)
    refs = await asyncio.gather(*(teams.send(to, NOTICE) for _ in range(20)))
    assert len(set(refs)) == 20 and connector.sent[PEOPLE["anna"].chat] == 20
