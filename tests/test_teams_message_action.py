"""The Teams message action "Suggest for sharing": recorded ``composeExtension/fetchTask`` and
``composeExtension/submitAction`` invokes through the pure translation and through real
botbuilder, answered with a task module in the HTTP response."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.teams.activities import translate
from adapters.teams.cards import FORM, KIND, markdown
from adapters.teams.message_action import shared_message
from adapters.teams.package import manifest
from storage import suggestions
from storage.database import Database
from tests.schemas import TEAMS_MANIFEST, card_errors, errors
from tests.support import FakeClock
from tests.teams_chat import PEOPLE, TeamsChat, actions, make_comms, running_teams, text
from tests.test_teams_package import APP_ID, settings

PAYLOADS = Path(__file__).parent / "payloads" / "teams"
_IDS = itertools.count(1)


def load(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((PAYLOADS / name).read_text("utf-8"))
    return found


def test_the_message_becomes_wording_link_and_photos() -> None:
    incoming = translate(load("message_action_fetch_task.json"))
    assert incoming.kind == "compose_from" and incoming.invoke and not incoming.personal
    shared = incoming.message
    assert shared is not None
    assert shared.text == "Our new lab opened today & it looks great! Read the story"  # no mention
    assert shared.link == "https://example.org/lab?a=1&b=2"
    # a public image and an image attachment; one pasted into Teams stays behind its sign-in
    assert shared.photos == ("https://example.org/lab.jpg", "https://example.org/chart.png")
    plain = shared_message({"body": {"contentType": "text", "content": "See https://x.org/a."}})
    assert (plain.text, plain.link) == ("See .", "https://x.org/a")
    assert shared_message({"body": {"content": "<p>No link here</p>"}}).link == ""


def test_the_submitted_dialog_is_a_form_submission() -> None:
    incoming = translate(load("message_action_submit.json"))
    assert (incoming.kind, incoming.form_id, incoming.invoke) == ("submit", "compose", True)
    assert incoming.values["url"] == "https://example.org/lab?a=1&b=2"
    assert KIND not in incoming.values and FORM not in incoming.values


def test_other_invokes_are_ignored() -> None:
    activity = load("message_action_fetch_task.json")
    activity["value"]["commandId"] = "somethingElse"
    assert translate(activity).kind == "ignore"


def test_the_package_declares_the_message_action() -> None:
    document = manifest(settings(MICROSOFT_APP_ID=APP_ID))
    assert errors(TEAMS_MANIFEST, document) == []
    [extension] = document["composeExtensions"]
    assert extension["botId"] == APP_ID
    [command] = extension["commands"]
    assert command["type"] == "action" and command["context"] == ["message"]
    assert command["fetchTask"] is True and command["id"] == "suggestForSharing"
    command["context"] = ["everywhere"]
    assert errors(TEAMS_MANIFEST, document) != []  # the schema does check it


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        await make_comms(chat)
        yield chat


async def _invoke(
    teams: TeamsChat, activity: dict[str, Any], who: str, *, again: bool = False
) -> dict[str, Any]:
    """The invoke as ``who`` sends it (under a new id, unless sent ``again``); the task
    module Teams gets in the HTTP response."""
    activity = copy.deepcopy(activity)
    if not again:
        activity["id"] = f"f:{next(_IDS)}"
    activity["serviceUrl"] = teams.connector.url
    activity["from"] = PEOPLE[who].account
    async with teams.http.post(f"{teams.url}/api/messages", json=activity) as response:
        assert response.status == 200
        answer: dict[str, Any] = await response.json()
    return answer


def _task_card(answer: dict[str, Any]) -> dict[str, Any]:
    task = answer["task"]
    assert task["type"] == "continue"
    card: dict[str, Any] = task["value"]["card"]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = card["content"]
    return content


def _inputs(card: dict[str, Any]) -> dict[str, Any]:
    return {element["id"]: element.get("value") for element in card["body"] if "id" in element}


async def test_comms_get_the_compose_dialog_and_create_the_suggestion(teams: TeamsChat) -> None:
    card = _task_card(await _invoke(teams, load("message_action_fetch_task.json"), "chris"))
    assert card_errors(card) == []
    shown = _inputs(card)
    assert shown["url"] == "https://example.org/lab?a=1&b=2"
    assert shown["captions"].startswith("Our new lab opened today")
    assert shown["images"] == "https://example.org/lab.jpg\nhttps://example.org/chart.png"
    [submit] = [a for a in actions(card) if a["type"] == "Action.Submit"]
    assert submit["data"] == {KIND: "submit", FORM: "compose"}

    submitted = load("message_action_submit.json")
    submitted["value"]["data"]["url"] = "not a link"
    again = _task_card(await _invoke(teams, submitted, "chris"))  # back with its problem
    problem = markdown(text(teams, "error.url", url="not a link"))  # as Teams shows it
    assert problem in json.dumps(again, ensure_ascii=False)
    async with teams.runtime.database.transaction() as session:
        assert await suggestions.get(session, 1) is None

    submitted = load("message_action_submit.json")
    answer = await _invoke(teams, submitted, "chris", again=True)
    assert answer["task"]["type"] == "message"
    assert text(teams, "new.created", id=1) in answer["task"]["value"]
    assert await _invoke(teams, submitted, "chris", again=True) == {}  # Teams sent it again
    async with teams.runtime.database.transaction() as session:
        created = await suggestions.get(session, 1)
        assert await suggestions.get(session, 2) is None  # acted on once
    assert created is not None and created.url == "https://example.org/lab?a=1&b=2"


async def test_a_message_without_a_link_and_someone_without_the_role(teams: TeamsChat) -> None:
    activity = load("message_action_fetch_task.json")
    activity["value"]["messagePayload"]["body"]["content"] = "<p>What a great day!</p>"
    activity["value"]["messagePayload"]["attachments"] = []
    card = _task_card(await _invoke(teams, activity, "chris"))
    assert _inputs(card)["url"] is None and _inputs(card)["captions"] == "What a great day!"
    assert text(teams, "compose.no_link") in json.dumps(card, ensure_ascii=False)

    refused = await _invoke(teams, load("message_action_fetch_task.json"), "anna")
    assert refused["task"]["type"] == "message"
    said = text(teams, "shortcut.comms_only").replace("`", "")  # plain text, en-GB as sent
    assert refused["task"]["value"] == said
