"""Audiences (``new … --to #channel``) as conversations with the real core: only the opted-in
members of the channel as they are when it starts, and nobody's membership is written down."""

from __future__ import annotations

from bot.commands.buttons import FormId
from bot.views import Form, SuggestionCard, View
from storage import outbox, people, suggestions
from storage.states import SuggestionState
from tests.support import Chat

LINK = "https://example.com/day"


def _cards(views: list[View]) -> list[int]:
    return [view.suggestion_id for view in views if isinstance(view, SuggestionCard)]


async def _opted_in(chat: Chat, *names: str) -> None:
    await chat.make_comms("chris")
    await chat.say("chris", "help")
    for name in names:
        await chat.say(name, "on")


async def _planned_for(chat: Chat, suggestion_id: int) -> set[str]:
    async with chat.database.transaction() as session:
        ids = await outbox.pending_people(session, suggestion_id)
        return {p.user_key for p in await people.by_ids(session, ids)}


async def test_only_opted_in_members_of_the_channel_get_it(chat: Chat) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    await _opted_in(chat, "anna", "ben", "clara")
    chat.directory.channels["marketing"] = ["anna", "ben", "chris", "deniz"]
    answer = await chat.ask("chris", f"new {LINK} Our team day --to #marketing")
    assert chat.text("new.who_audience", audience="#marketing") in answer
    assert chat.text("new.audience_small", audience="#marketing", min=10) in answer
    await chat.tick()
    assert _cards(chat.inbox("anna")) == _cards(chat.inbox("ben")) == [1]
    assert chat.inbox("clara") == [] and chat.inbox("deniz") == []  # not in it / not opted in
    assert chat.text("list.audience", audience="#marketing") in await chat.ask("chris", "list")
    await chat.say("deniz", "on")  # after the start: the audience was who was in it then
    await chat.tick()
    assert chat.inbox("deniz") == []


async def test_a_large_enough_channel_gets_no_warning_and_everyone_is_the_default(
    chat: Chat,
) -> None:
    await _opted_in(chat)
    chat.directory.channels["all-hands"] = [f"p{n}" for n in range(10)]
    answer = await chat.ask("chris", f"new {LINK} Our day --to #all-hands")
    assert chat.text("new.audience_small", audience="#all-hands", min=10) not in answer
    for everyone in ("everyone", "alle"):
        answer = await chat.ask("chris", f"new {LINK} Our day --to {everyone}")
        assert chat.text("new.who") in answer
    async with chat.database.transaction() as session:
        found = await suggestions.by_ids(session, [1, 2, 3])
    assert [s.audience for s in sorted(found, key=lambda s: s.id or 0)] == [
        {"platform": "chat", "key": "all-hands", "label": "#all-hands"},
        None,
        None,
    ]


async def test_an_unknown_channel_is_refused_and_nothing_is_created(chat: Chat) -> None:
    await _opted_in(chat)
    answer = await chat.ask("chris", f"new {LINK} Our day --to #nowhere")
    assert answer == chat.text("error.audience", target="#nowhere")
    [form] = (await chat.submit("chris", FormId.COMPOSE, _compose("#nowhere"))).views
    assert isinstance(form, Form)
    errors = {f.name: f.error for f in form.fields if f.error}
    assert errors == {"to": chat.text("error.audience", target="#nowhere")}
    async with chat.database.transaction() as session:
        assert await suggestions.get(session, 1) is None


async def test_the_compose_form_takes_the_audience(chat: Chat) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    await _opted_in(chat, "anna", "ben")
    chat.directory.channels["marketing"] = ["ben"]
    await chat.submit("chris", FormId.COMPOSE, _compose("#marketing"))
    assert chat.text("new.created", id=1) in chat.last_reply("chris")
    await chat.tick()
    assert chat.inbox("anna") == [] and _cards(chat.inbox("ben")) == [1]


async def test_members_are_those_of_the_channel_when_it_starts(chat: Chat) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    await _opted_in(chat, "anna", "ben", "clara")
    chat.directory.channels["marketing"] = ["anna", "ben"]
    await chat.say("chris", f"new {LINK} Later --to #marketing --at 2h")
    chat.directory.channels["marketing"] = ["anna", "clara"]  # Ben left, Clara joined
    chat.clock.advance(hours=2)
    chat.directory.failures.append(ConnectionError("Slack is down"))
    await chat.tick()  # the members could not be listed: it waits, nothing is planned
    async with chat.database.transaction() as session:
        waiting = await suggestions.get(session, 1)
    assert waiting is not None and waiting.state == SuggestionState.SCHEDULED
    await chat.tick()
    assert _cards(chat.inbox("anna")) == _cards(chat.inbox("clara")) == [1]
    assert chat.inbox("ben") == []
    assert chat.directory.listed == ["marketing", "marketing"]  # asked at the start only


async def test_a_channel_gone_by_the_start_reaches_nobody(chat: Chat) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    await _opted_in(chat, "anna")
    chat.directory.channels["marketing"] = ["anna"]
    await chat.say("chris", f"new {LINK} Later --to #marketing --at 1h")
    del chat.directory.channels["marketing"]
    chat.clock.advance(hours=1)
    await chat.tick()
    async with chat.database.transaction() as session:
        started = await suggestions.get(session, 1)
    assert started is not None and started.state == SuggestionState.RUNNING
    assert chat.inbox("anna") == []


async def test_planning_again_keeps_the_audience(chat: Chat) -> None:
    """Deliveries still to come are planned again after a policy or preference change; for a
    channel's suggestion only those who had one get one again."""
    await _opted_in(chat, "anna", "ben", "clara")  # spread over two hours: still pending
    chat.directory.channels["marketing"] = ["anna", "ben"]
    await chat.say("chris", f"new {LINK} Our day --to #marketing")
    await chat.say("chris", f"new {LINK}/all For everyone")
    await chat.tick()
    assert await _planned_for(chat, 1) == {"anna", "ben"}
    await chat.say("hanna", "policy set max_per_week 3")
    assert await _planned_for(chat, 1) == {"anna", "ben"}
    assert await _planned_for(chat, 2) == {"anna", "ben", "clara"}
    await chat.say("anna", "topics events")  # she changes her topics: it stays hers
    await chat.say("clara", "topics events")
    assert await _planned_for(chat, 1) == {"anna", "ben"}


def _compose(to: str) -> dict[str, str]:
    return {"url": LINK, "captions": "Our day", "at": "now", "lang": "en", "to": to}
