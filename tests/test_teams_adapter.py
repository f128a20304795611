"""Teams end to end: the real CloudAdapter at /api/messages, a fake Bot Connector at serviceUrl.

Activities are shaped as Teams sends them (personal and channel messages with mentions,
conversationUpdate, Action.Submit payloads in ``value``); the storage is the real one.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.teams.cards import ACTION, FORM, KIND, VALUE
from storage import people, shares
from storage.database import Database
from storage.models import Person
from tests.schemas import card_errors_where_checked as card_errors
from tests.support import FakeClock
from tests.teams_chat import PEOPLE, TEAM, TENANT, TeamsChat, card_text, running_teams


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        yield chat


async def person(chat: TeamsChat, who: str) -> Person | None:
    async with chat.runtime.database.transaction() as session:
        return await people.find(session, "teams", PEOPLE[who].aad)


def text(chat: TeamsChat, message_id: str, language: str = "en", **params: object) -> str:
    return chat.runtime.ctx.catalogue.text(language, message_id, **params)


async def comms(chat: TeamsChat, who: str = "chris") -> None:
    await chat.say("hanna", f"roles grant {PEOPLE[who].aad} comms")
    await chat.say("hanna", "policy set spread_minutes 0")


def press(action: str, value: str = "") -> dict[str, Any]:
    return {KIND: "press", ACTION: action, VALUE: value}


def submit(form: str, **values: str) -> dict[str, Any]:
    return {KIND: "submit", FORM: form, **values}


# ------------------------------------------------------------------ conversations


async def test_installing_the_app_greets_and_remembers_the_conversation(teams: TeamsChat) -> None:
    status = await teams.post(teams.installed("anna"))
    assert status in (200, 201)
    cards = teams.connector.cards(PEOPLE["anna"].chat)
    assert len(cards) == 1 and text(teams, "help.title", "de") in card_text(cards[0])
    stored = await person(teams, "anna")
    assert stored is not None and stored.participation == "undecided"
    reference = json.loads(stored.address or "")
    assert reference["serviceUrl"] == teams.connector.url
    assert reference["conversation"]["id"] == PEOPLE["anna"].chat
    assert reference["conversation"]["tenantId"] == TENANT
    assert stored.platform_locale == "de-DE"


async def test_a_message_stores_locale_and_time_zone_from_client_info(teams: TeamsChat) -> None:
    await teams.say("ben", "on")
    stored = await person(teams, "ben")
    assert stored is not None
    assert (stored.timezone, stored.platform_locale) == ("Europe/London", "en-GB")
    assert stored.display_name == "Ben" and stored.participation == "on"


async def test_with_or_without_the_leading_share(teams: TeamsChat) -> None:
    first = await teams.say("anna", "/share on")
    second = await teams.say("ben", "on")
    assert text(teams, "on.title", "de") in card_text(first[0])
    assert text(teams, "on.title") in card_text(second[0])


async def test_a_channel_message_needs_a_mention_and_is_answered_privately(
    teams: TeamsChat,
) -> None:
    assert await teams.post(teams.channel_message("anna", "on", mention_bot=False)) in (200, 201)
    assert teams.connector.calls == []
    assert await person(teams, "anna") is None

    assert await teams.post(teams.channel_message("anna", "settings")) in (200, 201)
    created = teams.connector.created()
    assert len(created) == 1
    assert created[0].body["members"] == [{"id": PEOPLE["anna"].id}]
    assert created[0].body["channelData"]["tenant"]["id"] == TENANT
    # the answer is in her personal chat, nothing in the channel
    assert teams.connector.messages(PEOPLE["anna"].chat)
    assert all(not call.conversation_id.startswith("19:") for call in teams.connector.messages())
    stored = await person(teams, "anna")
    assert stored is not None
    assert json.loads(stored.address or "")["conversation"]["id"] == PEOPLE["anna"].chat


# ------------------------------------------------------------------ the grammar

GRAMMAR = [
    ("anna", "", "help.title"),
    ("anna", "help", "help.title"),
    ("anna", "hilfe", "help.title"),
    ("anna", "on", "on.title"),
    ("anna", "an", "on.title"),
    ("anna", "pause 2w", "pause.done"),
    ("anna", "resume", "resume.done"),
    ("anna", "settings", "settings.title"),
    ("anna", "topics jobs,events", "topics.set"),
    ("anna", "privacy", "privacy.title"),
    ("anna", "my-data", "mydata.title"),
    ("anna", "forget-me", "forget.title"),
    ("anna", "off", "off.done"),
    ("anna", "aus", "off.done"),
    ("chris", "new", "compose.title"),
    ("chris", "new https://example.com/a Our day #teamday --at 1h", "new.created"),
    ("chris", "list", "list.title"),
    ("chris", "end 1", "end.done"),
    ("chris", "cancel #1", "end.done"),
    ("chris", "stats 1", "stats.title"),
    ("hanna", "stats 1", "stats.title"),
    ("hanna", "policy", "policy.title"),
    ("hanna", "policy set max_per_week 3", "policy.set"),
    ("hanna", "roles", "roles.title"),
    ("hanna", f"roles grant {PEOPLE['ben'].aad} comms", "roles.grant.done"),
    ("hanna", f"roles revoke {PEOPLE['ben'].aad} comms", "roles.revoke.done"),
    ("hanna", "invite team", "error.invite_disabled"),
    ("anna", "policy", "error.not_allowed"),
    ("anna", "frobnicate", "error.unknown_command"),
]


async def test_every_grammar_row(teams: TeamsChat) -> None:
    """Each row of DESIGN §4 through Teams, in order (``end 1`` needs the ``new`` before it)."""
    await comms(teams)
    for who, command, message_id in GRAMMAR:
        cards = await teams.say(who, command)
        assert cards, command
        language = "de" if PEOPLE[who].locale.startswith("de") else "en"
        template = teams.runtime.ctx.catalogue.text(language, message_id, **_blank(message_id))
        wanted = template.split("{")[0].strip().replace("`", "").replace("*", "")[:20]
        assert any(wanted in card_text(card).replace("*", "") for card in cards), (
            command,
            wanted,
            [card_text(c) for c in cards],
        )
        assert all(card_errors(card) == [] for card in cards)


def _blank(message_id: str) -> dict[str, str]:
    """Placeholders are cut off anyway: fill every one with nothing."""
    return _Blank()


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{"


async def test_a_mention_names_the_person_for_roles(teams: TeamsChat) -> None:
    teams.connector.add_team(TEAM, [PEOPLE["ben"].roster_entry()])
    activity = teams.channel_message("hanna", "roles grant <at>Ben</at> comms")
    activity["entities"].append(
        {
            "type": "mention",
            "text": "<at>Ben</at>",
            "mentioned": {"id": PEOPLE["ben"].id, "name": "Ben"},
        }
    )
    assert await teams.post(activity) in (200, 201)
    answer = card_text(teams.connector.cards(PEOPLE["hanna"].chat)[-1])
    assert "Ben" in answer
    async with teams.runtime.database.transaction() as session:
        ben = await people.find(session, "teams", PEOPLE["ben"].aad)
        assert ben is not None and ben.id is not None
        assert "comms" in await people.roles_of(session, ben.id)


# ------------------------------------------------------------------ cards and buttons


async def _delivered(teams: TeamsChat, *names: str) -> dict[str, dict[str, Any]]:
    for name in names:
        await teams.say(name, "on")
    await comms(teams)
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
    urls = [a["url"] for a in _actions(cards["anna"]) if a["type"] == "Action.OpenUrl"]
    assert urls and urls == [
        a["url"] for a in _actions(cards["ben"]) if a["type"] == "Action.OpenUrl"
    ]
    assert all("/s/" in url for url in urls)


async def test_buttons_answer_with_a_new_message_and_never_edit_the_card(teams: TeamsChat) -> None:
    card = (await _delivered(teams, "anna"))["anna"]
    submits = {a["data"][ACTION]: a["data"] for a in _actions(card) if a["type"] == "Action.Submit"}
    copied = await teams.press("anna", submits["card.copy"])
    assert "Our team day" in card_text(copied[0]) or "A great day" in card_text(copied[0])
    another = await teams.press("anna", submits["card.another"])
    assert card_errors(another[0]) == []
    paused = await teams.press("anna", submits["card.pause"])
    assert text(teams, "pause.done", "de").split("{")[0][:10] in card_text(paused[0])
    stopped = await teams.press("anna", submits["card.stop"])
    assert stopped and (await person(teams, "anna")).participation == "off"  # type: ignore[union-attr]
    assert teams.connector.updates() == []


async def test_settings_card_round_trip(teams: TeamsChat) -> None:
    form = (await teams.say("anna", "settings"))[0]
    assert form["actions"][0]["data"] == {KIND: "submit", FORM: "settings"}
    saved = await teams.press(
        "anna",
        submit(
            "settings",
            participation="on",
            paused_until="",
            max_per_week="1",
            topics="jobs",
            networks="linkedin,xing",
            style="each",
            language="en",
        ),
    )
    assert text(teams, "settings.saved")[:15] in card_text(saved[0])
    stored = await person(teams, "anna")
    assert (
        stored is not None and stored.networks == ["linkedin", "xing"] and stored.language == "en"
    )


async def test_compose_card_shows_errors_then_creates(teams: TeamsChat) -> None:
    await comms(teams)
    compose = (await teams.say("chris", "new"))[0]
    assert {b.get("id") for b in compose["body"]} >= {"url", "captions", "hashtags", "at"}
    wrong = await teams.press("chris", submit("compose", url="ftp://nope", captions=""))
    assert len(wrong) == 1 and card_errors(wrong[0]) == []
    assert wrong[0]["body"][0]["text"] == text(teams, "compose.title")
    assert any("errorMessage" in b for b in wrong[0]["body"])
    made = await teams.press(
        "chris",
        submit("compose", url="https://example.com/x", captions="Hallo Welt", lang="de", at="now"),
    )
    assert text(teams, "new.created", id=1) in card_text(made[0])


# ------------------------------------------------------------------ invitations


async def test_invite_team_opens_chats_from_the_paged_roster_and_invites_once(
    teams: TeamsChat,
) -> None:
    members = [PEOPLE[n] for n in ("hanna", "anna", "ben", "clara")]
    teams.connector.add_team(TEAM, [m.roster_entry() for m in members])
    teams.runtime.ctx.directories["teams"].page_size = 2  # type: ignore[attr-defined]
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
    ben = await person(teams, "ben")
    assert (
        ben is not None
        and json.loads(ben.address or "")["conversation"]["id"] == PEOPLE["ben"].chat
    )
    await teams.press("ben", press("invite.yes"))
    assert (await person(teams, "ben")).participation == "on"  # type: ignore[union-attr]
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
        assert card_errors(card) == [] and _actions(card) == []


async def test_full_flow_install_deliver_click(teams: TeamsChat) -> None:
    await teams.post(teams.installed("anna"))
    await teams.say("anna", "on")
    card = (await _delivered(teams, "anna"))["anna"]
    url = next(a["url"] for a in _actions(card) if a["type"] == "Action.OpenUrl")
    calls_before = len(teams.connector.calls)
    async with teams.http.get(url, allow_redirects=False) as response:
        assert response.status == 302
        assert response.headers["Location"].startswith("https://")
    await teams.runtime.ctx.clicks.flush(teams.runtime.database)
    async with teams.runtime.database.transaction() as session:
        assert sum((await shares.clicks_for(session, 1)).values()) == 1
    # a click reaches Sharebot, never Teams: nothing about it goes through the connector
    assert len(teams.connector.calls) == calls_before


def _actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_forget_me_is_confirmed_with_a_button_and_deletes_the_person(
    teams: TeamsChat,
) -> None:
    await teams.say("anna", "on")
    question = (await teams.say("anna", "forget-me"))[0]
    confirm = next(
        a["data"] for a in _actions(question) if a["data"].get(ACTION) == "forget.confirm"
    )
    done = await teams.press("anna", confirm)
    assert done and await person(teams, "anna") is None
    assert teams.connector.updates() == []


async def test_a_failing_turn_is_logged_without_user_ids(
    teams: TeamsChat, caplog: pytest.LogCaptureFixture
) -> None:
    activity = teams.message("anna", "on")
    activity["serviceUrl"] = "http://127.0.0.1:9/"  # nobody answers the reply
    with caplog.at_level("INFO"):
        assert await teams.post(activity) in (200, 201)
    failed = [r for r in caplog.records if "turn failed" in r.getMessage()]
    assert failed
    member = PEOPLE["anna"]
    for record in caplog.records:
        if record.levelno >= 20:
            line = record.getMessage() + str(record.exc_info or "")
            assert member.aad not in line and member.id not in line


async def test_answers_inside_a_turn_are_not_retried_by_the_sdk(teams: TeamsChat) -> None:
    teams.connector.fail(502)
    assert await teams.post(teams.message("anna", "help")) in (200, 201)
    assert len(teams.connector.messages(PEOPLE["anna"].chat)) == 1  # the one that failed
