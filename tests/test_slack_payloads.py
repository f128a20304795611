"""Payloads in the shapes Slack documents (``tests/slack_payloads/``) through the pure
translation functions, and one through the running app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.models.views import View as SlackView

from adapters.slack.modal import VALUE, form_id_of, form_modal, submitted_values
from adapters.slack.payloads import command_text, pressed
from bot.views import Form
from storage import suggestions
from storage.database import Database
from tests.slack_support import slack_world
from tests.support import Chat, FakeClock

PAYLOADS = Path(__file__).parent / "slack_payloads"


def load(name: str) -> dict[str, Any]:
    payload = json.loads((PAYLOADS / name).read_text("utf-8"))
    assert isinstance(payload, dict), name
    return payload


def test_slash_command_text_becomes_the_core_grammar() -> None:
    form = {
        k: v[0] for k, v in parse_qs((PAYLOADS / "slash_command.txt").read_text().strip()).items()
    }
    assert form["command"] == "/share"
    assert command_text(form["text"]) == (
        "new https://example.org/jobs?a=1&b=2 Wir stellen ein & wachsen #jobs || Komm zu uns"
        " --topic jobs"
    )


def test_card_button_press() -> None:
    press = pressed(load("block_actions_card.json"))
    assert press is not None
    assert (press.kind, press.action, press.value) == ("do", "card.another", "12:0")
    assert press.response_url == "https://hooks.slack.com/actions/T0001/123/abc"
    assert not press.in_home


def test_share_link_press_is_recognised_as_a_link() -> None:
    press = pressed(load("block_actions_share_link.json"))
    assert press is not None and press.kind == "share" and press.value == ""


def test_home_button_runs_a_command() -> None:
    press = pressed(load("block_actions_home.json"))
    assert press is not None
    assert (press.kind, press.value, press.in_home, press.response_url) == (
        "say",
        "settings",
        True,
        None,
    )


def test_compose_submission_values() -> None:
    view = load("view_submission_compose.json")["view"]
    assert form_id_of(view["callback_id"]) == "compose"
    assert submitted_values(view["state"]) == {
        "url": "https://example.org/team-day",
        "captions": "Was für ein Tag! #teamday || Unser Teamtag",
        "hashtags": "",
        "networks": "linkedin,xing",
        "topic": "events",
        "lang": "de",
        "at": "now",
        "expires": "1w",
    }


def test_compose_submission_with_photos_and_the_share_page() -> None:
    state = load("view_submission_compose_photos.json")["view"]["state"]
    values = submitted_values(state)
    assert values["images"] == (
        "https://photos.example.org/teamtag-1.jpg\nhttps://photos.example.org/teamtag-2.png"
    )
    assert (values["page"], values["networks"]) == ("on", "linkedin,instagram")
    state["values"]["page"][VALUE]["selected_options"] = []
    assert submitted_values(state)["page"] == ""


def inputs(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}


async def test_the_compose_modal_asks_for_photos_and_the_share_page_and_keeps_them(
    chat: Chat,
) -> None:
    await chat.make_comms("chris")
    (form,) = (await chat.say("chris", "new")).views
    assert isinstance(form, Form)
    modal = form_modal(form, close="Close", preview_label="Preview")
    SlackView(**modal).validate_json()
    images, page = inputs(modal)["images"], inputs(modal)["page"]
    assert (images["type"], images["multiline"]) == ("plain_text_input", True)
    assert page["type"] == "checkboxes"
    assert [o["value"] for o in page["options"]] == ["on"]
    assert "initial_options" not in page

    # What comms typed comes back with the form when something else is wrong.
    typed = "https://photos.example.org/a.jpg\nhttps://photos.example.org/b.png"
    state = {
        "values": {
            "url": {VALUE: {"type": "plain_text_input", "value": "not a link"}},
            "captions": {VALUE: {"type": "plain_text_input", "value": "Unser Teamtag"}},
            "images": {VALUE: {"type": "plain_text_input", "value": typed}},
            "page": {VALUE: {"type": "checkboxes", "selected_options": page["options"]}},
        }
    }
    (again,) = (await chat.submit("chris", "compose", submitted_values(state))).views
    assert isinstance(again, Form)
    shown = inputs(form_modal(again, close="Close"))
    assert shown["images"]["initial_value"] == typed
    assert shown["page"]["initial_options"] == page["options"]

    state["values"]["url"][VALUE]["value"] = "https://example.org/team-day"
    del state["values"]["images"]
    await chat.submit("chris", "compose", submitted_values(state))
    async with chat.database.transaction() as session:
        created = await suggestions.get(session, 1)
    assert created is not None and created.page and created.captions == ["Unser Teamtag"]


async def test_app_home_opened_publishes_the_home(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        body = (PAYLOADS / "app_home_opened.json").read_text("utf-8")
        status, _ = await world.post(body, form=False)
        assert status == 200
        (published,) = await world.fake.wait_for(lambda: world.fake.of("views.publish"))
        assert published.params["user_id"] == "U2147483697"
