"""A person's rights over their data: my-data, forget-me, opting out, and retention clean-up."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import SQLModel

from bot.ports import Addressee
from bot.privacy.retention import purge
from bot.views import DataExport, View
from storage import audit, migrate, people
from storage.database import Database
from storage.states import AuditAction
from tests.cli import run_cli
from tests.data_export import MyData, exported_data
from tests.privacy_support import dump_database, person_columns
from tests.support import Chat, FakeMessenger


async def _my_data(chat: Chat, name: str) -> MyData:
    reply = await chat.core.say(chat.actor(name), "my-data")
    export = reply.views[0]
    assert isinstance(export, DataExport) and export.filename.endswith(".json")
    return exported_data(export)


async def _rows_naming(database: Database, person_id: int, *values: str) -> list[str]:
    """Every row of every table that holds this person's id or one of these values."""
    found = []
    people = person_columns()
    for table, (columns, rows) in (await dump_database(database, ignore=frozenset())).items():
        for row in rows:
            for name, value in zip(columns, row, strict=True):
                if ((table, name) in people and value == person_id) or (
                    isinstance(value, str) and any(re.search(rf"\b{v}\b", value) for v in values)
                ):
                    found.append(f"{table}: {row}")
    return found


async def _planned_and_sent(chat: Chat) -> None:
    """Anna gets suggestion #1 and has #2 planned for later; she has recent-message times."""
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.say("anna", "on")
    await chat.say("anna", "topics events")
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/one One --topic events")
    await chat.tick()
    await chat.say("chris", "new https://example.com/two Two --at 3d")
    chat.clock.advance(days=3)
    await chat.tick()


async def test_my_data_holds_everything_stored_and_nothing_else(chat: Chat) -> None:
    await _planned_and_sent(chat)
    await chat.say("ben", "on")
    data = await _my_data(chat, "anna")
    assert set(data) == {
        "person",
        "preferences",
        "roles",
        "deliveries",
        "recent_message_times",
        "admin_actions_naming_you",
        "your_suggestions_waiting_for_approval",
        "proposals",
    }
    assert data["person"] == {
        "platform": "chat",
        "user_id": "anna",
        "display_name": "Anna",
        "conversation_address": None,
        "timezone": "Europe/Berlin",
        "platform_locale": "en-GB",
    }
    prefs = data["preferences"]
    assert isinstance(prefs, dict) and prefs["topics"] == ["events"]
    deliveries = data["deliveries"]
    assert isinstance(deliveries, list) and len(deliveries) == 2
    assert {d["state"] for d in deliveries} == {"sent", "pending"}
    assert all("clicked" not in d and "shared" not in d for d in deliveries)
    assert len(data["recent_message_times"]) == 1
    assert data["roles"] == [] and data["admin_actions_naming_you"] == []
    assert data["your_suggestions_waiting_for_approval"] == [] and data["proposals"] == []
    text = json.dumps(data)
    assert "ben" not in text.lower() and "Chris" not in text


async def test_my_data_of_an_admin_lists_the_audit_entries_naming_them(chat: Chat) -> None:
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/one One")
    data = await _my_data(chat, "chris")
    assert data["roles"] == ["comms"]
    actions = data["admin_actions_naming_you"]
    assert isinstance(actions, list)
    assert [a["action"] for a in actions] == ["role.granted", "suggestion.created"]


async def test_forget_me_removes_every_row_about_the_person_at_once(chat: Chat) -> None:
    await _planned_and_sent(chat)
    async with chat.database.transaction() as session:
        anna = await people.find(session, "chat", "anna")
        assert anna is not None and anna.id is not None
        anna_id = anna.id
    assert await _rows_naming(chat.database, anna_id, "anna", "Anna")
    await chat.say("anna", "forget-me")
    assert await _rows_naming(chat.database, anna_id, "anna", "Anna")  # only asked so far
    await chat.press("anna", "forget.confirm")
    assert chat.last_reply("anna") == chat.text("forget.done")
    assert await _rows_naming(chat.database, anna_id, "anna", "Anna") == []


async def test_opting_out_keeps_only_the_no(chat: Chat) -> None:
    await _planned_and_sent(chat)
    await chat.say("anna", "settings")
    await chat.say("anna", "pause 1w")
    reply = await chat.ask("anna", "off")
    assert chat.text("off.deleted") in reply
    data = await _my_data(chat, "anna")
    assert data["deliveries"] == [] and data["recent_message_times"] == []
    assert data["preferences"] == {
        "participation": "off",
        "invited": False,
        "reachable": True,
        "plans_from": chat.clock.now().isoformat(),
        "paused_until": None,
        "language": None,
        "topics": [],
        "networks": [],
        "max_per_week": None,
        "style": "each",
    }
    # the "no" is honoured: an invitation to everyone passes her by
    await chat.say("hanna", "policy set participation invite")
    await chat.say("hanna", "invite everyone")
    await chat.tick()
    assert [v for v in chat.inbox("anna") if "invitation" in repr(v).lower()] == []


async def test_stop_button_on_a_card_is_the_same_as_off(chat: Chat) -> None:
    await _planned_and_sent(chat)
    await chat.press("anna", "card.stop")
    data = await _my_data(chat, "anna")
    assert data["deliveries"] == [] and data["recent_message_times"] == []
    assert data["preferences"]["participation"] == "off"


async def test_purge_removes_ended_deliveries_old_budget_and_old_audit_entries(
    chat: Chat,
) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.say("hanna", "policy set retention_days 10")
    await chat.say("anna", "on")
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/one One")
    await chat.tick()
    async with chat.database.transaction() as session:
        old = chat.clock.now() - timedelta(days=3)
        await audit.record(
            session, at=old, actor="chat:Old", action=AuditAction.POLICY_CHANGED, detail=""
        )
    await chat.say("chris", "end 1")  # no tick: the dispatcher has not tidied up yet
    before = await dump_database(chat.database, ignore=frozenset())
    assert len(before["delivery"][1]) == 1 and len(before["recent_delivery"][1]) == 1
    chat.clock.advance(days=8)
    result = await purge(chat.database, chat.clock.now())
    after = await dump_database(chat.database, ignore=frozenset())
    assert after["delivery"][1] == [] and after["recent_delivery"][1] == []
    assert result.deliveries == 2
    actors = [row[after["audit_entry"][0].index("actor")] for row in after["audit_entry"][1]]
    assert "chat:Old" not in actors  # 11 days old: past retention_days
    assert "chat:Chris" in actors and "chat:Hanna" in actors  # 8 days old: kept
    assert result.audit_entries == 1


def test_sharebot_purge_removes_audit_entries_past_retention(tmp_path: Path) -> None:
    """The command a scheduler or an operator runs, on a database with an old and a new entry."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> None:
        database = Database.from_url(url)
        try:
            await migrate.upgrade(database.engine)
            async with database.transaction() as session:
                now = datetime.now(UTC)
                await audit.record(
                    session,
                    at=now - timedelta(days=31),
                    actor="x:Old",
                    action=AuditAction.POLICY_CHANGED,
                    detail="",
                )
                await audit.record(
                    session, at=now, actor="x:New", action=AuditAction.POLICY_CHANGED, detail=""
                )
        finally:
            await database.close()

    async def actors() -> list[str]:
        database = Database.from_url(url)
        try:
            async with database.transaction() as session:
                return [entry.actor for entry in await audit.recent(session)]
        finally:
            await database.close()

    asyncio.run(prepare())
    result = run_cli(["purge"], tmp_path)
    assert result.returncode == 0 and "1 audit entries" in result.stdout
    assert asyncio.run(actors()) == ["x:New"]


# How each stored column appears in my-data; row ids and the person's own id are bookkeeping.
EXPORT_NAMES = {
    "person": {"user_key": "user_id", "address": "conversation_address"},
    "delivery": {
        "suggestion_id": "suggestion",
        "variant": "caption_variant",
        "bundle": "digest_suggestions",
    },
}
NOT_EXPORTED = {("person", "id"), ("delivery", "id"), ("delivery", "person_id")}


async def test_my_data_has_a_field_for_every_column_about_the_person(chat: Chat) -> None:
    """A column added to a per-person table must be added to my-data too."""
    await _planned_and_sent(chat)
    data = await _my_data(chat, "anna")
    person = {**data["person"], **data["preferences"]}
    delivery = data["deliveries"][0]
    exported = {"person": set(person), "delivery": set(delivery)}
    for table in ("person", "delivery"):
        columns = SQLModel.metadata.tables[table].columns
        for column in columns:
            if (table, column.name) in NOT_EXPORTED:
                continue
            name = EXPORT_NAMES.get(table, {}).get(column.name, column.name)
            assert name in exported[table], f"my-data lacks {table}.{column.name}"
    assert {c.name for c in SQLModel.metadata.tables["recent_delivery"].columns} == {
        "id",
        "person_id",
        "at",  # exported as recent_message_times
    }
    assert {c.name for c in SQLModel.metadata.tables["role_grant"].columns} == {
        "person_id",
        "role",  # exported as roles
    }


async def test_privacy_states_the_rules_in_force_in_both_languages(chat: Chat) -> None:
    await chat.say("hanna", "policy set anonymity_threshold 7")
    await chat.say("hanna", "policy set report_delay_hours 48")
    chat.person("jonas", locale="de-DE")
    facts = {"k": 7, "delay": 48, "days": 30}
    english = await chat.ask("anna", "privacy")
    german = await chat.ask("jonas", "datenschutz")
    for section in ("figures", "opt_out", "rights", "comms"):
        assert chat.text(f"privacy.{section}", **facts) in english
        assert chat.text(f"privacy.{section}", "de", **facts) in german
    assert "2 × 7" in english and "48" in german


class FakeSlowMessenger(FakeMessenger):
    """Holds every send until ``release`` is set, so a person can act while it is in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, to: Addressee, view: View) -> str | None:
        self.started.set()
        await self.release.wait()
        return await super().send(to, view)


async def test_forget_me_while_a_message_is_in_flight_leaves_nothing(chat: Chat) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.say("anna", "on")
    await chat.say("ben", "on")
    slow = FakeSlowMessenger()
    chat.use_messenger(slow)
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/one One")
    async with chat.database.transaction() as session:
        anna = await people.find(session, "chat", "anna")
    assert anna is not None and anna.id is not None
    sending = asyncio.get_running_loop().create_task(chat.tick())
    await slow.started.wait()
    await chat.press("anna", "forget.confirm")
    slow.release.set()
    await sending
    assert await _rows_naming(chat.database, anna.id, "anna") == []
    data = await _my_data(chat, "ben")  # the others' bookkeeping is intact
    assert len(data["recent_message_times"]) == 1
