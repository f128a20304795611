"""Invitations remember how the directory says a member is reached (e.g. a new Teams chat)."""

from __future__ import annotations

from bot.ports import Actor
from storage import people
from tests.support import PLATFORM, Chat


async def test_invite_keeps_each_members_address_and_name(chat: Chat) -> None:
    chat.directory.people["ben"] = Actor(PLATFORM, "ben", "Ben F.", address='{"chat": "ben"}')
    chat.directory.people["clara"] = Actor(PLATFORM, "clara", None, address=None)
    await chat.say("hanna", "policy set participation invite")
    await chat.say("hanna", "invite everyone")
    async with chat.database.transaction() as session:
        ben = await people.find(session, PLATFORM, "ben")
        clara = await people.find(session, PLATFORM, "clara")
    assert ben is not None and ben.address == '{"chat": "ben"}' and ben.display_name == "Ben F."
    assert clara is not None and clara.address is None


async def test_a_known_name_is_not_overwritten(chat: Chat) -> None:
    await chat.say("ben", "help")  # Ben met the bot himself: his own name is kept
    chat.directory.people["ben"] = Actor(PLATFORM, "ben", "Someone Else", address="new")
    await chat.say("hanna", "policy set participation invite")
    await chat.say("hanna", "invite everyone")
    async with chat.database.transaction() as session:
        ben = await people.find(session, PLATFORM, "ben")
    assert ben is not None and ben.display_name == "Ben" and ben.address == "new"
