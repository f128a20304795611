"""Teams conversations through the real CloudAdapter at /api/messages: installing, the whole
``/share`` grammar, channels, mentions, forms. A fake Bot Connector stands at ``serviceUrl``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from adapters.teams.cards import ACTION, FORM, KIND
from storage import people, suggestions
from storage.database import Database
from tests.schemas import card_errors
from tests.support import FakeClock, eventually
from tests.teams_chat import (
    PEOPLE,
    TEAM,
    TENANT,
    TeamsChat,
    actions,
    card_text,
    find_person,
    make_comms,
    running_teams,
    submit,
    text,
)


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        yield chat


async def test_installing_the_app_greets_and_remembers_the_conversation(teams: TeamsChat) -> None:
    status = await teams.post(teams.installed("anna"))
    assert status in (200, 201)
    cards = teams.connector.cards(PEOPLE["anna"].chat)
    assert len(cards) == 1 and text(teams, "help.title", "de") in card_text(cards[0])
    stored = await find_person(teams, "anna")
    assert stored is not None and stored.participation == "undecided"
    reference = json.loads(stored.address or "")
    assert reference["serviceUrl"] == teams.connector.url
    assert reference["conversation"]["id"] == PEOPLE["anna"].chat
    assert reference["conversation"]["tenantId"] == TENANT
    assert stored.platform_locale == "de-DE"


@pytest.mark.parametrize("installation_first", [True, False])
async def test_one_installation_greets_once_in_the_persons_language(
    teams: TeamsChat, installation_first: bool
) -> None:
    """Teams (and the Agents Playground) announce it twice, in either order; the policy's
    default language is German, Ben's client is English."""
    announcements = [teams.installed("ben"), teams.bot_added("ben")]
    for activity in announcements if installation_first else announcements[::-1]:
        assert await teams.post(activity) in (200, 201)
    cards = teams.connector.cards(PEOPLE["ben"].chat)
    assert len(cards) == 1 and text(teams, "help.title", "en") in card_text(cards[0])


async def test_a_message_stores_locale_and_time_zone_from_client_info(teams: TeamsChat) -> None:
    await teams.say("ben", "on")
    stored = await find_person(teams, "ben")
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
    assert await find_person(teams, "anna") is None

    assert await teams.post(teams.channel_message("anna", "settings")) in (200, 201)
    created = teams.connector.created()
    assert len(created) == 1
    assert created[0].body["members"] == [{"id": PEOPLE["anna"].id}]
    assert created[0].body["channelData"]["tenant"]["id"] == TENANT
    # the answer is in her personal chat, nothing in the channel
    assert teams.connector.messages(PEOPLE["anna"].chat)
    assert all(not call.conversation_id.startswith("19:") for call in teams.connector.messages())
    stored = await find_person(teams, "anna")
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
    ("chris", "dashboard", "dashboard.link.title"),
    ("hanna", "übersicht", "dashboard.link.title"),
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
    """Each row of the README's command table through Teams, in order (``end 1`` needs the
    ``new`` before it)."""
    await make_comms(teams)
    for who, command, message_id in GRAMMAR:
        cards = await teams.say(who, command)
        assert cards, command
        language = "de" if PEOPLE[who].locale.startswith("de") else "en"
        template = teams.runtime.ctx.catalogue.text(language, message_id, **_Blank())
        wanted = template.split("{")[0].strip().replace("`", "").replace("*", "")[:20]
        assert any(wanted in card_text(card).replace("*", "") for card in cards), (
            command,
            wanted,
            [card_text(c) for c in cards],
        )
        assert all(card_errors(card) == [] for card in cards)


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
    stored = await find_person(teams, "anna")
    assert (
        stored is not None and stored.networks == ["linkedin", "xing"] and stored.language == "en"
    )


async def test_compose_card_shows_errors_then_creates(teams: TeamsChat) -> None:
    await make_comms(teams)
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


async def test_compose_card_asks_for_photos_and_the_share_page(teams: TeamsChat) -> None:
    await make_comms(teams)
    compose = (await teams.say("chris", "new"))[0]
    inputs = {b["id"]: b for b in compose["body"] if "id" in b}
    assert (inputs["images"]["type"], inputs["images"]["isMultiline"]) == ("Input.Text", True)
    page = inputs["page"]
    assert (page["type"], page["isMultiSelect"]) == ("Input.ChoiceSet", True)
    assert [c["value"] for c in page["choices"]] == ["on"]  # one box to tick

    typed = "https://photos.example.org/a.jpg\nhttps://photos.example.org/b.png"
    wrong = await teams.press(
        "chris", submit("compose", url="ftp://nope", captions="Hallo", images=typed, page="on")
    )
    again = {b["id"]: b for b in wrong[0]["body"] if "id" in b}
    assert (again["images"]["value"], again["page"]["value"]) == (typed, "on")

    made = await teams.press(
        "chris", submit("compose", url="https://example.com/x", captions="Hallo", page="on")
    )
    assert text(teams, "new.created", id=1) in card_text(made[0])
    async with teams.runtime.database.transaction() as session:
        created = await suggestions.get(session, 1)
    assert created is not None and created.page


async def test_forget_me_is_confirmed_with_a_button_and_deletes_the_person(
    teams: TeamsChat,
) -> None:
    await teams.say("anna", "on")
    question = (await teams.say("anna", "forget-me"))[0]
    confirm = next(
        a["data"] for a in actions(question) if a["data"].get(ACTION) == "forget.confirm"
    )
    done = await teams.press("anna", confirm)
    assert done and await find_person(teams, "anna") is None
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


async def test_a_channel_command_is_answered_after_the_request(
    teams: TeamsChat, caplog: pytest.LogCaptureFixture
) -> None:
    """Teams waits 15 s and then resends: the request returns before the work is done."""
    teams.connector.hang()  # opening the personal chat never answers until released
    async with teams.http.post(
        f"{teams.url}/api/messages", json=teams.channel_message("anna", "settings")
    ) as response:
        assert response.status in (200, 201)
    assert teams.runtime.teams is not None

    async def waiting_for_teams() -> bool:
        return teams.connector.hanging == 1

    await eventually(waiting_for_teams)  # the answer is still under way
    teams.connector.release()  # Teams answers 504 now
    await teams.runtime.teams.idle()
    assert any("channel command failed" in r.getMessage() for r in caplog.records)
    assert teams.connector.messages() == []
