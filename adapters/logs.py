"""Structured logging: one JSON object per line. Employee actions are logged without user ids."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime


def without_values(error: BaseException) -> str:
    """A traceback with its frames and exception types but not their messages: a message can
    carry SQL parameters, message references or user ids (security rule 5)."""
    chain: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        chain.append(f"{frames}{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
    return "\n(caused by)\n".join(chain)


class JsonFormatter(logging.Formatter):
    """At INFO and above an error's traceback shows where it happened and its type, never its
    message, whoever logged it (bolt, aiohttp, APScheduler too); DEBUG lines show it all."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error"] = (
                self.formatException(record.exc_info)
                if record.levelno < logging.INFO
                else without_values(error)
            )
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiohttp.access", "apscheduler", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
