"""Audiences through the real Slack adapter: ``--to <#C…|name>`` named with conversations.info,
its members listed with conversations.members when the suggestion starts."""

from __future__ import annotations

from storage.database import Database
from tests.slack_support import ANNA, BEN, COMMS, HR, SlackWorld, dm, slack_world, texts
from tests.support import FakeClock

URL = "https://example.org/outing"


def en(world: SlackWorld, key: str, **params: object) -> str:
    return world.runtime.ctx.catalogue.text("en", key, **params)


async def _ready(world: SlackWorld) -> None:
    await world.command(HR, "policy set window always")
    await world.command(HR, "policy set spread_minutes 0")
    await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
    await world.command(ANNA, "on")
    await world.command(BEN, "on")
    world.fake.add_channel("C1", "marketing", [ANNA, COMMS])


async def test_a_suggestion_for_a_channel_reaches_only_its_opted_in_members(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await _ready(world)
        answer = texts(await world.command(COMMS, f"new {URL} Our outing --to <#C1|marketing>"))
        assert en(world, "new.who_audience", audience="#marketing") in answer
        assert en(world, "new.audience_small", audience="#marketing", min=10) in answer
        [info] = world.fake.of("conversations.info")
        assert info.params["channel"] == "C1"
        await world.settle()
        await world.tick()
        await world.fake.wait_for(lambda: world.fake.messages.get(dm(ANNA)))
        assert dm(BEN) not in world.fake.messages
        assert [c.params["channel"] for c in world.fake.of("conversations.members")] == ["C1"]
        listing = texts(await world.command(COMMS, "list"))
        assert en(world, "list.audience", audience="#marketing") in listing


async def test_a_channel_by_name_its_members_at_the_start_and_an_unknown_one(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await _ready(world)
        unknown = texts(await world.command(COMMS, f"new {URL} Our outing --to #nowhere"))
        assert en(world, "error.audience", target="#nowhere") in unknown
        await world.command(COMMS, f"new {URL} Later --to #marketing --at 1h")
        world.fake.add_channel("C1", "marketing", [BEN])  # Anna left, Ben joined meanwhile
        await world.settle()
        clock.advance(hours=1)
        await world.tick()
        await world.fake.wait_for(lambda: world.fake.messages.get(dm(BEN)))
        assert dm(ANNA) not in world.fake.messages
