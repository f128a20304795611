"""Proposals through the real Slack adapter: the form as a modal, the card in comms' DMs, "Make
it a suggestion" opening the compose modal filled in, "Decline", and the proposer told."""

from __future__ import annotations

import json
from typing import Any

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

LINK = "https://example.org/lab"


def en(world: SlackWorld, key: str, **params: object) -> str:
    return world.runtime.ctx.catalogue.text("en", key, **params)


def _text_inputs(**values: str) -> dict[str, Any]:
    return {
        name: {"value": {"type": "plain_text_input", "value": value}}
        for name, value in values.items()
    }


async def test_propose_in_a_modal_and_comms_make_it_a_suggestion(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        await world.command(COMMS, "help")
        modal = (await world.command(ANNA, "propose"))["modal"]
        assert modal["callback_id"] == "form|propose"
        values = _text_inputs(url="not a link", text="Our lab", images="")
        _, body = await world.post(submission_body(ANNA, modal, values))
        assert set(json.loads(body)["errors"]) == {"url"}
        values = _text_inputs(url=LINK, text="Our new lab opened", images="")
        _, body = await world.post(submission_body(ANNA, modal, values))
        assert en(world, "propose.sent", id=1) in texts(json.loads(body)["view"])

        [card] = await world.fake.wait_for(lambda: dm_messages(world, COMMS))
        assert "Our new lab opened" in texts(card) and "Anna" not in texts(card)
        assert dm_messages(world, HR) == []
        accept = button_for(card, "proposal.accept")
        refused = await world.press(ANNA, accept["action_id"], accept["value"])
        assert en(world, "error.button") in texts(refused)
        compose = (await world.press(COMMS, accept["action_id"], accept["value"]))["modal"]
        assert compose["callback_id"] == "form|compose"
        assert json.loads(compose["private_metadata"]) == {"proposal": "1"}
        shown = {b["block_id"]: b for b in compose["blocks"] if b["type"] == "input"}
        assert shown["url"]["element"]["initial_value"] == LINK
        assert shown["captions"]["element"]["initial_value"] == "Our new lab opened"

        values = _text_inputs(url=LINK, captions="Our new lab opened #lab", at="now")
        _, body = await world.post(submission_body(COMMS, compose, values))
        assert en(world, "new.created", id=1) in texts(json.loads(body)["view"])
        [told] = await world.fake.wait_for(lambda: dm_messages(world, ANNA))
        assert en(world, "proposal.accepted", id=1, suggestion=1) in texts(told)


async def test_declining_a_proposal_inline_and_the_list(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        await world.command(COMMS, "help")
        answer = await world.command(ANNA, f"propose {LINK} Our lab")
        assert en(world, "propose.sent", id=1) in texts(answer)
        refused = await world.command(ANNA, "anregungen")
        assert en(world, "error.comms_only", command="proposals") in texts(refused)
        listed = await world.command(COMMS, "proposals")
        decline = button_for(listed, "proposal.decline")
        modal = (await world.press(COMMS, decline["action_id"], decline["value"]))["modal"]
        assert modal["callback_id"] == "form|decline"
        values = _text_inputs(reason="Posted last week")
        _, body = await world.post(submission_body(COMMS, modal, values))
        assert en(world, "decline.done", id=1) in texts(json.loads(body)["view"])
        [told] = await world.fake.wait_for(lambda: dm_messages(world, ANNA))
        assert en(world, "approval.reason", reason="Posted last week") in texts(told)
