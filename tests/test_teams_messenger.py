"""The Teams Messenger against the fake connector: it classifies failures and never retries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from adapters.settings import load_settings
from adapters.teams.app import build_adapter
from adapters.teams.messenger import TeamsMessenger
from bot.ports import Addressee, DeliveryFailed, Rate
from bot.views import Notice
from tests.fake_connector import FakeConnector, running_connector
from tests.teams_chat import BOT, PEOPLE, TENANT

NOTICE = Notice(lines=("Hallo",))


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async with running_connector() as fake:
        yield fake


def messenger(timeout: float = 30.0) -> TeamsMessenger:
    settings = load_settings(_env_file=None, SHAREBOT_ADAPTERS="teams")
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
    ("status", "retry_after", "permanent", "rate_limited", "wait"),
    [
        (429, "7", False, True, 7.0),
        (429, None, False, True, None),
        (412, None, False, False, None),
        (502, None, False, False, None),
        (504, None, False, False, None),
        (500, None, False, False, None),
        (403, None, True, False, None),
        (404, None, True, False, None),
    ],
)
async def test_failures_are_classified_and_not_retried(
    connector: FakeConnector,
    status: int,
    retry_after: str | None,
    permanent: bool,
    rate_limited: bool,
    wait: float | None,
) -> None:
    for operation in ("send", "update"):
        connector.calls.clear()
        connector.fail(status, retry_after=retry_after)
        with pytest.raises(DeliveryFailed) as failed:
            if operation == "send":
                await messenger().send(anna(connector), NOTICE)
            else:
                await messenger().update(anna(connector), "activity-1", NOTICE)
        error = failed.value
        assert (error.permanent, error.rate_limited, error.retry_after) == (
            permanent,
            rate_limited,
            wait,
        ), operation
        assert len(connector.calls) == 1, "the messenger must not retry on its own"


async def test_a_timeout_is_uncertain_never_retried(connector: FakeConnector) -> None:
    # The activity may have reached Teams before the answer was lost: sending it again
    # could show it twice, so the dispatcher counts it as uncertain instead.
    connector.hang()
    with pytest.raises(DeliveryFailed) as failed:
        await messenger(timeout=0.2).send(anna(connector), NOTICE)
    assert failed.value.uncertain and not failed.value.permanent


async def test_an_unreachable_connector_is_transient(connector: FakeConnector) -> None:
    to = anna(connector)
    closed = to.address.replace(connector.url, "http://127.0.0.1:9/")  # type: ignore[union-attr]
    with pytest.raises(DeliveryFailed) as failed:
        await messenger().send(Addressee("teams", to.user_key, closed), NOTICE)
    assert not failed.value.permanent


@pytest.mark.parametrize("address", [None, "", "not json", "[]", '{"serviceUrl": "http://x"}'])
async def test_no_usable_address_is_permanent(address: str | None) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await messenger().send(Addressee("teams", "someone", address), NOTICE)
    assert failed.value.permanent


def test_declares_the_teams_limits() -> None:
    limits = messenger().limits
    assert limits.per_conversation == (Rate(7, 1.0), Rate(60, 30.0))
    assert limits.overall == (Rate(30, 1.0),)


async def test_many_sends_in_parallel_all_arrive_once(connector: FakeConnector) -> None:
    teams = messenger()
    to = anna(connector)
    refs = await asyncio.gather(*(teams.send(to, NOTICE) for _ in range(20)))
    assert len(set(refs)) == 20 and connector.sent[PEOPLE["anna"].chat] == 20
