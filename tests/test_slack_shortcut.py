"""The message shortcut "Suggest for sharing": the recorded ``message_action`` payload through the
pure translation and through the running app (compose modal for comms, an explanation for
everyone else, a message without a link)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from adapters.slack.blocks import escape
from adapters.slack.shortcut import shared_message
from storage.database import Database
from tests.slack_support import ANNA, COMMS, HR, SlackWorld, new_trigger, slack_world, texts
from tests.support import FakeClock

PAYLOAD = json.loads(
    (Path(__file__).parent / "slack_payloads" / "message_action.json").read_text("utf-8")
)


def en(world: SlackWorld, key: str, **params: object) -> str:
    return world.runtime.ctx.catalogue.text("en", key, **params)


def test_the_message_becomes_wording_link_and_photos() -> None:
    shared = shared_message(PAYLOAD["message"])
    assert shared.link == "https://example.org/lab?a=1&b=2"  # the first link, unescaped
    assert shared.text == (
        "Our new lab opened today! Read the story & come by, says hi in #general\n"
        "https://example.org/second"
    )
    # image blocks and attachments; an uploaded file stays behind Slack's sign-in
    assert shared.photos == ("https://example.org/lab.jpg", "https://example.org/unfurl.png")
    assert shared_message({"text": "Just words"}).link == ""


def _shortcut(user: str, message: dict[str, Any], response_url: str) -> str:
    payload = copy.deepcopy(PAYLOAD)
    payload.update(
        user={"id": user, "team_id": "T1"},
        team={"id": "T1"},
        trigger_id=new_trigger(user),
        response_url=response_url,
        message=message,
    )
    return urlencode({"payload": json.dumps(payload)})


async def _opened(world: SlackWorld, user: str, message: dict[str, Any]) -> dict[str, Any]:
    before = len(world.fake.of("views.open"))
    status, _ = await world.post(_shortcut(user, message, world.fake.response_url(user)))
    assert status == 200
    [opened] = (await world.fake.wait_for(lambda: world.fake.of("views.open")[before:]))[-1:]
    view = opened.params["view"]
    modal: dict[str, Any] = json.loads(view) if isinstance(view, str) else view
    return modal


def _initial(modal: dict[str, Any]) -> dict[str, Any]:
    return {
        block["block_id"]: block["element"].get("initial_value")
        for block in modal["blocks"]
        if block["type"] == "input"
    }


async def test_comms_get_the_compose_modal_filled_from_the_message(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        modal = await _opened(world, COMMS, PAYLOAD["message"])
        assert modal["callback_id"] == "form|compose"
        shown = _initial(modal)
        assert shown["url"] == "https://example.org/lab?a=1&b=2"
        assert shown["captions"].startswith("Our new lab opened today! Read the story")
        assert shown["images"] == "https://example.org/lab.jpg\nhttps://example.org/unfurl.png"
        assert en(world, "compose.from_message") in texts(modal)
        assert not world.fake.of("chat.postMessage")  # nothing is sent, nothing saved

        no_link = await _opened(world, COMMS, {"type": "message", "text": "Great day, everyone!"})
        assert _initial(no_link)["url"] is None  # empty
        assert _initial(no_link)["captions"] == "Great day, everyone!"
        assert en(world, "compose.no_link") in texts(no_link)


async def test_everyone_else_gets_a_short_explanation(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        status, _ = await world.post(
            _shortcut(ANNA, PAYLOAD["message"], world.fake.response_url("anna"))
        )
        assert status == 200
        answer = await world.fake.wait_for(
            lambda: next((body for tag, body in world.fake.responses if tag == "anna"), None)
        )
        assert answer["response_type"] == "ephemeral"
        assert escape(en(world, "shortcut.comms_only")) in texts(answer)  # as Slack shows it
        assert not world.fake.of("views.open")
