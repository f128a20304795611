"""What a Teams client shows of Sharebot's messages: placeholders, button rows, required fields,
notifications. Found by driving Microsoft's own client (the Agents Playground) and checked here
through the real adapter against the fake connector."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from adapters.teams.cards import render_card
from bot.views import ShareButton
from storage.database import Database
from tests.schemas import card_errors
from tests.support import FakeClock, objects_in
from tests.teams_chat import PEOPLE, TeamsChat, make_comms, running_teams, submit, text
from tests.test_teams_cards import suggestion

# An HTML tag as a Teams client reads one in a TextBlock: it is dropped, text and all.
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
# Teams folds the actions of one set beyond six into a "…" menu.
TEAMS_ROW = 6


def shown(card: dict[str, Any]) -> str:
    """The card's texts as Teams shows them: tags dropped, entities decoded, ``**`` gone."""
    texts = [o["text"] for o in objects_in(card) if o.get("type") == "TextBlock"]
    return "\n".join(html.unescape(_TAG.sub("", t)).replace("**", "") for t in texts)


@pytest.fixture
async def teams(database: Database, clock: FakeClock) -> AsyncIterator[TeamsChat]:
    async with running_teams(database, clock) as chat:
        yield chat


async def test_placeholders_in_angle_brackets_stay_visible(teams: TeamsChat) -> None:
    await make_comms(teams)
    help_card = (await teams.say("chris", "help"))[0]
    usage = (await teams.say("hanna", "policy frobnicate"))[0]
    policy_form = (await teams.say("hanna", "policy"))[0]
    instagram = (
        await teams.say("chris", "new https://example.com/a Our day --networks instagram")
    )[0]
    for card, language, message_id in (
        (help_card, "en", "help.new_inline"),
        (usage, "de", "error.policy_usage"),
        (policy_form, "de", "policy.hint.utm"),
        (instagram, "en", "error.photo.instagram"),
    ):
        wanted = text(teams, message_id, language).replace("`", "")  # Teams shows no code
        assert "<" in wanted and wanted in shown(card)
    assert "[--image <photo address>] [--page]" in shown(help_card)
    for card in (help_card, usage, policy_form, instagram):
        assert card_errors(card) == []


def test_no_text_a_card_shows_can_be_read_as_a_tag() -> None:
    odd = "Use <b>this</b> & <that one>, a < b > c, <link>"
    card = render_card(suggestion(odd))
    assert odd in shown(card)
    assert not any(_TAG.search(o["text"]) for o in objects_in(card) if o.get("type") == "TextBlock")


def test_a_photo_card_shows_all_seven_share_buttons_in_rows_teams_does_not_fold() -> None:
    networks = ("linkedin", "xing", "instagram", "x", "facebook", "bluesky", "whatsapp")
    buttons = tuple(ShareButton(n, n.title(), f"https://sharebot.example/s/{n}") for n in networks)
    card = render_card(replace(suggestion(images=1), share_buttons=buttons))
    rows = [o["actions"] for o in objects_in(card) if o.get("type") == "ActionSet"]
    assert all(len(row) <= TEAMS_ROW for row in rows)
    opened = [a["url"] for row in rows for a in row if a["type"] == "Action.OpenUrl"]
    assert opened == [b.url for b in buttons]  # every network, in order
    assert [len(row) for row in rows[:2]] == [4, 3]  # evenly filled
    assert card_errors(card) == []


async def test_a_required_field_says_why_an_empty_form_cannot_be_sent(teams: TeamsChat) -> None:
    """Teams blocks the submit of an empty required field and shows only its errorMessage."""
    await make_comms(teams)
    compose = (await teams.say("chris", "new"))[0]
    policy = (await teams.say("hanna", "policy"))[0]
    for card, language in ((compose, "en"), (policy, "de")):
        required = [o for o in objects_in(card) if o.get("isRequired")]
        assert required, card
        for field in required:
            assert field.get("errorMessage") == text(teams, "form.required", language)
        assert card_errors(card) == []
    # A problem the core found replaces the general message, without the core's marks.
    wrong = await teams.press("chris", submit("compose", url="ftp://nope", captions="Hallo"))
    url = next(o for o in objects_in(wrong[0]) if o.get("id") == "url")
    assert url["errorMessage"] not in ("", text(teams, "form.required"))
    assert "`" not in url["errorMessage"]


async def test_notifications_and_previews_carry_no_core_marks(teams: TeamsChat) -> None:
    """Teams shows ``summary`` as plain text: "`window` is now `always`." would show the ticks."""
    await teams.say("chris", "help")
    await make_comms(teams)
    await teams.say("hanna", "policy set window always")
    await teams.say("hanna", "roles")
    set_message, roles = teams.connector.messages(PEOPLE["hanna"].chat)[-2:]
    assert set_message.body["summary"] == "window ist jetzt always."
    role = text(teams, "role.comms", "de")
    assert f"{role}: Chris" in roles.body["summary"].splitlines()
    for call in teams.connector.messages():
        summary = call.body["summary"]
        assert "`" not in summary and not re.search(r"(?<!\w)\*\S", summary), summary
