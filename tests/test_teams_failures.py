"""A Teams person whose command failed unexpectedly gets an apology in their language, as on
Slack: in their personal chat, also for a command given in a channel."""

from __future__ import annotations

import logging

import pytest

from storage.database import Database
from tests.support import FakeClock
from tests.teams_chat import PEOPLE, card_text, running_teams, text


async def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError(f"database gone while serving {PEOPLE['anna'].aad}")


@pytest.mark.parametrize(("who", "language"), [("anna", "de"), ("ben", "en")])
async def test_a_failed_command_is_answered_with_an_apology_in_the_persons_language(
    database: Database,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    who: str,
    language: str,
) -> None:
    caplog.set_level(logging.INFO)
    async with running_teams(database, clock) as chat:
        monkeypatch.setattr(chat.runtime.core, "say", broken)
        (card,) = await chat.say(who, "on")
        assert card_text(card) == text(chat, "error.unexpected", language)
    assert "turn failed (RuntimeError)" in caplog.text
    assert PEOPLE["anna"].aad not in caplog.text


async def test_a_failed_channel_command_is_apologised_for_in_the_personal_chat(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_teams(database, clock) as chat:
        monkeypatch.setattr(chat.runtime.core, "say", broken)
        assert await chat.post(chat.channel_message("anna", "settings")) in (200, 201)
        (card,) = chat.connector.cards(PEOPLE["anna"].chat)
        assert card_text(card) == text(chat, "error.unexpected", "de")
        assert all(not call.conversation_id.startswith("19:") for call in chat.connector.messages())
