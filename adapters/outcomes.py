"""What a platform's HTTP status means for a message sent to it, the same for every adapter.

Adapters report one of the core's outcomes (``bot.ports``) and never decide to retry. Of the
statuses all platforms share, only 429 says the platform did not take the message (each
adapter adds its own, such as Teams' 412); any 5xx may come after it was shown (Slack and the
Bot Connector both answer 502 and 504 after posting), and a status that is neither a clear
success nor a clear refusal is read as "maybe".
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.delivery.throttle import retry_after_seconds
from bot.ports import MaybeTaken, NotTaken, Refused, SendFailure, Uncertainty


def by_status(status: int, headers: Mapping[str, object] | None = None) -> SendFailure:
    """The outcome of an answer that was not a success, from its status alone."""
    if status == 429:
        return NotTaken("HTTP 429", limited=True, retry_after=retry_after(headers or {}))
    if status >= 500:
        return MaybeTaken(Uncertainty.SERVER_ERROR, f"HTTP {status}")
    if status == 408:  # the server gave up reading; what it did with the start is unknown
        return MaybeTaken(Uncertainty.TIMEOUT, "HTTP 408")
    if 400 <= status < 500:
        return Refused(f"HTTP {status}")
    return MaybeTaken(Uncertainty.UNREADABLE, f"HTTP {status}")


def retry_after(headers: Mapping[str, object]) -> float | None:
    """``Retry-After`` in seconds, looked up without regard to case."""
    found = (value for name, value in headers.items() if name.lower() == "retry-after")
    return retry_after_seconds(next(found, None))
