"""Four-eyes approval through real botbuilder and a fake Bot Connector: the approval card in the
approver's personal chat, its buttons, the reason form, and the author told in theirs."""

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
    submit_data,
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


async def test_approval_in_teams(teams: TeamsChat) -> None:
    answer = await teams.say("chris", f"new {URL} Our team day")  # a notice and a preview
    assert text(teams, "new.waiting", id=1) in card_text(answer[0])
    after = len(await cards_to(teams, "chris"))
    card = (await cards_to(teams, "hanna"))[-1]
    assert card_errors(card) == []
    assert text(teams, "approval.title", "de", id=1) in card_text(card)
    assert len(await cards_to(teams, "chris")) == after  # the author gets no card

    approve = submit_data(card, "suggestion.approve")
    [own] = await teams.press("chris", approve)
    assert markdown(text(teams, "approval.own", id=1)) in card_text(own)
    [done] = await teams.press("hanna", approve)
    assert text(teams, "approval.done", "de", id=1) in card_text(done)
    told = (await cards_to(teams, "chris"))[-1]
    assert text(teams, "approval.approved", id=1, by="Hanna") in card_text(told)
    await teams.tick()
    delivered = (await cards_to(teams, "anna"))[-1]
    assert "Our team day" in card_text(delivered)
    assert not teams.connector.updates()  # pressing never edits the card


async def test_rejecting_in_teams_with_the_reason_form(teams: TeamsChat) -> None:
    await teams.say("chris", f"new {URL} Our team day")
    card = (await cards_to(teams, "hanna"))[-1]
    [form] = await teams.press("hanna", submit_data(card, "suggestion.reject"))
    assert card_errors(form) == []
    [submit] = [a for a in actions(form) if a["type"] == "Action.Submit"]
    assert submit["data"] == {KIND: "submit", FORM: "reject", "suggestion": "1"}
    [answer] = await teams.press("hanna", {**submit["data"], "reason": "Nicht diese Woche"})
    assert text(teams, "approval.rejected_done", "de", id=1) in card_text(answer)
    told = (await cards_to(teams, "chris"))[-1]
    assert text(teams, "approval.reason", reason="Nicht diese Woche") in card_text(told)
    await teams.tick()
    assert "Our team day" not in card_text({"all": await cards_to(teams, "anna")})
