"""Translation of recorded Teams activities to core events: pure, no network, no botbuilder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.teams.activities import command_text, reference_of, translate
from adapters.teams.references import BadReference, dump, load

PAYLOADS = Path(__file__).parent / "payloads" / "teams"
ANNA = "6b1e5c2f-3a4d-4e8f-9b0a-1c2d3e4f5a6b"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def test_a_personal_message_is_a_command_from_the_aad_user() -> None:
    event = translate(payload("personal_message"))
    assert (event.kind, event.text, event.personal) == ("say", "/share pause 2w", True)
    actor = event.actor
    assert actor is not None
    assert (actor.platform, actor.user_key) == ("teams", ANNA)
    assert (actor.locale, actor.timezone, actor.display_name) == (
        "de-DE",
        "Europe/Berlin",
        "Anna Berger",
    )
    reference = json.loads(actor.address or "")
    assert reference["serviceUrl"] == "https://smba.trafficmanager.net/emea/"
    assert reference["conversation"]["id"] == "a:1Xk9-personal-conversation-with-anna"
    assert reference["conversation"]["tenantId"] == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert reference["bot"]["id"].startswith("28:") and reference["user"]["aadObjectId"] == ANNA


def test_a_channel_mention_is_stripped_other_mentions_become_ids() -> None:
    event = translate(payload("channel_mention"))
    assert event.kind == "say" and not event.personal
    assert event.text == "roles grant 1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d comms"
    # a channel is never a person's address: their suggestions would go to everyone there
    assert event.actor is not None and event.actor.address is None
    assert event.actor.timezone == "Europe/Vienna"


def test_a_channel_message_without_the_bot_mentioned_is_ignored() -> None:
    activity = payload("channel_mention")
    activity["entities"] = [e for e in activity["entities"] if e["type"] != "mention"]
    activity["text"] = "lunch anyone?"
    assert translate(activity).kind == "ignore"


def test_a_mention_without_an_aad_id_becomes_the_teams_id() -> None:
    activity = payload("channel_mention")
    del activity["entities"][1]["mentioned"]["aadObjectId"]
    assert command_text(activity) == "roles grant 29:1ben-id comms"


def test_card_submit_carries_the_form_values_only() -> None:
    event = translate(payload("card_submit"))
    assert (event.kind, event.form_id) == ("submit", "settings")
    assert dict(event.values) == {
        "participation": "on",
        "paused_until": "",
        "max_per_week": "1",
        "topics": "jobs, events",
        "networks": "linkedin,xing",
        "style": "digest",
        "language": "de",
    }


def test_card_press_carries_the_core_action() -> None:
    event = translate(payload("card_press"))
    assert (event.kind, event.action, event.value) == ("press", "card.copy", "12:1")


def test_the_installation_update_greets_in_the_clients_language() -> None:
    """Recorded from the Microsoft 365 Agents Playground: ``installationUpdate`` carries the
    locale (``en-US``), the ``conversationUpdate`` of the same installation does not."""
    event = translate(payload("agents_playground_installation_update"))
    assert event.kind == "installed" and event.actor is not None and event.actor.address
    assert event.actor.locale == "en-US"


@pytest.mark.parametrize(
    "name",
    [
        "agents_playground_conversation_update",  # the same installation, announced again
        "installed_personal",
        "installed_team",
    ],
)
def test_the_conversation_update_of_an_installation_greets_nobody(name: str) -> None:
    assert translate(payload(name)).kind == "ignore"


@pytest.mark.parametrize(
    "change",
    [
        {"action": "remove"},
        {"conversation": {"isGroup": True, "conversationType": "channel", "id": "19:x"}},
    ],
)
def test_an_uninstallation_or_a_team_installation_greets_nobody(change: dict[str, Any]) -> None:
    assert translate(payload("agents_playground_installation_update") | change).kind == "ignore"


@pytest.mark.parametrize(
    "change",
    [
        {"type": "typing"},
        {"type": "messageReaction"},
        {"from": {"id": "29:guest"}},  # no AAD object id: not a person of this tenant
        {"text": None},
        {"value": {"something": "else"}, "text": None},
    ],
)
def test_what_sharebot_does_not_handle_is_ignored(change: dict[str, Any]) -> None:
    activity = payload("personal_message") | change
    assert translate(activity).kind == "ignore"


def test_odd_text_is_cleaned_not_rejected() -> None:
    activity = payload("personal_message")
    activity["text"] = "  new https://example.com/a?x=1&amp;y=2 Hallo&nbsp;Welt  #tag "
    assert translate(activity).text == "new https://example.com/a?x=1&y=2 Hallo Welt #tag"


def test_references_round_trip_through_the_address_column() -> None:
    stored = json.dumps(reference_of(payload("personal_message")))
    reference = load(stored)
    assert reference.conversation.id == "a:1Xk9-personal-conversation-with-anna"
    assert reference.conversation.tenant_id == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert load(dump(reference)).service_url == reference.service_url


@pytest.mark.parametrize("address", [None, "", "{", "[]", '{"conversation": {"id": "a"}}'])
def test_an_unusable_address_is_refused(address: str | None) -> None:
    with pytest.raises(BadReference):
        load(address)


def test_an_oversized_reference_drops_names_then_gives_up() -> None:
    activity = payload("personal_message")
    activity["from"]["name"] = "N" * 5000
    actor = translate(activity).actor
    assert actor is not None and actor.address is not None and len(actor.address) <= 4000
    assert actor.display_name == "N" * 128
    activity["conversation"]["id"] = "a:" + "x" * 5000
    actor = translate(activity).actor
    assert actor is not None and actor.address is None
