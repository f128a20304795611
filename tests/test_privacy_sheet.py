"""PRIVACY.md lists exactly the tables and columns that exist; the catalogues agree."""

from __future__ import annotations

import re
import string
from pathlib import Path

import sqlalchemy as sa

from bot.i18n import Catalogue
from storage.database import Database
from storage.models import SQLModel

SHEET = Path(__file__).resolve().parent.parent / "PRIVACY.md"
TABLE = re.compile(r"^### `(?P<name>\w+)`")
COLUMN = re.compile(r"^\| `(?P<name>\w+)` \|")


def listed() -> set[tuple[str, str]]:
    """(table, column) for every column row under a ``### `table` `` heading of PRIVACY.md."""
    found: set[tuple[str, str]] = set()
    table: str | None = None
    for line in SHEET.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            heading = TABLE.match(line)
            table = heading["name"] if heading else None
        elif table and (column := COLUMN.match(line)):
            found.add((table, column["name"]))
    return found


def _models() -> set[tuple[str, str]]:
    return {(t.name, c.name) for t in SQLModel.metadata.tables.values() for c in t.columns}


async def _database(database: Database) -> set[tuple[str, str]]:
    def read(connection: sa.Connection) -> set[tuple[str, str]]:
        inspector = sa.inspect(connection)
        return {
            (table, column["name"])
            for table in inspector.get_table_names()
            for column in inspector.get_columns(table)
        }

    async with database.engine.connect() as connection:
        return await connection.run_sync(read)


def test_sheet_lists_every_model_column() -> None:
    missing = _models() - listed()
    assert missing == set(), f"PRIVACY.md does not explain: {sorted(missing)}"


async def test_sheet_lists_exactly_what_the_migrated_database_has(database: Database) -> None:
    existing = await _database(database)
    assert existing - listed() == set(), "columns in the database that PRIVACY.md does not list"
    assert listed() - existing == set(), "PRIVACY.md lists columns that do not exist"


def test_the_sheet_parser_finds_tables_and_columns() -> None:
    sheet = listed()
    assert ("person", "user_key") in sheet and ("share_link", "clicks") in sheet
    assert ("alembic_version", "version_num") in sheet


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogues_have_the_same_texts_and_placeholders() -> None:
    catalogue = Catalogue.load()
    assert catalogue.ids("en") == catalogue.ids("de")
    for message_id in catalogue.ids("en"):
        en = catalogue._messages["en"][message_id]
        de = catalogue._messages["de"][message_id]
        assert _fields(en) == _fields(de), message_id
