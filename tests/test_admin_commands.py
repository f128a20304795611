"""Comms and HR in chat: suggestions, lists, ending, stats, policy, roles, invitations."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from bot.ports import Actor
from bot.views import Form, Notice, SuggestionCard
from storage import audit
from storage.database import Database
from storage.models import AuditEntry
from tests.data_export import exported_data
from tests.support import PLATFORM, Chat, FakeDirectory

ADMIN_COMMANDS = (
    "new https://example.com Hello",
    "list",
    "end 1",
    "stats 1",
    "policy",
    "policy set max_per_week 3",
    "roles",
    "roles grant ben comms",
    "invite everyone",
)


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_employees_may_not_use_admin_commands(chat: Chat, command: str) -> None:
    chat.person("jonas", locale="de-DE")
    await chat.say("anna", command)
    await chat.say("jonas", command)
    assert "comms" in chat.last_reply("anna").lower() or "hr" in chat.last_reply("anna").lower()
    assert chat.last_reply("jonas") != chat.last_reply("anna")
    await chat.say("hanna", "list" if command != "list" else "policy")
    # nothing was created or changed by the refused command
    audit = await _audit(chat)
    assert audit == []


async def test_comms_creates_inline_with_all_options(chat: Chat) -> None:
    await chat.make_comms("chris")
    reply = await chat.say(
        "chris",
        "new https://example.com/jobs We are hiring #jobs || Join us! #jobs #berlin "
        "--at 2h --expires 3d --topic jobs --lang en --networks linkedin,x",
    )
    created = reply.views[0]
    assert isinstance(created, Notice) and "#1" in (created.title or "")
    preview = reply.views[1]
    assert isinstance(preview, SuggestionCard)
    assert preview.hashtags == ("jobs", "berlin")
    assert [b.network for b in preview.share_buttons] == ["linkedin", "x"]
    await chat.say("chris", "list")
    assert "#1" in chat.last_reply("chris") and "jobs" in chat.last_reply("chris")


@pytest.mark.parametrize(
    ("command", "english_word"),
    [
        ("new ftp://example.com Hello", "ftp://example.com"),
        ("new https://example.com", ""),
        ("new https://example.com Hi --at yesterday", "yesterday"),
        ("new https://example.com Hi --expires 1h --at 2h", ""),
        ("new https://example.com Hi --lang fr", "de, en"),
        ("new https://example.com Hi --colour red", "--colour"),
        ("new https://example.com Hi --networks myspace", "myspace"),
        ("new https://example.com Hi --at", "--at"),
    ],
)
async def test_malformed_new_is_explained_and_creates_nothing(
    chat: Chat, command: str, english_word: str
) -> None:
    await chat.make_comms("chris")
    chat.person("carla", locale="de-DE")
    await chat.make_comms("carla")
    await chat.say("chris", command)
    await chat.say("carla", command)
    assert english_word in chat.last_reply("chris")
    assert chat.last_reply("carla") != chat.last_reply("chris")
    await chat.say("chris", "list")
    assert "#1" not in chat.last_reply("chris")


async def test_new_without_arguments_opens_the_compose_form(chat: Chat) -> None:
    await chat.make_comms("chris")
    reply = await chat.say("chris", "new")
    form = reply.views[0]
    assert isinstance(form, Form) and form.form_id == "compose"
    bad = await chat.submit("chris", "compose", {"url": "nope", "captions": "", "at": "now"})
    form = bad.views[0]
    assert isinstance(form, Form) and any(f.error for f in form.fields if f.name == "url")
    good = await chat.submit(
        "chris",
        "compose",
        {
            "url": "https://example.com/day",
            "captions": "Our team day || What a day",
            "hashtags": "teamday, #culture",
            "networks": "",
            "topic": "events",
            "lang": "en",
            "at": "now",
            "expires": "",
        },
    )
    card = good.views[1]
    assert isinstance(card, SuggestionCard) and card.hashtags == ("teamday", "culture")


async def test_end_and_its_errors(chat: Chat) -> None:
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com Hello")
    assert await chat.ask("chris", "end") == chat.text("error.id_missing")
    assert await chat.ask("chris", "end 99") == chat.text("error.no_suggestion", id=99)
    assert await chat.ask("chris", "end abc") == chat.text("error.id", value="abc")
    assert await chat.ask("chris", "cancel #1") == chat.text("end.done", id=1)
    assert await chat.ask("chris", "end 1") == chat.text("error.already_ended", id=1)
    assert [entry.action for entry in await _audit(chat)] == [
        "suggestion.ended",
        "suggestion.created",
        "role.granted",
    ]


async def test_stats_waits_for_the_end_and_the_delay(chat: Chat) -> None:
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com Hello")
    await chat.say("chris", "stats 1")
    not_yet = chat.last_reply("chris")
    await chat.say("chris", "end 1")
    chat.clock.advance(hours=25)
    await chat.say("chris", "stats #1")
    assert chat.last_reply("chris") != not_yet  # now: audience too small to show anything
    await chat.say("hanna", "stats 1")
    assert chat.last_reply("hanna") == chat.last_reply("chris")


async def test_policy_show_set_and_validation(chat: Chat) -> None:
    reply = await chat.say("hanna", "policy")
    form = reply.views[0]
    assert isinstance(form, Form)
    assert {f.name: f.value for f in form.fields}["window"] == "mon-fri 09:00-17:00"
    for key, value in (
        ("window", "always"),
        ("holidays", "de-by"),
        ("max_per_week", "3"),
        ("anonymity_threshold", "7"),
        ("participation", "invite"),
        ("default_language", "en"),
        ("timezone", "Europe/Vienna"),
    ):
        await chat.say("hanna", f"policy set {key} {value}")
    form = (await chat.say("hanna", "policy")).views[0]
    assert isinstance(form, Form)
    values = {f.name: f.value for f in form.fields}
    assert values["window"] == "always" and values["holidays"] == "DE-BY"
    assert values["anonymity_threshold"] == "7" and values["timezone"] == "Europe/Vienna"


@pytest.mark.parametrize(
    "bad",
    [
        "anonymity_threshold 2",
        "window 25:00-26:00",
        "holidays XX",
        "timezone Mars/Base",
        "max_per_week lots",
        "colour blue",
        "set",
        "participation forced",
    ],
)
async def test_bad_policy_values_change_nothing(chat: Chat, bad: str) -> None:
    await chat.say("hanna", f"policy set {bad}")
    assert chat.last_reply("hanna")
    assert await _audit(chat) == []


async def test_policy_form_rejects_one_bad_value_entirely(chat: Chat) -> None:
    form = (await chat.say("hanna", "policy")).views[0]
    assert isinstance(form, Form)
    values = {f.name: f.value for f in form.fields}
    values.update(window="always", anonymity_threshold="1")
    reply = await chat.submit("hanna", "policy", values)
    returned = reply.views[0]
    assert isinstance(returned, Form)
    assert [f.name for f in returned.fields if f.error] == ["anonymity_threshold"]
    assert await _audit(chat) == []


async def test_roles_grant_revoke_and_list(chat: Chat) -> None:
    chat.person("ben")
    await chat.say("hanna", "roles grant ben comms")
    assert chat.text("list.empty") in await chat.ask("ben", "list")
    assert "Ben" in await chat.ask("hanna", "roles")
    await chat.say("hanna", "roles revoke ben comms")
    refused = chat.text("error.comms_only", command="new")
    assert await chat.ask("ben", "new https://example.com Hi") == refused
    assert await chat.ask("hanna", "roles grant nobody comms") == chat.text(
        "error.user", user="nobody"
    )
    assert await chat.ask("hanna", "roles grant ben boss") == chat.text("error.role", role="boss")
    assert "SHAREBOT_ADMINS" in await chat.ask("hanna", "roles revoke hanna hr")
    assert isinstance((await chat.say("hanna", "policy")).views[0], Form)


async def test_invite_needs_the_policy_and_reaches_only_the_undecided(chat: Chat) -> None:
    chat.person("anna")
    chat.person("ben")
    await chat.say("anna", "on")
    await chat.say("hanna", "invite everyone")
    assert "participation" in chat.last_reply("hanna")
    await chat.say("hanna", "policy set participation invite")
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.say("hanna", "invite #nowhere")
    assert "#nowhere" in chat.last_reply("hanna")
    await chat.say("hanna", "invite everyone")
    await chat.tick()
    invited = {m.to for m in chat.messenger.sent}
    assert "ben" in invited and "anna" not in invited
    await chat.say("hanna", "invite everyone")
    await chat.tick()
    assert sorted(m.to for m in chat.messenger.sent).count("ben") == 1
    await chat.press("ben", "invite.yes")
    assert (await _participation(chat, "ben")) == "on"


async def _audit(chat: Chat) -> list[AuditEntry]:
    async with chat.database.transaction() as session:
        return await audit.recent(session)


async def _participation(chat: Chat, name: str) -> str:
    reply = await chat.core.say(chat.actor(name), "my-data")
    return exported_data(reply.views[0])["preferences"]["participation"]


async def test_inviting_a_large_workspace_meets_everyone_in_chunks_and_invites_once(
    chat: Chat,
) -> None:
    await chat.say("hanna", "policy set participation invite")
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.say("hanna", "policy set window always")
    for n in range(2_345):  # more than two chunks, most never seen by the bot before
        chat.directory.people[f"p{n}"] = Actor(PLATFORM, f"p{n}", f"P{n}", "en-GB", "UTC")
    await chat.say("p7", "on")
    await chat.say("p1500", "off")
    await chat.say("hanna", "invite everyone")
    await chat.say("hanna", "invite everyone")  # a second time invites nobody again
    await chat.tick()
    invited = [m.to for m in chat.messenger.sent]
    expected = {f"p{n}" for n in range(2_345)} - {"p7", "p1500"}
    assert len(invited) == len(set(invited))
    assert set(invited) - {"hanna"} == expected


@dataclass
class FakeTransactionalDirectory(FakeDirectory):
    """Opens a transaction of its own for every member listing, and records what was asked."""

    database: Database | None = None
    asked: list[str] = field(default_factory=list)

    async def members(self, target: str) -> list[Actor] | None:
        assert self.database is not None
        # On SQLite a transaction waits for any other one: inside the command's, this hangs.
        async with asyncio.timeout(5), self.database.transaction():
            self.asked.append(target)
        return await super().members(target)


async def test_members_are_fetched_before_the_transaction_and_only_for_hr(chat: Chat) -> None:
    await chat.say("hanna", "policy set participation invite")
    directory = FakeTransactionalDirectory(database=chat.database)
    chat.use_directory(directory)
    await chat.say("hanna", "invite everyone")
    assert directory.asked == ["everyone"]
    await chat.say("anna", "invite everyone")  # refused without asking the platform
    assert directory.asked == ["everyone"]


async def test_a_refusal_names_who_may_use_the_command(chat: Chat) -> None:
    """HR typing a comms-only command is told it is for the comms team, not "comms and HR"."""
    for text in ("new", "list", "end 1"):
        verb = text.split()[0]
        assert await chat.ask("hanna", text) == chat.text("error.comms_only", command=verb)
    assert await chat.ask("anna", "stats 1") == chat.text("error.not_allowed", command="stats")
    assert await chat.ask("anna", "audit") == chat.text("error.hr_only", command="audit")
