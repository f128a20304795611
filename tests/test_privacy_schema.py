"""privacy rule 1 on the schema itself: no table holds a person beside a trace of taking part.

Checked twice: on the models, and on the database that the migrations build (reflected), so a
column added by a migration alone cannot slip past.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from storage.database import Database

# A trace of taking part, in any spelling: shared, click_count, opened_at, seen, read_at, ...
PARTICIPATION = re.compile(
    r"shar|click|open|seen|read|ignor|dismiss|respon|react|declin|remind", re.IGNORECASE
)
# Columns that identify a person without a foreign key: platform ids, names, chat addresses, and
# the admin named in the audit trail.
IDENTIFYING = frozenset({"user_key", "display_name", "address", "actor"})
# The only tables allowed to hold anything that identifies a person (see PRIVACY.md).
ALLOWED = frozenset(
    {
        "person",
        "role_grant",
        "delivery",
        "recent_delivery",
        "audit_entry",
        "approval_request",
        "proposal",
    }
)

Schema = dict[str, list[tuple[str, set[str]]]]  # table -> [(column, foreign key targets)]


def _from_models() -> Schema:
    return {
        table.name: [(c.name, {fk.target_fullname for fk in c.foreign_keys}) for c in table.columns]
        for table in SQLModel.metadata.tables.values()
    }


async def _from_database(database: Database) -> Schema:
    def read(connection: sa.Connection) -> Schema:
        inspector = sa.inspect(connection)
        schema: Schema = {}
        for table in inspector.get_table_names():
            targets: dict[str, set[str]] = {}
            for fk in inspector.get_foreign_keys(table):
                for column, referred in zip(
                    fk["constrained_columns"], fk["referred_columns"], strict=True
                ):
                    targets.setdefault(column, set()).add(f"{fk['referred_table']}.{referred}")
            schema[table] = [
                (c["name"], targets.get(c["name"], set())) for c in inspector.get_columns(table)
            ]
        return schema

    async with database.engine.connect() as connection:
        return await connection.run_sync(read)


def _identifying(columns: list[tuple[str, set[str]]]) -> list[str]:
    return [name for name, targets in columns if "person.id" in targets or name in IDENTIFYING]


def _violations(schema: Schema) -> list[str]:
    found = []
    for table, columns in schema.items():
        if not _identifying(columns):
            continue
        if table not in ALLOWED:
            found.append(f"{table} identifies a person but is not an allowed table")
        found += [
            f"{table}.{name} looks like a trace of taking part"
            for name, _ in columns
            if PARTICIPATION.search(name)
        ]
    return found


def test_models_hold_no_person_beside_a_trace_of_taking_part() -> None:
    assert _violations(_from_models()) == []


async def test_migrated_database_holds_no_person_beside_a_trace_of_taking_part(
    database: Database,
) -> None:
    schema = await _from_database(database)
    assert {"person", "delivery", "share_link"} <= set(schema)
    assert _violations(schema) == []


@pytest.mark.parametrize(
    ("table", "columns", "problem"),
    [
        ("delivery", [("person_id", {"person.id"}), ("clicked_at", set())], "clicked_at"),
        ("person", [("user_key", set()), ("last_seen", set())], "last_seen"),
        ("reminder", [("person_id", {"person.id"})], "not an allowed table"),
        ("share_log", [("user_key", set()), ("network", set())], "not an allowed table"),
        ("recent_delivery", [("person_id", {"person.id"}), ("responded", set())], "responded"),
    ],
)
def test_the_check_catches_what_it_is_meant_to(
    table: str, columns: list[tuple[str, set[str]]], problem: str
) -> None:
    """Guards the test itself: forbidden shapes are reported."""
    violations = _violations({table: columns})
    assert any(problem in v for v in violations)


def test_anonymous_counters_are_allowed_where_no_person_is() -> None:
    schema = _from_models()
    assert "clicks" in [name for name, _ in schema["share_link"]]
    assert _identifying(schema["share_link"]) == []
