"""Teams delivery through the real CloudAdapter and a fake Bot Connector: proactive cards,
buttons, invitations of a team, ending a suggestion, and the flow from install to share click."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.teams.cards import ACTION
from storage import outbox, shares
from storage.database import Database
from tests.schemas import card_errors_where_checked as card_errors
from tests.support import FakeClock
from tests.teams_chat import (
    PEOPLE,
    TEAM,
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
    copied = await teams.press("anna", submits["card.copy"])
    assert "Our team day" in card_text(copied[0]) or "A great day" in card_text(copied[0])
    another = await teams.press("anna", submits["card.another"])
    assert card_errors(another[0]) == []
    paused = await teams.press("anna", submits["card.pause"])
    assert text(teams, "pause.done", "de").split("{")[0][:10] in card_text(paused[0])
    stopped = await teams.press("anna", submits["card.stop"])
    assert stopped and (await find_person(teams, "anna")).participation == "off"  # type: ignore[union-attr]
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
    assert (await find_person(teams, "ben")).participation == "on"  # type: ignore[union-attr]
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
        assert sum((await shares.clicks_for(session, 1)).values()) == 1
    # a click reaches Sharebot, never Teams: nothing about it goes through the connector
    assert len(teams.connector.calls) == calls_before


async def test_sharing_and_doing_nothing_leave_the_same_trace(
    teams: TeamsChat, caplog: pytest.LogCaptureFixture
) -> None:
    """DESIGN §6.2 through Teams: Anna shares, Ben ignores the card; only a counter differs."""
    cards = await _delivered(teams, "anna", "ben")
    calls_before = len(teams.connector.calls)
    with caplog.at_level("INFO"):
        async with teams.http.get(share_urls(cards["anna"])[0], allow_redirects=False) as reply:
            assert reply.status == 302
        await teams.runtime.ctx.clicks.flush(teams.runtime.database)
    assert len(teams.connector.calls) == calls_before
    for member in (PEOPLE["anna"], PEOPLE["ben"]):
        assert all(member.aad not in r.getMessage() for r in caplog.records if r.levelno >= 20)

    async def trace(who: str) -> tuple[object, ...]:
        person = await find_person(teams, who)
        assert person is not None and person.id is not None
        async with teams.runtime.database.transaction() as session:
            rows = await outbox.for_person(session, person.id)
            recent = await outbox.recent_for(session, person.id)
        preferences = person.model_dump(
            exclude={"id", "user_key", "display_name", "address", "timezone", "platform_locale"}
        )
        return (
            preferences,
            [(r.kind, r.state, r.suggestion_id, r.reason, r.bundle) for r in rows],
            recent,
        )

    assert await trace("anna") == await trace("ben")
