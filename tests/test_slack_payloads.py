"""Payloads in the shapes Slack documents (``tests/slack_payloads/``) through the pure
translation functions, and one through the running app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from adapters.slack.modal import form_id_of, submitted_values
from adapters.slack.payloads import command_text, pressed
from storage.database import Database
from tests.slack_support import slack_world
from tests.support import FakeClock

PAYLOADS = Path(__file__).parent / "slack_payloads"


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


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


async def test_app_home_opened_publishes_the_home(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        body = (PAYLOADS / "app_home_opened.json").read_text("utf-8")
        status, _ = await world.post(body, form=False)
        assert status == 200
        (published,) = await world.fake.wait_for(lambda: world.fake.of("views.publish"))
        assert published.params["user_id"] == "U2147483697"
