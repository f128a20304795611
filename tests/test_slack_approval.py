"""Four-eyes approval through the real Slack adapter: the card in the approver's DM, its
buttons, the reason modal, and the author told in their DM."""

from __future__ import annotations

import json

from storage.database import Database
from tests.slack_support import (
    ANNA,
    COMMS,
    HR,
    SlackWorld,
    button_for,
    dm_messages,
    slack_world,
    submission_body,
    texts,
)
from tests.support import FakeClock

URL = "https://example.org/outing"


def text(world: SlackWorld, language: str, key: str, **params: object) -> str:
    return world.runtime.ctx.catalogue.text(language, key, **params)


async def _waiting_suggestion(world: SlackWorld, wording: str) -> None:
    await world.command(COMMS, f"new {URL} {wording}")
    await world.settle()


async def test_approval_cards_buttons_and_the_authors_answer(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await world.command(HR, "policy set window always")
        await world.command(HR, "policy set spread_minutes 0")
        await world.command(HR, "policy set approval required")
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        await world.command(ANNA, "on")
        answer = await world.command(COMMS, f"new {URL} Our summer outing")
        assert text(world, "en", "new.waiting", id=1) in texts(answer)
        await world.settle()

        # Hanna (HR, German) gets the card in the app's DM; Chris, who wrote it, does not.
        [card] = await world.fake.wait_for(lambda: dm_messages(world, HR))
        assert text(world, "de", "approval.title", id=1) in texts(card)
        assert dm_messages(world, COMMS) == []
        approve = button_for(card, "suggestion.approve")
        own = await world.press(COMMS, approve["action_id"], approve["value"])
        assert text(world, "en", "approval.own", id=1) in texts(own)
        await world.tick()
        assert dm_messages(world, ANNA) == []  # nothing goes out while it waits

        done = await world.press(HR, approve["action_id"], approve["value"])
        assert done["response_type"] == "ephemeral" and done["replace_original"] is False
        assert text(world, "de", "approval.done", id=1) in texts(done)
        [told] = await world.fake.wait_for(lambda: dm_messages(world, COMMS))
        assert text(world, "en", "approval.approved", id=1, by="Hanna") in texts(told)
        await world.settle()
        await world.tick()
        await world.fake.wait_for(lambda: dm_messages(world, ANNA))
        again = await world.press(HR, approve["action_id"], approve["value"])
        running = text(world, "de", "state.running")
        assert text(world, "de", "approval.not_waiting", id=1, state=running) in texts(again)
        assert not world.fake.of("chat.update")  # pressing never edits the card


async def test_reject_asks_for_a_reason_in_a_modal(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        await world.command(HR, "policy set approval required")
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        await _waiting_suggestion(world, "Our outing")
        [card] = await world.fake.wait_for(lambda: dm_messages(world, HR))
        reject = button_for(card, "suggestion.reject")
        modal = (await world.press(HR, reject["action_id"], reject["value"]))["modal"]
        assert modal["callback_id"] == "form|reject"
        assert json.loads(modal["private_metadata"]) == {"suggestion": "1"}
        values = {"reason": {"value": {"type": "plain_text_input", "value": "Not this week"}}}
        status, body = await world.post(submission_body(HR, modal, values))
        answer = json.loads(body)
        assert status == 200 and answer["response_action"] == "update"
        assert text(world, "de", "approval.rejected_done", id=1) in texts(answer["view"])
        [told] = await world.fake.wait_for(lambda: dm_messages(world, COMMS))
        assert text(world, "en", "approval.reason", reason="Not this week") in texts(told)
        assert text(world, "en", "state.rejected") in texts(await world.command(COMMS, "list"))


async def test_reject_by_command_without_a_reason_and_the_wrong_role(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await world.command(HR, "policy set approval required")
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        await _waiting_suggestion(world, "Our outing")
        refused = await world.command(ANNA, "ablehnen 1")
        assert text(world, "en", "error.not_allowed", command="reject") in texts(refused)
        answer = await world.command(HR, "ablehnen 1")
        assert text(world, "de", "approval.rejected_done", id=1) in texts(answer)
        [told] = await world.fake.wait_for(lambda: dm_messages(world, COMMS))
        assert text(world, "en", "approval.no_reason") in texts(told)
