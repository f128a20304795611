"""PRIVACY.md lists exactly the tables and columns that exist, written from the one source that
the works-council document reads too (bot/privacy/tables.yaml); the catalogues agree."""

from __future__ import annotations

import re
import string
from pathlib import Path

from sqlmodel import SQLModel

from adapters.works_council.privacy_sheet import (
    generated_part,
    main,
    rewritten,
    tables_markdown,
)
from bot.i18n import Catalogue
from bot.privacy.tables import load_sheet
from storage.database import Database
from tests.privacy_support import migrated_columns

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
    return await migrated_columns(database)


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


async def test_the_one_source_explains_exactly_what_the_migrated_database_has(
    database: Database,
) -> None:
    existing = await _database(database)
    explained = load_sheet().listed()
    assert existing - explained == set(), "columns that bot/privacy/tables.yaml does not explain"
    assert explained - existing == set(), "bot/privacy/tables.yaml explains columns that are gone"


def test_privacy_md_says_what_the_one_source_says() -> None:
    """PRIVACY.md's section 1 is written from tables.yaml, not kept by hand beside it."""
    document = SHEET.read_text(encoding="utf-8")
    assert generated_part(document) == tables_markdown(load_sheet()), (
        "run `python -m adapters.works_council.privacy_sheet --write`"
    )
    assert main(["--file", str(SHEET)]) == 0
    assert rewritten(document, load_sheet()) == document


def test_every_explanation_is_in_english_and_german() -> None:
    sheet = load_sheet()
    texts = [sheet.intro, *(t.title for t in sheet.tables)]
    texts += [text for t in sheet.tables for text in (t.about, t.after) if text]
    texts += [
        text
        for t in sheet.tables
        for c in t.columns
        for text in (c.holds, c.why, c.kept, c.seen_by)
    ]
    assert all(text.en and text.de for text in texts)
    # the marks the document turns into HTML are the same in both languages
    assert all(text.en.count("`") == text.de.count("`") for text in texts)


def test_the_check_fails_on_a_hand_edited_sheet(tmp_path: Path) -> None:
    edited = tmp_path / "PRIVACY.md"
    edited.write_text(
        SHEET.read_text(encoding="utf-8").replace("a number inside Sharebot", "an id"),
        encoding="utf-8",
    )
    assert main(["--file", str(edited)]) == 1
    assert main(["--file", str(edited), "--write"]) == 0
    assert main(["--file", str(edited)]) == 0
