"""What "copy text" and "other wording" answer with, kept in memory per running suggestion.

A press on a card names the suggestion, the wording shown and the card's language, so its
answer needs nothing about the person: only the suggestion's wordings, link and hashtags, the
policy's disclosure line and form of address, and the suggestion's copy counter. Those are
read once and then trusted for ``FRESH_SECONDS``; ending a suggestion or changing the policy in
this process forgets them at once (another process's change shows within ``FRESH_SECONDS``).
Nothing here is about a person: every recipient of a suggestion shares its entry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

FRESH_SECONDS = 5.0
MOST = 1000  # running suggestions are few; a bound all the same


@dataclass(frozen=True)
class Wordings:
    """A suggestion as copy text shows it; ``ended`` when it has ended (or is gone)."""

    ended: bool
    address: str  # the policy's German form of address
    url: str = ""
    captions: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    disclosure: str = ""  # the policy's line in the suggestion's language ("" for none)
    copy_token: str | None = None  # the anonymous copy counter's token
    expires_at: datetime | None = None


class KnownWordings:
    """Running suggestions' wordings by suggestion id, each trusted for ``FRESH_SECONDS``."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._known: dict[int, tuple[float, Wordings]] = {}
        self._forgotten_at = float("-inf")

    def get(self, suggestion_id: int) -> Wordings | None:
        """The suggestion's wordings when read less than ``FRESH_SECONDS`` ago, else None."""
        found = self._known.get(suggestion_id)
        if found is None or self._now() - found[0] > FRESH_SECONDS:
            return None
        return found[1]

    def remember(self, suggestion_id: int, wordings: Wordings, read_at: float) -> None:
        """Keep what was read at ``read_at`` (:meth:`clock`), unless something was forgotten
        since: a read that began before an end committed must not bring the old state back."""
        if read_at < self._forgotten_at:
            return
        if len(self._known) >= MOST:
            self._known.clear()
        self._known[suggestion_id] = (read_at, wordings)

    def clock(self) -> float:
        return self._now()

    def forget(self, suggestion_id: int | None = None) -> None:
        """One suggestion changed (or, with no id, the policy): read again next time."""
        self._forgotten_at = self._now()
        if suggestion_id is None:
            self._known.clear()
        else:
            self._known.pop(suggestion_id, None)
