"""Logs at INFO and above carry no SQL parameters, message references or platform ids, also
when the database refuses to record what was sent (security rule 5)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import sqlalchemy as sa

from adapters.logs import JsonFormatter
from storage.database import Database
from tests.slack_support import COMMS, HR, slack_world
from tests.support import FakeClock

PEOPLE = [f"UPERSON{n:02d}" for n in range(10)]


@asynccontextmanager
async def refusing_to_mark_sent(database: Database) -> AsyncIterator[None]:
    """The database fails the dispatcher's record step, as a full disk or a bug would."""
    if database.is_sqlite:
        create = [
            "CREATE TRIGGER refuse_sent BEFORE UPDATE OF state ON delivery "
            "WHEN NEW.state = 'sent' BEGIN SELECT RAISE(ABORT, 'cannot record'); END"
        ]
        drop = ["DROP TRIGGER refuse_sent"]
    else:
        create = [
            "CREATE FUNCTION refuse_sent() RETURNS trigger AS "
            "$$ BEGIN RAISE EXCEPTION 'cannot record'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_sent BEFORE UPDATE ON delivery FOR EACH ROW "
            "WHEN (NEW.state = 'sent') EXECUTE FUNCTION refuse_sent()",
        ]
        drop = ["DROP TRIGGER refuse_sent ON delivery", "DROP FUNCTION refuse_sent()"]
    async with database.engine.begin() as conn:
        for statement in create:
            await conn.execute(sa.text(statement))
    try:
        yield
    finally:
        async with database.engine.begin() as conn:
            for statement in drop:
                await conn.execute(sa.text(statement))


async def test_a_failing_record_step_logs_no_channel_ts_or_user_id(
    database: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with slack_world(database, clock) as world:
        for user in PEOPLE:
            world.fake.add_user(user, user.title(), locale="en-GB", tz="Europe/Berlin")
        await world.command(HR, "policy set window always")
        await world.command(HR, "policy set spread_minutes 0")
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        for user in PEOPLE:
            await world.command(user, "on")
        caplog.set_level(logging.DEBUG)
        async with refusing_to_mark_sent(database):
            await world.command(COMMS, "new https://example.com/day Our day --at now")
            await world.settle()  # the dispatcher, woken, sends at once
        sent = world.fake.of("chat.postMessage")
        assert len(sent) == len(PEOPLE)  # the cards went out; recording them failed
    (failed,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failed.getMessage().startswith("dispatcher step 'send' failed (")
    assert failed.exc_info is None  # the kind of error only, no traceback
    secrets = [*PEOPLE, *(f"D{user[1:]}" for user in PEOPLE), "1700000000."]
    logged = [r for r in caplog.records if r.levelno >= logging.INFO]
    as_recorded = "\n".join(logging.Formatter().format(r) for r in logged)
    as_written = "\n".join(JsonFormatter().format(r) for r in logged)
    assert not [s for s in secrets if s in as_recorded or s in as_written]
    # even the DEBUG details have no parameters: the engine hides them
    details = [r for r in caplog.records if r.getMessage().endswith("failure details")]
    assert details and details[0].exc_info is not None
    assert "SQL parameters hidden" in str(details[0].exc_info[1])


def test_the_json_lines_show_where_an_error_happened_but_not_its_message() -> None:
    user, reference = "U" + "ANNA", "D" + "123:1700000000.000001"
    try:
        try:
            raise KeyError(user)
        except KeyError as inner:
            raise RuntimeError(f"could not send to {reference}") from inner
    except RuntimeError as error:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), None)
        record.exc_info = (type(error), error, error.__traceback__)
        debug = logging.LogRecord("x", logging.DEBUG, __file__, 1, "details", (), None)
        debug.exc_info = record.exc_info
    line = json.loads(JsonFormatter().format(record))
    assert "builtins.RuntimeError" in line["error"] and "builtins.KeyError" in line["error"]
    assert "test_log_privacy.py" in line["error"]  # where it happened
    assert "UANNA" not in line["error"] and "D123" not in line["error"]
    assert "D123" in json.loads(JsonFormatter().format(debug))["error"]  # DEBUG shows it all
