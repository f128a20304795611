"""What a turn reads to begin: the person and the roles they hold come in one statement (on
SQLite every statement of a write transaction is a trip through the event loop while the one
writer waits), and the roles are the ones held, for a newcomer none."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import sqlalchemy as sa

from storage import people
from storage.states import Role
from tests.support import PLATFORM, Chat


async def _statements(chat: Chat, work: Callable[[], Awaitable[object]]) -> list[str]:
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(" ".join(statement.split()).lower())

    engine = chat.database.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        await work()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return statements


def _reading_roles(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith(("select", "with")) and "role_grant" in s]


async def test_a_turn_reads_the_person_and_their_roles_in_one_statement(chat: Chat) -> None:
    await chat.make_comms("chris")
    await chat.say("chris", "pause 2 days")  # met before the statements are counted

    statements = await _statements(chat, lambda: chat.say("chris", "pause 3 days"))

    (read,) = _reading_roles(statements)
    assert "from person left outer join role_grant" in read
    person_reads = [s for s in statements if s.startswith("select") and "from person" in s]
    assert person_reads == [read]
    assert await chat.ask("chris", "stats 1") != chat.text("error.not_allowed", command="stats")


async def test_the_roles_a_turn_begins_with_are_the_ones_held(chat: Chat) -> None:
    await chat.make_comms("chris")
    await chat.say("hanna", "roles grant chris hr")
    await chat.say("anna", "on")
    assert await chat.ask("anna", "stats 1") == chat.text("error.not_allowed", command="stats")
    async with chat.database.reading() as session:
        chris = await people.find_with_roles(session, PLATFORM, "chris")
        anna = await people.find_with_roles(session, PLATFORM, "anna")
        nobody = await people.find_with_roles(session, PLATFORM, "nobody")
    assert chris is not None and chris.roles == {Role.COMMS, Role.HR}
    assert chris.person.user_key == "chris"
    assert anna is not None and anna.roles == set() and anna.person.user_key == "anna"
    assert nobody is None


async def test_a_newcomer_is_met_holding_no_roles(chat: Chat) -> None:
    async with chat.database.transaction() as session:
        met = await people.meet_one(session, PLATFORM, "newcomer")
        again = await people.meet_one(session, PLATFORM, "newcomer")
    assert met.person.id is not None and met.roles == set()
    assert again.person.id == met.person.id
