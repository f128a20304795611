"""Proposals from employees, as conversations with the real core: proposing, the comms team's
cards and list, making one a suggestion, declining, and what is kept about the proposer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.photos import WebPhotos
from bot.commands.buttons import Action, FormId
from bot.privacy.retention import purge
from bot.views import Form, Notice, View, plain_text
from storage import proposals
from storage.database import Database
from storage.states import ProposalState
from tests.data_export import MyData, exported_data
from tests.photo_server import FakePhotoHost
from tests.support import Chat, FakeClock

LINK = "https://example.com/lab"


@pytest.fixture
async def host() -> AsyncIterator[FakePhotoHost]:
    async with FakePhotoHost() as served:
        yield served


async def _organisation(chat: Chat) -> None:
    """Hanna is HR (configuration), Chris and Dana are comms; Anna is an employee."""
    await chat.make_comms("chris")
    await chat.make_comms("dana")
    for name in ("anna", "chris", "dana"):
        await chat.say(name, "help")  # met: their language is known


async def _sent(chat: Chat, name: str) -> list[View]:
    await chat.dispatcher.idle()
    return chat.inbox(name)


async def _state(chat: Chat, proposal_id: int) -> ProposalState | None:
    async with chat.database.transaction() as session:
        found = await proposals.get(session, proposal_id)
    return found.state if found else None


async def _my_data(chat: Chat, name: str) -> MyData:
    [export] = (await chat.say(name, "my-data")).views
    return exported_data(export)


async def test_an_employee_proposes_and_comms_make_it_a_suggestion(chat: Chat) -> None:
    await _organisation(chat)
    answer = await chat.ask("anna", f"propose {LINK} Our new lab opened today")
    assert answer == chat.text("propose.sent", id=1)

    # Every comms person gets the proposal as a card, without the proposer's name; HR does not.
    for name in ("chris", "dana"):
        [card] = await _sent(chat, name)
        assert isinstance(card, Notice)
        assert [b.action for b in card.buttons] == [Action.ACCEPT_PROPOSAL, Action.DECLINE_PROPOSAL]
        assert "Our new lab opened today" in plain_text(card) and LINK in plain_text(card)
        assert "anna" not in plain_text(card).lower()
    assert await _sent(chat, "hanna") == []

    listing = await chat.say("chris", "proposals")
    assert "Our new lab opened today" in "\n".join(plain_text(v) for v in listing.views)
    assert await chat.ask("anna", "proposals") == chat.text("error.comms_only", command="proposals")

    await chat.press("chris", Action.ACCEPT_PROPOSAL, "1")
    [form] = chat.replies["chris"][-1].views
    assert isinstance(form, Form) and form.form_id == FormId.COMPOSE
    values = {f.name: f.value for f in form.fields}
    assert values["url"] == LINK and values["captions"] == "Our new lab opened today"
    assert form.hidden == {"proposal": "1"}
    assert chat.text("compose.from_proposal", id=1) in form.intro
    assert await _state(chat, 1) == ProposalState.OPEN  # nothing is decided by opening the form

    await chat.submit("chris", FormId.COMPOSE, {**values, **form.hidden})
    assert chat.text("new.created", id=1) in chat.last_reply("chris")
    assert await _state(chat, 1) == ProposalState.ACCEPTED
    [told] = await _sent(chat, "anna")
    assert plain_text(told) == chat.text("proposal.accepted", id=1, suggestion=1)

    await chat.press("dana", Action.ACCEPT_PROPOSAL, "1")
    assert chat.last_reply("dana") == chat.text("proposal.decided", id=1)
    assert chat.text("proposals.empty") in await chat.ask("chris", "proposals")


async def test_declining_with_a_reason_and_without(chat: Chat) -> None:
    await _organisation(chat)
    await chat.say("anna", f"propose {LINK} First idea")
    await chat.say("anna", f"propose {LINK}/2 Second idea")
    await chat.press("chris", Action.DECLINE_PROPOSAL, "1")
    [form] = chat.replies["chris"][-1].views
    assert isinstance(form, Form) and form.form_id == FormId.DECLINE
    await chat.submit("chris", FormId.DECLINE, {**form.hidden, "reason": "We posted it already"})
    assert chat.last_reply("chris") == chat.text("decline.done", id=1)
    await chat.submit("dana", FormId.DECLINE, {"proposal": "2", "reason": ""})
    first, second = await _sent(chat, "anna")
    assert chat.text("approval.reason", reason="We posted it already") in plain_text(first)
    assert chat.text("approval.no_reason") in plain_text(second)
    await chat.submit("dana", FormId.DECLINE, {"proposal": "2", "reason": "again"})
    assert chat.last_reply("dana") == chat.text("proposal.decided", id=2)
    await chat.submit("anna", FormId.DECLINE, {"proposal": "2"})
    assert chat.last_reply("anna") == chat.text("error.not_allowed", command="decline")


async def test_a_forbidden_link_or_photo_is_refused_and_nothing_is_stored(
    database: Database, clock: FakeClock, host: FakePhotoHost
) -> None:
    chat = Chat(database, clock, photos=WebPhotos())  # the operator allows no private range
    try:
        await _organisation(chat)
        for link in ("javascript:alert(1)", "ftp://example.com/x", "example.com/lab"):
            answer = await chat.ask("anna", f"propose {link} Look at this")
            assert answer == chat.text("error.url", url=link)
        photo = host.url("outing.png")  # on loopback: not a public address
        answer = await chat.ask("anna", f"propose {LINK} Our lab --image {photo}")
        assert answer == chat.text("error.photo.unusable", url=photo)
        assert host.hits == {}  # refused before any request reached it
        assert await chat.ask("anna", f"propose {LINK}") == chat.text("error.proposal_text")
        assert await _state(chat, 1) is None
        assert await _sent(chat, "chris") == []
    finally:
        await chat.close()


async def test_a_public_photo_is_checked_and_its_address_kept(
    chat: Chat, host: FakePhotoHost
) -> None:
    await _organisation(chat)
    photo = host.url("outing.png")
    await chat.say("anna", f"propose {LINK} Our lab --image {photo}")
    assert host.hits == {"outing.png": 1}
    [card] = await _sent(chat, "chris")
    assert chat.text("proposal.photo", url=photo) in plain_text(card)
    web_page = host.url("page.html")
    answer = await chat.ask("anna", f"propose {LINK} Our lab --image {web_page}")
    assert "page.html" in answer and answer != chat.text("propose.sent", id=2)


async def test_the_proposal_form(chat: Chat) -> None:
    await _organisation(chat)
    [form] = (await chat.say("anna", "propose")).views
    assert isinstance(form, Form) and form.form_id == FormId.PROPOSE
    back = await chat.submit("anna", FormId.PROPOSE, {"url": "nope", "text": "Hi"})
    [again] = back.views
    assert isinstance(again, Form)
    assert {f.name: f.error for f in again.fields}["url"] == chat.text("error.url", url="nope")
    await chat.submit("anna", FormId.PROPOSE, {"url": LINK, "text": "Our lab", "images": ""})
    assert chat.last_reply("anna") == chat.text("propose.sent", id=1)


async def test_what_is_kept_about_the_proposer_and_for_how_long(chat: Chat) -> None:
    await _organisation(chat)
    await chat.say("hanna", "policy set retention_days 10")
    await chat.say("anna", f"propose {LINK} Our lab")
    data = await _my_data(chat, "anna")
    [mine] = data["proposals"]
    assert mine["url"] == LINK and mine["state"] == "open"
    assert (await _my_data(chat, "chris"))["proposals"] == []

    await chat.say("anna", "off")  # opting out is about receiving suggestions
    assert await _state(chat, 1) == ProposalState.OPEN
    for n in range(2, 6):
        await chat.say("anna", f"propose {LINK}/{n} Idea {n}")
    answer = await chat.ask("anna", f"propose {LINK}/6 One too many")
    assert answer == chat.text("error.proposal_limit", limit=5)

    await chat.submit("chris", FormId.DECLINE, {"proposal": "1"})
    chat.clock.advance(days=11)
    result = await purge(chat.database, chat.clock.now())
    assert result.proposals == 1  # answered long ago; the open ones wait for an answer
    assert await _state(chat, 1) is None and await _state(chat, 2) == ProposalState.OPEN

    await chat.say("anna", "forget-me")
    await chat.press("anna", Action.FORGET_CONFIRM)
    assert await _state(chat, 2) is None
    await chat.press("chris", Action.ACCEPT_PROPOSAL, "2")
    assert chat.last_reply("chris") == chat.text("proposal.gone", id=2)


async def test_nothing_about_proposals_reaches_figures_or_the_audit_trail(chat: Chat) -> None:
    await _organisation(chat)
    before = await chat.ask("hanna", "stats")
    trail = await chat.ask("hanna", "audit")
    await chat.say("anna", f"propose {LINK} Our lab")
    await chat.submit("chris", FormId.DECLINE, {"proposal": "1", "reason": "no"})
    assert await chat.ask("hanna", "stats") == before
    assert await chat.ask("hanna", "audit") == trail
