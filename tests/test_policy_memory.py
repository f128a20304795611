"""The policy as the only writer remembers it: on SQLite a turn takes it from memory, a change
is seen by the next transaction at once, and a change rolled back leaves nothing behind; on
PostgreSQL, where other processes may change it, every transaction reads it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.views import Form
from storage import policy as stored_policy
from storage.database import Database
from tests.support import Chat


class _Undone(Exception):
    pass


async def _policy_reads(chat: Chat, text: str) -> int:
    reads: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "from policy_setting" in " ".join(statement.split()).lower():
            reads.append(statement)

    engine = chat.database.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        await chat.say("anna", text)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return len(reads)


async def test_a_turn_reads_the_policy_from_memory_only_where_it_is_the_only_writer(
    chat: Chat,
) -> None:
    await chat.say("anna", "on")
    reads = await _policy_reads(chat, "pause 3 days")
    assert reads == (0 if chat.database.is_sqlite else 1)


async def _shown(chat: Chat) -> dict[str, str]:
    (form,) = (await chat.say("hanna", "policy")).views
    assert isinstance(form, Form)
    return {field.name: field.value for field in form.fields}


async def test_a_change_of_the_policy_is_seen_by_the_next_turn(chat: Chat) -> None:
    await chat.say("anna", "on")
    assert (await _shown(chat))["max_per_week"] != "1"  # read, and remembered on SQLite
    await chat.say("hanna", "policy set max_per_week 1")
    assert (await _shown(chat))["max_per_week"] == "1"
    assert (await _policy_reads(chat, "resume")) == (0 if chat.database.is_sqlite else 1)


async def test_a_change_rolled_back_leaves_the_policy_as_it_was(database: Database) -> None:
    async with database.transaction() as session:
        await stored_policy.store(session, "max_per_week", "5")
    async with database.transaction() as session:
        assert (await stored_policy.load(session))["max_per_week"] == "5"
    with pytest.raises(_Undone):
        async with database.transaction() as session:
            await stored_policy.store(session, "max_per_week", "9")
            assert (await stored_policy.load(session))["max_per_week"] == "9"  # its own
            raise _Undone
    async with database.transaction() as session:
        assert (await stored_policy.load(session))["max_per_week"] == "5"
    async with database.reading() as session:
        assert (await stored_policy.load(session))["max_per_week"] == "5"


async def test_a_change_committed_is_read_by_the_next_transaction(database: Database) -> None:
    async with database.transaction() as session:
        assert "max_per_week" not in await stored_policy.load(session)
    async with database.transaction() as session:
        await stored_policy.store(session, "max_per_week", "4")
    async with database.transaction() as session:
        assert (await stored_policy.load(session))["max_per_week"] == "4"
    async with database.reading() as session:
        assert (await stored_policy.load(session))["max_per_week"] == "4"
