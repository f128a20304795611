"""An inbound request acts once (delivery rule 3): Teams re-sends an activity with the same id when
the bot answered slowly, a replayed Slack command or interaction carries the same
``trigger_id``. The copy changes nothing and is acknowledged quietly: no second suggestion,
no second answer. Through the real adapters over HTTP; two processes: test_repeats_across_processes.
"""

from __future__ import annotations

import asyncio
import json

import sqlalchemy as sa
from sqlmodel import col

from bot.commands import repeats
from bot.metrics import Metrics
from bot.privacy.retention import purge
from storage.database import Database
from storage.models import HandledRequest, Suggestion
from tests.slack_support import (
    ANNA,
    COMMS,
    HR,
    SlackWorld,
    action_body,
    command_body,
    new_trigger,
    slack_world,
    submission_body,
)
from tests.support import Chat, FakeClock
from tests.teams_chat import PEOPLE, make_comms, press, running_teams

URL = "https://example.com/day"


async def _suggestions(database: Database) -> int:
    async with database.transaction() as session:
        found = await session.execute(sa.select(sa.func.count()).select_from(Suggestion))
        return int(found.scalar_one())


async def _fingerprints(database: Database) -> list[str]:
    async with database.transaction() as session:
        return list((await session.execute(sa.select(col(HandledRequest.fingerprint)))).scalars())


def _repeated(metrics: Metrics, platform: str) -> float:
    return float(metrics.repeated.labels(platform)._value.get())


# -- Teams ----------------------------------------------------------------------------------


async def test_a_teams_activity_sent_twice_makes_one_suggestion(
    database: Database, clock: FakeClock
) -> None:
    async with running_teams(database, clock) as teams:
        await make_comms(teams)
        activity = teams.message("chris", f"new {URL} Our team day")
        chat = PEOPLE["chris"].chat
        before = len(teams.connector.messages(chat))
        assert await teams.post(activity) in (200, 201)
        answered = len(teams.connector.messages(chat))
        assert answered > before  # "created"
        assert await teams.post(activity) in (200, 201)  # the same id: quietly acknowledged
        assert len(teams.connector.messages(chat)) == answered  # and not answered again
        assert await _suggestions(database) == 1
        assert _repeated(teams.runtime.ctx.metrics, "teams") == 1


async def test_two_copies_of_an_activity_at_the_same_moment_act_once(
    database: Database, clock: FakeClock
) -> None:
    async with running_teams(database, clock) as teams:
        await make_comms(teams)
        activity = teams.message("chris", f"new {URL} Our team day")
        statuses = await asyncio.gather(teams.post(activity), teams.post(dict(activity)))
        assert all(status in (200, 201) for status in statuses)
        assert await _suggestions(database) == 1


async def test_a_teams_activity_id_is_only_unique_within_its_conversation(
    database: Database, clock: FakeClock
) -> None:
    async with running_teams(database, clock) as teams:
        first = teams.message("anna", "on")
        second = {**teams.message("ben", "on"), "id": first["id"]}  # another chat, same id
        await teams.post(first)
        await teams.post(second)
        assert _repeated(teams.runtime.ctx.metrics, "teams") == 0
        assert teams.connector.messages(PEOPLE["anna"].chat)
        assert teams.connector.messages(PEOPLE["ben"].chat)


async def test_a_repeated_card_press_and_channel_command_act_once(
    database: Database, clock: FakeClock
) -> None:
    async with running_teams(database, clock) as teams:
        await teams.say("anna", "on")
        pressed = teams.card_press("anna", press("card.pause"))
        chat = PEOPLE["anna"].chat
        await teams.post(pressed)
        answers = len(teams.connector.messages(chat))
        await teams.post(pressed)
        assert len(teams.connector.messages(chat)) == answers
        await make_comms(teams)
        in_channel = teams.channel_message("chris", f"new {URL} From the channel")
        await teams.post(in_channel)
        await teams.post(in_channel)
        assert await _suggestions(database) == 1
        assert _repeated(teams.runtime.ctx.metrics, "teams") == 2


# -- Slack ----------------------------------------------------------------------------------


async def _comms(world: SlackWorld) -> None:
    await world.command(HR, f"roles grant <@{COMMS}|chris> comms")


def _new_suggestion(world: SlackWorld, tag: str) -> str:
    """A signed ``/share new …`` from comms, answered at ``tag``; posted twice, it is a copy."""
    return command_body(
        COMMS,
        f"new {URL} Our outing",
        response_url=world.fake.response_url(tag),
        trigger_id=new_trigger(COMMS),
    )


async def test_a_slack_command_sent_twice_makes_one_suggestion(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await _comms(world)
        body = _new_suggestion(world, "twice")
        assert await world.post(body) == (200, "")
        assert await world.post(body) == (200, "")  # the same trigger_id: an empty ack
        await world.settle()
        assert [tag for tag, _ in world.fake.responses].count("twice") == 1
        assert await _suggestions(database) == 1
        assert _repeated(world.runtime.ctx.metrics, "slack") == 1


async def test_two_copies_of_a_slack_command_at_the_same_moment_act_once(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await _comms(world)
        body = _new_suggestion(world, "together")
        await asyncio.gather(world.post(body), world.post(body))
        await world.settle()
        assert await _suggestions(database) == 1
        assert [tag for tag, _ in world.fake.responses].count("together") == 1


async def test_a_repeated_slack_press_and_form_act_once(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await world.command(ANNA, "on")
        pressed = action_body(ANNA, "do|card.pause|0", response_url=world.fake.response_url("p"))
        await world.post(pressed)
        await world.post(pressed)
        await world.settle()
        assert [tag for tag, _ in world.fake.responses].count("p") == 1
        await _comms(world)
        modal = (await world.command(COMMS, "new"))["modal"]
        values = {
            "url": {"value": {"type": "plain_text_input", "value": URL}},
            "captions": {"value": {"type": "plain_text_input", "value": "Join us"}},
            "at": {"value": {"type": "plain_text_input", "value": "now"}},
        }
        submitted = submission_body(COMMS, modal, values)
        status, first = await world.post(submitted)
        assert status == 200 and json.loads(first)["response_action"] == "update"
        assert await world.post(submitted) == (200, "")  # closes the modal, does nothing
        assert await _suggestions(database) == 1


async def test_copying_a_text_leaves_no_fingerprint(database: Database, clock: FakeClock) -> None:
    """Pressing "copy text" must leave no trace a bystander's silence does not (privacy rule 2):
    not even the mark that would make a copy of the press quiet."""
    async with slack_world(database, clock) as world:
        await _comms(world)
        await world.command(COMMS, f"new {URL} Our outing")
        before = await _fingerprints(database)
        for action in ("card.copy", "card.another"):
            tag = f"pressed-{action}"
            body = action_body(
                ANNA, f"do|{action}|0", "1:0", response_url=world.fake.response_url(tag)
            )
            await world.post(body)
            await world.post(body)  # a copy shows the text again, and changes nothing
        await world.settle()
        assert len(world.fake.responses) >= 4
        assert await _fingerprints(database) == before


# -- the core and retention ---------------------------------------------------------------


async def test_a_request_that_failed_is_not_answered_twice(chat: Chat) -> None:
    actor = chat.actor("anna")
    first = await chat.core.say(actor, "pause someday", request="r-1")
    assert first.views and not first.repeated  # a clear message about the date
    again = await chat.core.say(actor, "pause someday", request="r-1")
    assert again.repeated and not again.views


async def test_only_a_hash_and_the_hour_are_kept_and_purge_forgets_them(
    chat: Chat, clock: FakeClock
) -> None:
    await chat.core.say(chat.actor("anna"), "on", request="teams-conversation|activity-7")
    async with chat.database.transaction() as session:
        rows = (await session.execute(sa.select(HandledRequest))).scalars().all()
    assert [(row.fingerprint, row.seen_hour) for row in rows] == [
        (repeats.fingerprint("chat", "teams-conversation|activity-7"), clock.now())
    ]  # the test clock stands at 10:00 sharp
    clock.advance(hours=23)
    assert (await purge(chat.database, clock.now())).requests == 0
    clock.advance(hours=2)
    assert (await purge(chat.database, clock.now())).requests == 1
    assert await _fingerprints(chat.database) == []
