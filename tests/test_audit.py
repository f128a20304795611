"""The audit trail (privacy rule 7): every admin action is in it, HR alone reads it, and nothing an
employee does ever appears there."""

from __future__ import annotations

from bot.sharing.links import follow
from storage import audit, shares
from tests.support import Chat


async def _actions(chat: Chat) -> list[tuple[str, str, str]]:
    async with chat.database.transaction() as session:
        entries = await audit.recent(session, limit=1000)
    return [(e.actor, e.action, e.detail) for e in reversed(entries)]


async def test_every_admin_action_is_recorded_and_hr_reads_it(chat: Chat) -> None:
    chat.person("chris")
    await chat.say("hanna", "roles grant chris comms")
    await chat.say("chris", "new https://example.com/one One")
    await chat.say("chris", "end 1")
    await chat.say("hanna", "policy set participation invite")
    await chat.say("hanna", "invite everyone")
    await chat.say("hanna", "roles revoke chris comms")
    assert await _actions(chat) == [
        ("chat:Hanna", "role.granted", "chat:Chris comms"),
        ("chat:Chris", "suggestion.created", "#1 https://example.com/one"),
        ("chat:Chris", "suggestion.ended", "#1"),
        ("chat:Hanna", "policy.changed", "participation: opt-in -> invite"),
        ("chat:Hanna", "invitation.sent", "everyone"),
        ("chat:Hanna", "role.revoked", "chat:Chris comms"),
    ]
    text = await chat.ask("hanna", "audit")
    lines = text.split("\n")
    assert lines[0] == chat.text("audit.title")
    assert chat.text("audit.action.role.revoked") in lines[1]  # newest first
    assert "chat:Chris" in lines[1] and "Wed, 2 Dec, 11:00" in lines[1]
    assert chat.text("audit.action.role.granted") in lines[6]
    assert lines[-1] == chat.text("audit.kept", days=30, limit=50)


async def test_employee_actions_never_appear(chat: Chat) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/one One")
    before = await _actions(chat)
    for command in (
        "on",
        "topics jobs",
        "pause 1w",
        "resume",
        "settings",
        "privacy",
        "my-data",
        "help",
        "stats 1",
        "audit",
        "policy set max_per_week 9",
        "forget-me",
    ):
        await chat.say("anna", command)
    await chat.tick()
    async with chat.database.transaction() as session:
        links = await shares.links_for(session, 1)
    await follow(chat.ctx, links["linkedin"])
    for action, value in (("card.copy", "1:0"), ("card.another", "1:0"), ("card.pause", "")):
        await chat.press("anna", action, value)
    await chat.press("anna", "card.stop")
    await chat.press("anna", "forget.confirm")
    await chat.tick()
    assert await _actions(chat) == before


async def test_audit_is_for_hr_only_in_the_persons_language(chat: Chat) -> None:
    await chat.make_comms("chris")
    chat.person("jonas", locale="de-DE")
    assert await chat.ask("chris", "audit") == chat.text("error.hr_only", command="audit")
    assert await chat.ask("anna", "audit") == chat.text("error.hr_only", command="audit")
    assert await chat.ask("jonas", "protokoll") == chat.text("error.hr_only", "de", command="audit")
    assert "chris" not in (await chat.ask("jonas", "audit")).lower()


async def test_empty_audit_and_help_shows_it_to_hr_only(chat: Chat) -> None:
    text = await chat.ask("hanna", "audit")
    assert chat.text("audit.empty") in text
    assert chat.text("help.audit") in await chat.ask("hanna", "help")
    assert chat.text("help.overview") in await chat.ask("hanna", "help")
    await chat.make_comms("chris")
    assert chat.text("help.audit") not in await chat.ask("chris", "help")
    assert chat.text("help.audit") not in await chat.ask("anna", "help")
