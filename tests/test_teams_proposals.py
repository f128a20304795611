"""Proposals through real botbuilder and a fake Bot Connector: the proposal form card, the
card in comms' personal chats, "Make it a suggestion", "Decline", and the proposer told."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.teams.cards import FORM, KIND, markdown
from storage.database import Database
from tests.schemas import card_errors
from tests.support import FakeClock
from tests.teams_chat import (
    TeamsChat,
    actions,
    card_text,
    cards_to,
    make_comms,
    running_teams,
    submit,
    submit_data,
    text,
)

LINK = "https://example.com/lab"


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        await make_comms(chat)
        await chat.say("chris", "help")
        yield chat


async def test_a_proposal_from_the_form_becomes_a_suggestion(teams: TeamsChat) -> None:
    [form] = await teams.say("anna", "propose")
    assert card_errors(form) == []
    [send] = [a for a in actions(form) if a["type"] == "Action.Submit"]
    assert send["data"] == {KIND: "submit", FORM: "propose"}
    [sent] = await teams.press("anna", submit("propose", url=LINK, text="Unser neues Labor"))
    assert markdown(text(teams, "propose.sent", "de", id=1)) in card_text(sent)

    card = (await cards_to(teams, "chris"))[-1]
    assert card_errors(card) == [] and "Unser neues Labor" in card_text(card)
    assert "Anna" not in card_text(card)
    [compose] = await teams.press("chris", submit_data(card, "proposal.accept"))
    assert card_errors(compose) == []
    [create] = [a for a in actions(compose) if a["type"] == "Action.Submit"]
    assert create["data"] == {KIND: "submit", FORM: "compose", "proposal": "1"}
    inputs = {o["id"]: o.get("value") for o in compose["body"] if "id" in o}
    assert inputs["url"] == LINK and inputs["captions"] == "Unser neues Labor"

    created = await teams.press("chris", {**create["data"], **inputs, "at": "now"})
    assert text(teams, "new.created", id=1) in card_text(created[0])
    told = (await cards_to(teams, "anna"))[-1]
    assert text(teams, "proposal.accepted", "de", id=1, suggestion=1) in card_text(told)


async def test_declining_a_proposal_in_teams(teams: TeamsChat) -> None:
    await teams.say("anna", f"propose {LINK} Unser Labor")
    card = (await cards_to(teams, "chris"))[-1]
    [form] = await teams.press("chris", submit_data(card, "proposal.decline"))
    [decline] = [a for a in actions(form) if a["type"] == "Action.Submit"]
    assert decline["data"] == {KIND: "submit", FORM: "decline", "proposal": "1"}
    [done] = await teams.press("chris", {**decline["data"], "reason": ""})
    assert text(teams, "decline.done", id=1) in card_text(done)
    told = (await cards_to(teams, "anna"))[-1]
    assert text(teams, "approval.no_reason", "de") in card_text(told)
