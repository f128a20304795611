"""Reusable parts of the privacy tests (privacy rule 2), for the playground, Slack and Teams alike.

- :func:`dump_database`: every row of every table in the database (not just the models), minus
  the anonymous counters and the surrogate keys that only follow insertion order.
- :class:`Identity` and :func:`swap`: exchange everything that names person A with what names
  person B (ids in person columns, user keys, names, addresses, message references).
- :class:`RecordingMessenger`: wraps any Messenger and records every call made to the platform.
- :func:`swap_values`: the same exchange in any JSON-like value (what a fake platform API
  recorded: Slack Web API parameters, Bot Connector activities).
- :func:`capture_logs`: every log record while a flow runs, at DEBUG for Sharebot's own loggers.
- :func:`migrated_columns`: (table, column) for every column the database itself has.

A flow where A clicks share and B does nothing leaves no trace of the difference when
``swap(trace, a, b) == trace`` for the database dump, the platform calls and the log lines.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from bot.ports import Addressee, SendLimits
from bot.views import View
from storage.database import Database

# The only columns allowed to differ: anonymous counters, by design (privacy rule 3).
ANONYMOUS_COUNTERS = frozenset({("share_link", "clicks")})
# Row ids of per-person tables are handed out in planning order (by person id), so swapping two
# people permutes them; they hold nothing else. Every other column is compared.
SURROGATE_KEYS = frozenset({("delivery", "id"), ("recent_delivery", "id")})
OWN_LOGGERS = ("bot", "storage", "adapters")

Dump = dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]


def person_columns() -> frozenset[tuple[str, str]]:
    """``person.id`` and every column that refers to it (from the models' foreign keys)."""
    found = {("person", "id")}
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if any(fk.target_fullname == "person.id" for fk in column.foreign_keys):
                found.add((table.name, column.name))
    return frozenset(found)


async def dump_database(
    database: Database,
    *,
    ignore: frozenset[tuple[str, str]] = ANONYMOUS_COUNTERS | SURROGATE_KEYS,
) -> Dump:
    """Every table the database has (reflected, so a table the models forgot shows up too)."""

    def read(connection: sa.Connection) -> Dump:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        result: Dump = {}
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in ignore]
            rows = connection.execute(sa.select(*columns)).all()
            result[table.name] = (
                tuple(c.name for c in columns),
                sorted((tuple(_plain(v) for v in row) for row in rows), key=repr),
            )
        return result

    async with database.engine.connect() as connection:
        return await connection.run_sync(read)


def _plain(value: object) -> object:
    """JSON columns as canonical text, so rows compare and hash alike on every database."""
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


@dataclass(frozen=True)
class Identity:
    """What names one person: their row id, exact values (user key, name, address) and the
    references the platform gave for messages to them, in the order they were sent."""

    person_id: int
    values: tuple[str, ...]
    refs: tuple[str, ...] = ()


class _Exchange:
    """Exchanges A's values with B's: names and keys as whole words anywhere in a text (so
    ``slack:Anna Berger`` in an audit entry is caught, ``hanna`` is not ``anna``), message
    references only where a value is exactly one."""

    def __init__(self, a: Identity, b: Identity) -> None:
        self.ids = {a.person_id: b.person_id, b.person_id: a.person_id}
        self.words: dict[str, str] = {}
        for x, y in zip(a.values, b.values, strict=True):
            self.words[x.lower()], self.words[y.lower()] = y, x
        self.refs: dict[str, str] = {}
        for x, y in zip(a.refs, b.refs, strict=True):
            self.refs[x], self.refs[y] = y, x
        alternatives = "|".join(_word(v) for v in sorted(self.words, key=len, reverse=True))
        self.pattern = re.compile(alternatives, re.IGNORECASE) if alternatives else None

    def text(self, value: str) -> str:
        if value in self.refs:
            return self.refs[value]
        if self.pattern is None:
            return value
        return self.pattern.sub(lambda m: self.words[m.group(0).lower()], value)

    def value(self, value: object) -> object:
        return self.text(value) if isinstance(value, str) else value


def swap(dump: Dump, a: Identity, b: Identity) -> Dump:
    """The dump as it would be had A and B changed places."""
    exchange = _Exchange(a, b)
    people = person_columns()
    swapped: Dump = {}
    for table, (columns, rows) in dump.items():
        new_rows = [
            tuple(
                exchange.ids.get(v, v) if (table, name) in people else exchange.value(v)
                for name, v in zip(columns, row, strict=True)
            )
            for row in rows
        ]
        swapped[table] = (columns, sorted(new_rows, key=repr))
    return swapped


def swap_values(value: Any, a: Identity, b: Identity) -> Any:
    """A JSON-like value (dicts, lists, tuples, strings; dict keys too) as it would be had A and
    B changed places: names and keys as whole words, message references where exact."""
    exchange = _Exchange(a, b)

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return exchange.text(node)
        if isinstance(node, dict):
            return {walk(k): walk(v) for k, v in node.items()}
        if isinstance(node, list | tuple):
            return type(node)(walk(v) for v in node)
        return node

    return walk(value)


@dataclass(frozen=True)
class PlatformCall:
    kind: str  # "send" or "update"
    user_key: str
    address: str | None
    ref: str | None
    view: View


@dataclass
class RecordingMessenger:
    """Passes every call on to ``inner`` and records it."""

    inner: Any
    calls: list[PlatformCall] = field(default_factory=list)

    @property
    def limits(self) -> SendLimits:
        limits: SendLimits = self.inner.limits
        return limits

    async def send(self, to: Addressee, view: View) -> str | None:
        ref: str | None = await self.inner.send(to, view)
        self.calls.append(PlatformCall("send", to.user_key, to.address, ref, view))
        return ref

    async def update(self, to: Addressee, message_ref: str, view: View) -> None:
        await self.inner.update(to, message_ref, view)
        self.calls.append(PlatformCall("update", to.user_key, to.address, message_ref, view))

    def refs_to(self, user_key: str) -> tuple[str, ...]:
        return tuple(
            c.ref for c in self.calls if c.kind == "send" and c.user_key == user_key and c.ref
        )


def swap_calls(calls: list[PlatformCall], a: Identity, b: Identity) -> list[PlatformCall]:
    exchange = _Exchange(a, b)

    def one(call: PlatformCall) -> PlatformCall:
        return PlatformCall(
            call.kind,
            exchange.text(call.user_key),
            None if call.address is None else exchange.text(call.address),
            None if call.ref is None else exchange.text(call.ref),
            call.view,
        )

    return sorted((one(c) for c in calls), key=repr)


class LogCapture(logging.Handler):
    """Collects records; ``lines`` gives (level, logger, message) without timestamps."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self, *, debug: bool = True) -> list[tuple[str, str, str]]:
        """Lines at INFO and above from every logger, and DEBUG from Sharebot's own."""
        return sorted(
            (r.levelname, r.name, r.getMessage())
            for r in self.records
            if r.levelno >= logging.INFO or (debug and r.name.startswith(OWN_LOGGERS))
        )


def _word(value: str) -> str:
    return rf"(?<![\w]){re.escape(value)}(?![\w])"


def swap_lines(
    lines: list[tuple[str, str, str]], a: Identity, b: Identity
) -> list[tuple[str, str, str]]:
    """Log lines with every name and key of A or B exchanged (whole words only)."""
    exchange = _Exchange(replace(a, refs=()), replace(b, refs=()))
    return sorted((level, name, exchange.text(message)) for level, name, message in lines)


@contextmanager
def capture_logs() -> Iterator[LogCapture]:
    """Every record of every logger while the block runs (the root logger at DEBUG)."""
    root = logging.getLogger()
    capture = LogCapture()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)


def identifiers_in(lines: list[tuple[str, str, str]], names: Mapping[str, str]) -> list[str]:
    """The log messages that contain any of ``names`` (user key -> display name) as a word."""
    pattern = re.compile("|".join(_word(v) for pair in names.items() for v in pair if v), re.I)
    return [message for _, _, message in lines if pattern.search(message)]


async def migrated_columns(database: Database) -> set[tuple[str, str]]:
    """(table, column) for every column of every table, as the database reports them."""

    def read(connection: sa.Connection) -> set[tuple[str, str]]:
        inspector = sa.inspect(connection)
        return {
            (table, column["name"])
            for table in inspector.get_table_names()
            for column in inspector.get_columns(table)
        }

    async with database.engine.connect() as connection:
        return await connection.run_sync(read)
