"""The working window: ``always`` or days and hours such as ``mon-fri 09:00-17:00``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DAYS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "mo": 0,
    "di": 1,
    "mi": 2,
    "do": 3,
    "fr": 4,
    "sa": 5,
    "so": 6,
}
_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"^(?P<days>[a-z,\-]+)\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$")
_ALWAYS_WORDS = ("always", "immer")


@dataclass(frozen=True)
class Window:
    """Days of the week (0 = Monday) and a daily span in minutes after midnight, local time."""

    days: frozenset[int]
    start_minute: int
    end_minute: int

    @property
    def always(self) -> bool:
        return len(self.days) == 7 and self.start_minute == 0 and self.end_minute == 24 * 60

    @property
    def text(self) -> str:
        if self.always:
            return "always"
        return f"{_days_text(self.days)} {_clock(self.start_minute)}-{_clock(self.end_minute)}"


def parse_window(text: str) -> Window:
    """Parse ``always``, ``mon-fri 09:00-17:00``, ``mon,wed 08:00-12:00``, ``mo-fr 9:00-17:00``."""
    spec = " ".join(text.lower().split())
    if spec in _ALWAYS_WORDS:
        return Window(frozenset(range(7)), 0, 24 * 60)
    match = _SPEC.match(spec)
    if not match:
        raise ValueError(f"not a window: {text!r}")
    start, end = _minute(match["start"]), _minute(match["end"])
    if start >= end:
        raise ValueError("the window must end after it starts")
    return Window(_parse_days(match["days"]), start, end)


def _parse_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        if first not in _DAYS or (dash and last not in _DAYS):
            raise ValueError(f"not a day: {part!r}")
        low, high = _DAYS[first], _DAYS[last or first]
        span = range(low, high + 1) if low <= high else [*range(low, 7), *range(0, high + 1)]
        days.update(span)
    return frozenset(days)


def _minute(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"not a time: {text!r}")
    return hours * 60 + minutes


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _days_text(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 1:
        return f"{_NAMES[ordered[0]]}-{_NAMES[ordered[-1]]}"
    return ",".join(_NAMES[day] for day in ordered)
