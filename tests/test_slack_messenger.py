"""The Slack Messenger, Directory and people cache against the fake Web API (real slack_sdk)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.doctor import run_checks
from adapters.settings import load_settings
from adapters.slack.client import web_client
from adapters.slack.directory import SlackDirectory
from adapters.slack.messenger import SlackMessenger
from adapters.slack.people import People
from bot.ports import (
    Addressee,
    MaybeTaken,
    NotTaken,
    Refused,
    SendFailure,
    Unreachable,
)
from bot.views import CardImage, Notice, SuggestionCard
from tests.fake_slack import Failure, FakeSlack, running_fake_slack
from tests.faults import FAULTS, UNCERTAINTY
from tests.slack_support import dm

ANNA = Addressee("slack", "UANNA")
ROOT = Path(__file__).resolve().parent.parent
HELLO = Notice(lines=("Hallo & <willkommen>",))


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with running_fake_slack() as fake:
        yield fake


@pytest.fixture
async def client(fake: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    settings = load_settings(SLACK_BOT_TOKEN="xoxb-t", SLACK_API_URL=fake.api_url.rstrip("/"))
    client = web_client(settings)
    client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.5))
    yield client
    await client.session.close()


async def test_send_posts_to_the_person_and_update_replaces(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    messenger = SlackMessenger(client, rate_per_second=5)
    ref = await messenger.send(ANNA, HELLO)
    assert ref is not None and ref.startswith("DANNA:")
    call = fake.of("chat.postMessage")[0]
    assert call.params["channel"] == "UANNA" and call.headers["Authorization"] == "Bearer xoxb-t"
    await messenger.update(ANNA, ref, Notice(lines=("ended",)))
    channel, ts = ref.split(":")
    assert fake.messages[channel][ts]["text"] == "ended"
    assert messenger.limits.per_conversation[0].count == 1
    assert messenger.limits.overall[0].count == 5


async def test_a_card_is_posted_as_slack_sdk_would_post_it(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    """The body encoded once per card reaches Slack as chat_postMessage's own would, to each
    person their own channel, umlauts and all."""
    card = replace(PHOTO_CARD, caption="Grüße vom Teamtag")
    messenger = SlackMessenger(client, rate_per_second=50)
    for person in ("UANNA", "UBEN"):
        await messenger.send(Addressee("slack", person), card)
    await client.chat_postMessage(
        channel="UBEN", unfurl_links=False, unfurl_media=False, **messenger.content(card)
    )
    anna, ben, by_slack_sdk = fake.of("chat.postMessage")
    assert anna.params["channel"] == "UANNA"
    assert ben.params == by_slack_sdk.params  # read as JSON: the fake reads a form otherwise
    assert "Grüße vom Teamtag" in ben.params["blocks"][1]["text"]["text"]
    assert ben.headers == by_slack_sdk.headers == {"Authorization": "Bearer xoxb-t"}


@pytest.mark.parametrize(
    ("failure", "kind", "detail"),
    [
        (Failure(status=429, retry_after=7), NotTaken, 7.0),
        (Failure(error="ratelimited"), NotTaken, None),
        (Failure(error="user_not_found"), Unreachable, None),
        (Failure(error="user_disabled"), Unreachable, None),
        (Failure(error="cannot_dm_bot"), Unreachable, None),
        # the app is cut off, not the person: nobody becomes unreachable, nothing is retried
        (Failure(error="account_inactive"), Refused, None),
        (Failure(error="token_revoked"), Refused, None),
        (Failure(error="invalid_blocks"), Refused, None),
        # Slack says part of it may have succeeded: never again
        (Failure(error="internal_error"), MaybeTaken, "platform_error"),
        # a 5xx may come after the message was posted (delivery rule 2), even a bare one
        (Failure(status=503), MaybeTaken, "server_error"),
        # longer than the client's timeout: Slack may have posted it, so never again
        (Failure(delay=1.0), MaybeTaken, "timeout"),
        # posted, then answered broken (all but "raise", below)
        *(
            (Failure(fault=fault), MaybeTaken, reason)
            for fault, reason in UNCERTAINTY["slack"].items()
            if fault != "raise"
        ),
    ],
)
async def test_what_slack_did_is_reported_without_retrying(
    fake: FakeSlack,
    client: AsyncWebClient,
    failure: Failure,
    kind: type[SendFailure],
    detail: float | str | None,
) -> None:
    fake.slow_seconds = 1.0  # the client waits 0.5 s
    fake.fail(failure)
    with pytest.raises(SendFailure) as raised:
        await SlackMessenger(client, rate_per_second=5).send(ANNA, HELLO)
    error = raised.value
    assert type(error) is kind
    if isinstance(error, NotTaken):
        assert error.limited and error.retry_after == detail
    if isinstance(error, MaybeTaken):
        assert error.uncertainty == detail
    assert len(fake.of("chat.postMessage")) == 1  # no retry of its own, no hidden one below
    assert "UANNA" not in str(error)
    assert sum(fake.posted.values()) == (1 if failure.fault else 0)  # a fault comes after posting


def test_every_fault_mode_has_its_expected_outcome_on_each_platform() -> None:
    assert {platform: set(table) for platform, table in UNCERTAINTY.items()} == {
        "slack": set(FAULTS),
        "teams": set(FAULTS),
    }


async def test_an_answer_the_client_throws_on_goes_up_as_it_is(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail(Failure(fault="raise"))
    with pytest.raises(ValueError):  # the Sender counts it as maybe taken ("unexpected")
        await SlackMessenger(client, rate_per_second=5).send(ANNA, HELLO)
    assert len(fake.of("chat.postMessage")) == 1 and sum(fake.posted.values()) == 1


async def test_no_connection_means_not_taken(fake: FakeSlack, client: AsyncWebClient) -> None:
    port = fake.listener
    assert port is not None
    port.keep_alive = False
    await port.refuse()
    with pytest.raises(NotTaken) as raised:
        await SlackMessenger(client, rate_per_second=5).send(ANNA, HELLO)
    assert not raised.value.limited
    await port.resume()
    assert await SlackMessenger(client, rate_per_second=5).send(ANNA, HELLO)


async def test_slack_sdks_own_retry_would_post_twice_and_sharebots_client_has_none(
    fake: FakeSlack,
) -> None:
    """slack_sdk retries a dropped connection by default: a message Slack took is posted again.
    The fake counts it; Sharebot's client is built without any retry handler."""
    default = AsyncWebClient(token="xoxb-t", base_url=fake.api_url)
    fake.fail(Failure(fault="reset"))
    await default.chat_postMessage(channel="UANNA", text="hello")
    assert fake.posted[dm("UANNA")] == 2  # the hidden retry
    settings = load_settings(SLACK_BOT_TOKEN="xoxb-t", SLACK_API_URL=fake.api_url)
    assert web_client(settings).retry_handlers == []


PHOTO_CARD = SuggestionCard(
    suggestion_id=3,
    intro="Something to share?",
    caption="Our team day",
    url="https://example.org/day",
    hashtags=(),
    share_buttons=(),
    buttons=(),
    footer="",
    images=(CardImage("https://sharebot.example/i/t", "https://photos.example.org/d.jpg", "Day"),),
)
NO_DOWNLOAD = "downloading image failed [json-pointer:/blocks/2/image_url]"


async def test_a_card_whose_photo_slack_cannot_fetch_goes_out_without_it(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    messenger = SlackMessenger(client, rate_per_second=5)
    fake.fail(Failure(error="invalid_blocks", errors=(NO_DOWNLOAD,)))
    ref = await messenger.send(ANNA, PHOTO_CARD)
    first, second = fake.of("chat.postMessage")
    assert "image" in {b["type"] for b in first.params["blocks"]}
    assert "image" not in {b["type"] for b in second.params["blocks"]}
    assert ref is not None
    fake.fail(Failure(method="chat.update", error="invalid_blocks", errors=(NO_DOWNLOAD,)))
    await messenger.update(ANNA, ref, PHOTO_CARD)
    assert len(fake.of("chat.update")) == 2


async def test_other_invalid_blocks_are_not_sent_again(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail(Failure(error="invalid_blocks", errors=("must be more than 0 characters",)))
    with pytest.raises(Refused):
        await SlackMessenger(client, rate_per_second=5).send(ANNA, PHOTO_CARD)
    assert len(fake.of("chat.postMessage")) == 1


async def test_the_rate_knob_answers_429_above_the_rate(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.rate = 3
    messenger = SlackMessenger(client, rate_per_second=5)
    outcomes = []
    for n in range(5):
        try:
            await messenger.send(Addressee("slack", f"U{n}"), HELLO)
            outcomes.append("sent")
        except NotTaken as error:
            outcomes.append("limited" if error.limited else "failed")
    assert "limited" in outcomes and outcomes.count("sent") >= 3
    assert fake.duplicates() == {}


async def test_directory_pages_through_members_and_skips_non_people(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.add_user("UA", "Anna", locale="de-AT", tz="Europe/Vienna")
    fake.add_user("UB", "Ben")
    fake.add_user("UC", "Cleo")
    fake.add_user("UBOT", "Robot", is_bot=True)
    fake.add_user("UGONE", "Gone", deleted=True)
    fake.add_user("UGUEST", "Guest", is_restricted=True)
    fake.add_user("USINGLE", "Single", is_ultra_restricted=True)
    fake.add_user("USLACKBOT", "Slackbot")
    fake.add_channel("C1", "general", ["UA", "UB", "UBOT", "UGUEST", "UX"])
    directory = SlackDirectory(client, People(client))
    everyone = await directory.members("everyone")
    assert everyone is not None
    assert sorted(a.user_key for a in everyone) == ["UA", "UB", "UC"]
    assert everyone[0].timezone == "Europe/Vienna"
    assert len(fake.of("users.list")) == 4  # 8 users, pages of 2
    for target in ("<#C1|general>", "<#C1>", "#general"):
        found = await directory.members(target)
        assert found is not None and sorted(a.user_key for a in found) == ["UA", "UB"], target
    assert len(fake.of("conversations.members")) == 9  # 5 members, pages of 2, three times
    assert await directory.members("#nowhere") is None
    assert await directory.members("somebody") is None
    anna = await directory.lookup("<@UA|anna>")
    assert anna is not None and anna.display_name == "Anna" and anna.locale == "de-AT"
    assert (await directory.lookup("@ben")) is not None
    assert await directory.lookup("@robot") is None


async def test_people_are_looked_up_once_and_refreshed_now_and_then(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    now = [1000.0]
    people = People(client, refresh_seconds=60, size=2, monotonic=lambda: now[0])
    fake.add_user("UA", "Anna", locale="de-DE", tz="Europe/Berlin")
    first = await people.actor("UA")
    assert (first.locale, first.timezone) == ("de-DE", "Europe/Berlin")
    await people.actor("UA")
    assert len(fake.of("users.info")) == 1
    fake.add_user("UA", "Anna", locale="en-GB", tz="America/New_York")
    now[0] += 61
    moved = await people.actor("UA")
    assert moved.timezone == "America/New_York" and len(fake.of("users.info")) == 2
    fake.fail(Failure(method="users.info", error="ratelimited"))
    now[0] += 61
    assert (await people.actor("UA")).timezone == "America/New_York"  # kept on failure


async def test_doctor_checks_the_token_with_auth_test(fake: FakeSlack, tmp_path: Path) -> None:
    settings = load_settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'doctor.db'}",
        SLACK_BOT_TOKEN="xoxb-t",
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=fake.api_url,
    )
    checks = {check.name: check for check in await run_checks(settings)}
    assert checks["slack"].ok and checks["slack connection"].ok
    assert "T1" in checks["slack connection"].detail
    fake.fail(Failure(method="auth.test", error="invalid_auth"))
    checks = {check.name: check for check in await run_checks(settings)}
    assert not checks["slack connection"].ok
    assert "invalid_auth" in checks["slack connection"].detail


@pytest.mark.parametrize(("rate", "expected"), [("50", (50, 1.0)), ("0.5", (1, 2.0))])
def test_the_workspace_rate_comes_from_settings(rate: str, expected: tuple[int, float]) -> None:
    from adapters.server import build_runtime

    settings = load_settings(
        SHAREBOT_ADAPTERS="slack",
        SLACK_BOT_TOKEN="xoxb-t",
        SLACK_SIGNING_SECRET="s",
        SHAREBOT_SLACK_RATE=rate,
    )
    limits = build_runtime(settings).ctx.messengers["slack"].limits
    assert (limits.overall[0].count, limits.overall[0].seconds) == expected
    assert (limits.per_conversation[0].count, limits.per_conversation[0].seconds) == (1, 1.0)


@pytest.mark.parametrize("rate", ["0", "-1", "fast"])
def test_a_bad_rate_names_its_key(rate: str) -> None:
    from adapters.settings import SettingsError

    with pytest.raises(SettingsError, match="SHAREBOT_SLACK_RATE"):
        load_settings(SHAREBOT_SLACK_RATE=rate)


async def test_the_standalone_fake_plays_faults_for_trying_by_hand() -> None:
    """``python -m tests.fake_slack --fault reset --fault 502 --fault-every 2``: every second
    post is taken, then answered broken, the faults in turn."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fake_slack",
        "--port",
        "0",
        *("--fault", "reset", "--fault", "502", "--fault-every", "2"),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        api_url = (await process.stdout.readline()).decode().strip()
        client = AsyncWebClient(token="xoxb-t", base_url=api_url, retry_handlers=[])
        messenger = SlackMessenger(client, rate_per_second=5)
        outcomes = []
        for n in range(4):
            try:
                await messenger.send(Addressee("slack", f"U{n}"), HELLO)
                outcomes.append("sent")
            except MaybeTaken as error:
                outcomes.append(error.uncertainty.value)
        assert outcomes == ["sent", "connection_lost", "sent", "server_error"]
        async with (
            aiohttp.ClientSession() as http,
            http.get(api_url.replace("/api/", "/fake/stats")) as answer,
        ):
            stats = await answer.json()
        assert (stats["posted"], stats["faulted"], stats["duplicates"]) == (4, 2, {})
    finally:
        process.terminate()
        await process.wait()


def test_the_client_skips_slack_sdks_debug_line_unless_debug_logging_is_on() -> None:
    """slack_sdk builds a debug line of every whole request unless its logger's own level is
    above DEBUG; Sharebot's client sets that level to the one in force, unless it is DEBUG."""
    library = logging.getLogger("slack_sdk.web.async_base_client")
    root = logging.getLogger()
    before = root.level
    settings = load_settings(SLACK_BOT_TOKEN="xoxb-t")
    try:
        library.setLevel(logging.NOTSET)
        root.setLevel(logging.INFO)
        assert web_client(settings).logger.level == logging.INFO
        library.setLevel(logging.NOTSET)
        root.setLevel(logging.DEBUG)
        assert web_client(settings).logger.level == logging.NOTSET  # asked for: still logged
    finally:
        root.setLevel(before)
        library.setLevel(logging.NOTSET)
