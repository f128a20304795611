"""Four-eyes approval (policy ``approval required``), as a conversation with the real core."""

from __future__ import annotations

from bot.commands.buttons import Action, FormId
from bot.ports import MaybeTaken, Uncertainty
from bot.views import Form, Notice, SuggestionCard, View, plain_text
from storage import audit, suggestions
from storage.states import AuditAction, SuggestionState
from tests.support import Chat


async def _organisation(chat: Chat) -> None:
    """Hanna is HR (from the configuration), Chris and Dana are comms, Anna is opted in."""
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.say("hanna", "policy set approval required")
    await chat.make_comms("chris")
    await chat.make_comms("dana")
    await chat.say("anna", "on")


async def _sent(chat: Chat, name: str) -> list[View]:
    await chat.dispatcher.idle()  # notifications go out after the turn, in the background
    return chat.inbox(name)


def _not_waiting(chat: Chat, suggestion_id: int, state: str) -> str:
    return chat.text("approval.not_waiting", id=suggestion_id, state=chat.text(f"state.{state}"))


def _cards(views: list[View]) -> list[SuggestionCard]:
    return [view for view in views if isinstance(view, SuggestionCard)]


async def _state(chat: Chat, suggestion_id: int) -> SuggestionState:
    async with chat.database.transaction() as session:
        found = await suggestions.get(session, suggestion_id)
    assert found is not None
    return found.state


async def test_a_suggestion_waits_until_someone_else_approves_it(chat: Chat) -> None:
    await _organisation(chat)
    answer = await chat.ask("chris", "new https://example.com/day Our day at work")
    assert chat.text("new.waiting", id=1) in answer
    assert chat.text("state.waiting") in await chat.ask("chris", "list")
    await chat.tick()
    assert _cards(await _sent(chat, "anna")) == []  # nothing starts while it waits

    # Everyone who may approve gets the card; the author does not.
    for approver in ("hanna", "dana"):
        [card] = await _sent(chat, approver)
        assert isinstance(card, Notice)
        assert [b.action for b in card.buttons] == [Action.APPROVE, Action.REJECT]
        assert "Chris" in plain_text(card) and "https://example.com/day" in plain_text(card)
    assert await _sent(chat, "chris") == []

    assert await chat.ask("chris", "approve 1") == chat.text("approval.own", id=1)
    await chat.press("chris", Action.APPROVE, "1")
    assert chat.last_reply("chris") == chat.text("approval.own", id=1)
    assert await chat.ask("anna", "approve 1") == chat.text("error.not_allowed", command="approve")
    assert await _state(chat, 1) == SuggestionState.WAITING

    await chat.press("dana", Action.APPROVE, "1")
    assert chat.text("approval.done", id=1) in chat.last_reply("dana")
    [told] = await _sent(chat, "chris")
    assert chat.text("approval.approved", id=1, by="Dana") in plain_text(told)
    await chat.tick()
    assert [card.suggestion_id for card in _cards(await _sent(chat, "anna"))] == [1]

    # A second decision answers clearly and changes nothing.
    assert await chat.ask("hanna", "approve 1") == _not_waiting(chat, 1, "running")
    assert await chat.ask("hanna", "reject 1") == _not_waiting(chat, 1, "running")
    async with chat.database.transaction() as session:
        actions = [entry.action for entry in await audit.recent(session)]
    assert actions.count(AuditAction.SUGGESTION_APPROVED) == 1


async def test_rejecting_with_a_reason_and_without(chat: Chat) -> None:
    await _organisation(chat)
    await chat.say("chris", "new https://example.com/a First")
    await chat.say("chris", "new https://example.com/b Second")

    answer = await chat.ask("hanna", "reject 1 Off-brand   wording, sorry")
    assert answer == chat.text("approval.rejected_done", id=1)
    [told] = await _sent(chat, "chris")
    assert chat.text("approval.rejected", id=1, by="Hanna") in plain_text(told)
    assert chat.text("approval.reason", reason="Off-brand wording, sorry") in plain_text(told)

    # The button asks for an optional reason in a form; an empty one is fine.
    await chat.press("dana", Action.REJECT, "2")
    [form] = chat.replies["dana"][-1].views
    assert isinstance(form, Form) and form.form_id == FormId.REJECT
    assert form.hidden == {"suggestion": "2"}
    await chat.submit("dana", FormId.REJECT, {**form.hidden, "reason": "  "})
    assert chat.last_reply("dana") == chat.text("approval.rejected_done", id=2)
    told = (await _sent(chat, "chris"))[-1]
    assert chat.text("approval.no_reason") in plain_text(told)

    await chat.tick()
    assert _cards(await _sent(chat, "anna")) == []
    assert await _state(chat, 1) == await _state(chat, 2) == SuggestionState.REJECTED
    listing = await chat.ask("chris", "list")
    assert listing.count(chat.text("state.rejected")) == 2
    assert await chat.ask("dana", "approve 2") == _not_waiting(chat, 2, "rejected")
    async with chat.database.transaction() as session:
        details = {e.detail for e in await audit.recent(session) if e.action.endswith("rejected")}
    assert details == {"#1: Off-brand wording, sorry", "#2"}


async def test_a_start_that_passed_while_waiting_means_start_at_approval(chat: Chat) -> None:
    await _organisation(chat)
    await chat.say("chris", "new https://example.com/a Soon --at 1h")
    chat.clock.advance(hours=3)
    await chat.tick()
    assert _cards(await _sent(chat, "anna")) == []
    answer = await chat.ask("dana", "approve 1")
    assert chat.text("new.starts_now") in answer
    await chat.tick()
    assert len(_cards(await _sent(chat, "anna"))) == 1


async def test_a_suggestion_that_expires_while_waiting_cannot_be_approved(chat: Chat) -> None:
    await _organisation(chat)
    await chat.say("chris", "new https://example.com/a Brief --expires 1h")
    chat.clock.advance(hours=2)
    assert await chat.ask("dana", "approve 1") == chat.text("approval.expired", id=1)
    await chat.tick()  # the dispatcher ends it
    assert await chat.ask("dana", "approve 1") == _not_waiting(chat, 1, "ended")


async def test_the_author_may_withdraw_and_forgetting_the_author_withdraws(chat: Chat) -> None:
    await _organisation(chat)
    await chat.say("chris", "new https://example.com/a One")
    await chat.say("chris", "new https://example.com/b Two")
    await chat.say("chris", "end 1")
    assert await chat.ask("dana", "approve 1") == _not_waiting(chat, 1, "ended")
    await chat.say("chris", "forget-me")
    await chat.press("chris", Action.FORGET_CONFIRM)
    assert await _state(chat, 2) == SuggestionState.ENDED
    async with chat.database.transaction() as session:
        assert await suggestions.author_of(session, 2) is None


async def test_without_approval_nothing_waits(chat: Chat) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.make_comms("chris")
    await chat.say("anna", "on")
    answer = await chat.ask("chris", "new https://example.com/a Straight away")
    assert chat.text("new.starts_now") in answer and chat.text("new.waiting", id=1) not in answer
    assert await chat.ask("hanna", "approve 1") == _not_waiting(chat, 1, "scheduled")
    await chat.tick()
    assert len(_cards(await _sent(chat, "anna"))) == 1
    assert await _sent(chat, "hanna") == []


async def test_an_approver_the_platform_may_not_have_reached_costs_only_that_card(
    chat: Chat,
) -> None:
    await _organisation(chat)
    chat.messenger.failures["dana"] = [MaybeTaken(Uncertainty.TIMEOUT)]
    answer = await chat.ask("chris", "new https://example.com/a One")
    assert chat.text("new.waiting", id=1) in answer
    assert await _sent(chat, "dana") == []
    assert len(await _sent(chat, "hanna")) == 1
    assert chat.messenger.attempts.count("dana") == 1  # maybe shown: never sent twice
