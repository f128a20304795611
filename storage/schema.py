"""The schema as the connected database has it (not as the models say): tables and columns."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from storage.database import Database


@dataclass(frozen=True)
class LiveColumn:
    name: str
    type: str  # as the database names it: ``VARCHAR(16)``, ``TIMESTAMP WITHOUT TIME ZONE``
    nullable: bool
    primary_key: bool


@dataclass(frozen=True)
class LiveTable:
    name: str
    columns: tuple[LiveColumn, ...]


async def live_tables(database: Database) -> tuple[LiveTable, ...]:
    """Every table of the database's default schema with its columns, in the database's order."""

    def read(connection: sa.Connection) -> tuple[LiveTable, ...]:
        inspector = sa.inspect(connection)
        tables = []
        for name in sorted(inspector.get_table_names()):
            keys = set(inspector.get_pk_constraint(name).get("constrained_columns") or ())
            tables.append(
                LiveTable(
                    name,
                    tuple(
                        LiveColumn(
                            column["name"],
                            str(column["type"]),
                            bool(column.get("nullable", True)),
                            column["name"] in keys,
                        )
                        for column in inspector.get_columns(name)
                    ),
                )
            )
        return tuple(tables)

    async with database.engine.connect() as connection:
        return await connection.run_sync(read)
