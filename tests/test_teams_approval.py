"""Four-eyes approval through real botbuilder and a fake Bot Connector: the approval card in the
approver's personal chat, its buttons, the reason form, and the author told in theirs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.teams.cards import ACTION, FORM, KIND, markdown
from storage.database import Database
from tests.schemas import card_errors
from tests.support import FakeClock
from tests.teams_chat import (
    PEOPLE,
    TeamsChat,
    actions,
    card_text,
    make_comms,
    running_teams,
    text,
)

URL = "https://example.com/day"


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        await chat.say("hanna", "policy set approval required")
        await make_comms(chat)
        await chat.say("anna", "on")
        yield chat


async def _cards_to(teams: TeamsChat, who: str) -> list[dict[str, Any]]:
    await teams.runtime.dispatcher.idle()  # sent after the turn, in the background
    return teams.connector.cards(PEOPLE[who].chat)


def _submit(card: dict[str, Any], action: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        a["data"] for a in actions(card) if a.get("data", {}).get(ACTION) == action
    )
    return found


async def test_approval_in_teams(teams: TeamsChat) -> None:
    answer = await teams.say("chris", f"new {URL} Our team day")  # a notice and a preview
    assert text(teams, "new.waiting", id=1) in card_text(answer[0])
    after = len(await _cards_to(teams, "chris"))
    card = (await _cards_to(teams, "hanna"))[-1]
    assert card_errors(card) == []
    assert text(teams, "approval.title", "de", id=1) in card_text(card)
    assert len(await _cards_to(teams, "chris")) == after  # the author gets no card

    approve = _submit(card, "suggestion.approve")
    [own] = await teams.press("chris", approve)
    assert markdown(text(teams, "approval.own", id=1)) in card_text(own)
    [done] = await teams.press("hanna", approve)
    assert text(teams, "approval.done", "de", id=1) in card_text(done)
    told = (await _cards_to(teams, "chris"))[-1]
    assert text(teams, "approval.approved", id=1, by="Hanna") in card_text(told)
    await teams.tick()
    delivered = (await _cards_to(teams, "anna"))[-1]
    assert "Our team day" in card_text(delivered)
    assert not teams.connector.updates()  # pressing never edits the card


async def test_rejecting_in_teams_with_the_reason_form(teams: TeamsChat) -> None:
    await teams.say("chris", f"new {URL} Our team day")
    card = (await _cards_to(teams, "hanna"))[-1]
    [form] = await teams.press("hanna", _submit(card, "suggestion.reject"))
    assert card_errors(form) == []
    [submit] = [a for a in actions(form) if a["type"] == "Action.Submit"]
    assert submit["data"] == {KIND: "submit", FORM: "reject", "suggestion": "1"}
    [answer] = await teams.press("hanna", {**submit["data"], "reason": "Nicht diese Woche"})
    assert text(teams, "approval.rejected_done", "de", id=1) in card_text(answer)
    told = (await _cards_to(teams, "chris"))[-1]
    assert text(teams, "approval.reason", reason="Nicht diese Woche") in card_text(told)
    await teams.tick()
    assert "Our team day" not in card_text({"all": await _cards_to(teams, "anna")})
