"""Teams delivery through the real CloudAdapter and a fake Bot Connector: proactive cards,
buttons, invitations of a team, ending a suggestion, and the flow from install to share click."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.teams.cards import ACTION
from storage import figures, outbox
from storage.database import Database
from tests.fake_connector import Call
from tests.privacy_support import (
    Dump,
    Identity,
    LogCapture,
    capture_logs,
    dump_database,
    swap,
    swap_lines,
    swap_values,
)
from tests.schemas import card_errors
from tests.support import FakeClock
from tests.teams_chat import (
    PEOPLE,
    TEAM,
    Member,
    TeamsChat,
    actions,
    card_text,
    find_person,
    make_comms,
    press,
    running_teams,
    share_urls,
    text,
)


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        yield chat


async def _delivered(teams: TeamsChat, *names: str) -> dict[str, dict[str, Any]]:
    for name in names:
        await teams.say(name, "on")
    await make_comms(teams)
    await teams.say("chris", "new https://example.com/day Our team day || A great day #teamday")
    await teams.tick()
    return {name: teams.connector.cards(PEOPLE[name].chat)[-1] for name in names}


async def test_delivery_sends_the_suggestion_card_proactively(teams: TeamsChat) -> None:
    cards = await _delivered(teams, "anna", "ben")
    for name, card in cards.items():
        assert card_errors(card) == []
        assert "teamday" in card_text(card)
        proactive = teams.connector.messages(PEOPLE[name].chat)[-1]
        assert proactive.activity_id == ""  # a new message, not a reply
    urls = share_urls(cards["anna"])
    assert urls and urls == share_urls(cards["ben"])  # the same links for everyone
    assert all("/s/" in url for url in urls)


async def test_buttons_answer_with_a_new_message_and_never_edit_the_card(teams: TeamsChat) -> None:
    card = (await _delivered(teams, "anna"))["anna"]
    submits = {a["data"][ACTION]: a["data"] for a in actions(card) if a["type"] == "Action.Submit"}
    # "copy text" and "another wording" never reach the bot (see the §6.2 tests below)
    assert set(submits) == {"card.pause", "card.stop"}
    paused = await teams.press("anna", submits["card.pause"])
    assert text(teams, "pause.done", "de").split("{")[0][:10] in card_text(paused[0])
    stopped = await teams.press("anna", submits["card.stop"])
    anna = await find_person(teams, "anna")
    assert stopped and anna is not None and anna.participation == "off"
    assert teams.connector.updates() == []


# ------------------------------------------------------------------ invitations


async def test_invite_team_opens_chats_from_the_paged_roster_and_invites_once(
    teams: TeamsChat,
) -> None:
    members = [PEOPLE[n] for n in ("hanna", "anna", "ben", "clara")]
    teams.connector.add_team(TEAM, [m.roster_entry() for m in members])
    teams.directory.page_size = 2
    await teams.say("anna", "on")
    await teams.say("hanna", "policy set participation invite")
    await teams.say("hanna", "policy set spread_minutes 0")
    assert await teams.post(teams.channel_message("hanna", "invite team")) in (200, 201)
    paged = [c for c in teams.connector.calls if c.path.endswith("/pagedmembers")]
    assert len(paged) == 2 and paged[0].conversation_id == TEAM
    answer = card_text(teams.connector.cards(PEOPLE["hanna"].chat)[-1])
    assert text(teams, "invite.done", "de", target="team")[:12] in answer
    await teams.tick()
    invited = {
        n
        for n in ("anna", "ben", "clara")
        if any(
            text(teams, "invitation.title", lang)[:10] in card_text(c)
            for c in teams.connector.cards(PEOPLE[n].chat)
            for lang in ("de", "en")
        )
    }
    assert invited == {"ben", "clara"}
    # their reference came from the chat Teams created; a "yes" opts in
    ben = await find_person(teams, "ben")
    assert (
        ben is not None
        and json.loads(ben.address or "")["conversation"]["id"] == PEOPLE["ben"].chat
    )
    await teams.press("ben", press("invite.yes"))
    ben = await find_person(teams, "ben")
    assert ben is not None and ben.participation == "on"
    # once: a second invite sends nothing new
    before = len(teams.connector.messages())
    await teams.post(teams.channel_message("hanna", "invite team"))
    await teams.tick()
    after = [
        c for c in teams.connector.messages()[before:] if c.conversation_id != PEOPLE["hanna"].chat
    ]
    assert after == []


async def test_invite_team_from_a_personal_chat_names_the_target(teams: TeamsChat) -> None:
    await teams.say("hanna", "policy set participation invite")
    cards = await teams.say("hanna", "invite team")
    assert text(teams, "error.invite_target", "de", target="team")[:15] in card_text(cards[0])


# ------------------------------------------------------------------ ending, full flow


async def test_ending_a_suggestion_updates_every_sent_card_alike(teams: TeamsChat) -> None:
    await _delivered(teams, "anna", "ben", "clara")
    sent = {
        name: teams.connector.messages(PEOPLE[name].chat)[-1] for name in ("anna", "ben", "clara")
    }
    await teams.say("chris", "end 1")
    await teams.tick()
    updates = teams.connector.updates()
    assert sorted(u.conversation_id for u in updates) == sorted(
        PEOPLE[n].chat for n in ("anna", "ben", "clara")
    )
    ids = {u.conversation_id: u.activity_id for u in updates}
    for name in sent:
        assert ids[PEOPLE[name].chat].startswith("activity-")
    for update in updates:
        card = update.body["attachments"][0]["content"]
        assert card_errors(card) == [] and actions(card) == []


async def test_full_flow_install_deliver_click(teams: TeamsChat) -> None:
    await teams.post(teams.installed("anna"))
    await teams.say("anna", "on")
    card = (await _delivered(teams, "anna"))["anna"]
    url = next(a["url"] for a in actions(card) if a["type"] == "Action.OpenUrl")
    calls_before = len(teams.connector.calls)
    async with teams.http.get(url, allow_redirects=False) as response:
        assert response.status == 302
        assert response.headers["Location"].startswith("https://")
    await teams.runtime.ctx.clicks.flush(teams.runtime.database)
    async with teams.runtime.database.transaction() as session:
        assert sum(((await figures.clicks_of(session, [1]))[1]).values()) == 1
    # a click reaches Sharebot, never Teams: nothing about it goes through the connector
    assert len(teams.connector.calls) == calls_before


# privacy rule 2 through Teams, with the helpers the playground and Slack tests share
# (tests/privacy_support.py). Anna and Dana (same locale and time zone) get the same card; Ben
# opts in between them so that their person ids have the same parity and the planner gives them
# the same caption variant (``person.id % variants``). Anna takes part, Dana does nothing.

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DANA = Member("Dana", "00000006-0000-4000-8000-000000000006", "de-DE", "Europe/Berlin")


async def _anna_and_dana(
    teams: TeamsChat, monkeypatch: pytest.MonkeyPatch, *, approved_for_the_team: bool = False
) -> dict[str, Any]:
    """Both got the card (two wordings, so the card has "another wording"); Anna's card.

    ``approved_for_the_team``: the second round's ways in too. Ben proposes something, Chris
    writes the suggestion in the team's channel for this team (Anna, Ben and Dana are in it)
    and it waits for Hanna's approval first."""
    monkeypatch.setitem(PEOPLE, "dana", DANA)
    for name in ("anna", "ben", "dana"):
        await teams.say(name, "on")
    await make_comms(teams)
    command = "new https://example.com/day Our team day || A great day #teamday"
    if approved_for_the_team:
        await teams.say("hanna", "policy set approval required")
        await teams.say("ben", "propose https://example.com/lab Our new lab")
        roster = [PEOPLE[name].roster_entry() for name in ("anna", "ben", "chris", "dana")]
        teams.connector.add_team(TEAM, roster)
        assert await teams.post(teams.channel_message("chris", f"{command} --to team")) in (
            200,
            201,
        )
        await teams.say("hanna", "approve 1")
    else:
        await teams.say("chris", command)
    await teams.tick()
    return teams.connector.cards(PEOPLE["anna"].chat)[-1]


async def _identity(teams: TeamsChat, name: str) -> Identity:
    """What names them: AAD id, name, ``29:`` id, personal chat, the ids of the activities they
    sent (``on``: the bot's answer is a reply to it) and the id of the card the bot sent them.
    Ids are in the connector's paths too, so they are exchanged as whole words."""
    person = await find_person(teams, name)
    assert person is not None and person.id is not None and person.display_name
    async with teams.runtime.database.transaction() as session:
        (card,) = [row.message_ref for row in await outbox.for_person(session, person.id)]
    assert card
    member = PEOPLE[name]
    theirs = tuple(c.activity_id for c in teams.connector.messages(member.chat) if c.activity_id)
    values = (person.user_key, person.display_name, member.id, member.chat, *theirs, card)
    return Identity(person.id, values)


def _connector_calls(teams: TeamsChat) -> list[tuple[str, str, Any]]:
    """Every call to the Bot Connector: method, path, body. botbuilder's
    ``continue_conversation`` gives each proactive turn a fresh uuid1 as ``replyToId``: a
    nonce per call, naming nobody, so it is replaced by a placeholder."""

    def body(call: Call) -> Any:
        if isinstance(call.body, dict) and UUID.fullmatch(str(call.body.get("replyToId"))):
            return {**call.body, "replyToId": "<continue-conversation nonce>"}
        return call.body

    return sorted(
        ((c.method, c.path, body(c)) for c in teams.connector.calls),
        key=lambda call: json.dumps(call, sort_keys=True),
    )


def _log_lines(logs: LogCapture) -> list[tuple[str, str, str]]:
    """INFO and above from every logger, DEBUG from Sharebot's, without aiohttp's access log:
    Sharebot runs with it off (adapters/cli.py), only the test servers here have it on."""
    return [line for line in logs.lines(debug=True) if line[1] != "aiohttp.access"]


def _swapped_calls(teams: TeamsChat, a: Identity, b: Identity) -> list[tuple[str, str, Any]]:
    return sorted(
        (tuple(swap_values(call, a, b)) for call in _connector_calls(teams)),
        key=lambda call: json.dumps(call, sort_keys=True),
    )


@pytest.mark.parametrize("approved_for_the_team", [False, True])
async def test_sharing_and_doing_nothing_leave_the_same_trace(
    teams: TeamsChat, monkeypatch: pytest.MonkeyPatch, approved_for_the_team: bool
) -> None:
    """Anna clicks every share button of her card, "copy text" too (Action.OpenUrl: Teams
    opens the link and tells the bot nothing); Dana does nothing. The database (all but the
    click counters), every call to the Bot Connector and every log line are identical once they
    are swapped, before and after the counters reach the database, and after the end."""
    with capture_logs() as logs:
        card = await _anna_and_dana(teams, monkeypatch, approved_for_the_team=approved_for_the_team)
        await teams.runtime.dispatcher.idle()  # the approval's notes have gone out
        if approved_for_the_team:  # the roster was asked when it started, not only when named
            rosters = [c for c in teams.connector.calls if c.path.endswith("/pagedmembers")]
            assert len({c.conversation_id for c in rosters}) == 1 and len(rosters) >= 2
        a, b = await _identity(teams, "anna"), await _identity(teams, "dana")
        assert a.person_id % 2 == b.person_id % 2  # the same caption variant for both
        urls = share_urls(card)
        assert urls
        for url in urls:  # the networks redirect; the copy page is shown
            async with teams.http.get(url, allow_redirects=False) as reply:
                assert reply.status in (200, 302)
        dumps: list[Dump] = [await dump_database(teams.runtime.database)]
        await teams.tick()  # the click counters reach the database
        async with teams.runtime.database.transaction() as session:
            assert sum(((await figures.clicks_of(session, [1]))[1]).values()) == len(urls)
        dumps.append(await dump_database(teams.runtime.database))
        await teams.say("chris", "end 1")
        await teams.tick()
        assert len(teams.connector.updates()) == 3  # Anna's, Ben's and Dana's card ended
        dumps.append(await dump_database(teams.runtime.database))
    for dump in dumps:
        assert swap(dump, a, b) == dump
    assert dumps[0]["delivery"][1]  # the check saw the deliveries
    assert _swapped_calls(teams, a, b) == _connector_calls(teams)
    lines = _log_lines(logs)
    assert swap_lines(lines, a, b) == lines
    assert any(level == "INFO" for level, _, _ in lines), "the capture saw nothing"


async def test_copy_text_and_another_wording_leave_the_same_trace(
    teams: TeamsChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Teams has no answer only the presser sees, and a reply would stay in the chat (a chat
    export would show "your text to copy"). So "copy text" is a link to the counted copy page
    and "another wording" unfolds on the card (Action.ShowCard): neither reaches the bot. Anna
    uses both, Dana does nothing; database, connector calls and log lines are identical once
    they are swapped, and Anna's use of them made no call to the connector at all."""
    with capture_logs() as logs:
        card = await _anna_and_dana(teams, monkeypatch)
        a, b = await _identity(teams, "anna"), await _identity(teams, "dana")
        assert a.person_id % 2 == b.person_id % 2
        found = {x["title"]: x for x in actions(card)}
        copy = found[text(teams, "card.copy", "de")]
        another = found[text(teams, "card.another", "de")]
        assert copy["type"] == "Action.OpenUrl" and "/s/" in copy["url"]
        assert another["type"] == "Action.ShowCard"
        unfolded = set(card_text(another["card"]).splitlines())
        assert len(unfolded & {"Our team day", "A great day"}) == 1  # the wording not shown
        calls_before = len(teams.connector.calls)
        async with teams.http.get(copy["url"], allow_redirects=False) as reply:
            assert reply.status in (200, 302)
        assert len(teams.connector.calls) == calls_before
        dumps: list[Dump] = [await dump_database(teams.runtime.database)]
        await teams.tick()  # the copy counter reaches the database
        async with teams.runtime.database.transaction() as session:
            assert ((await figures.clicks_of(session, [1]))[1]).get("copy") == 1
        dumps.append(await dump_database(teams.runtime.database))
    for dump in dumps:
        assert swap(dump, a, b) == dump
    assert _swapped_calls(teams, a, b) == _connector_calls(teams)
    assert teams.connector.updates() == []  # the card itself is never edited
    lines = _log_lines(logs)
    assert swap_lines(lines, a, b) == lines
