"""bolt's logging, minus what must not or need not be logged."""

from __future__ import annotations

import logging


def bolt_logger() -> logging.Logger:
    """bolt's logger (its middleware loggers copy its filters) without two lines: a refused
    request's body, user ids inside, logged at INFO (:meth:`SlackApp.handle` says the same
    without the body), and a warning that SLACK_BOT_TOKEN from the environment is unused beside
    our client (which already carries that token)."""
    found = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _BoltNoise) for f in found.filters):
        found.addFilter(_BoltNoise())
    return found


class _BoltNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            message.startswith("Invalid request signature") or "`token` will be unused" in message
        )
