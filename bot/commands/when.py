"""The ``<when>`` forms of the grammar: ``now``, ``30m``, ``2h``, ``3d``, ``1w``, dates, times."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DURATION = re.compile(r"^(\d{1,4})\s*(m|min|h|d|t|w)$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "t": "days", "w": "weeks"}
_MAX_AHEAD = timedelta(days=366)


class BadWhen(ValueError):
    """The text is not one of the ``<when>`` forms."""


def parse_duration(text: str) -> timedelta | None:
    """``30m``, ``2h``, ``3d`` (German ``3t``), ``1w``; None when the text is not a duration."""
    match = _DURATION.match(text.strip())
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2).lower()
    return timedelta(**{_UNITS[unit]: amount})


def parse_when(text: str, *, now: datetime, tz: ZoneInfo, end_of_day: bool = False) -> datetime:
    """A point in time from ``<when>``; dates and times are read in the author's time zone.

    A bare date means the start of that day, or its end with ``end_of_day`` (so
    ``--expires 2026-12-01`` runs through the 1st).

    >>> parse_when("2h", now=datetime(2026, 1, 1, tzinfo=UTC), tz=ZoneInfo("UTC"))
    datetime.datetime(2026, 1, 1, 2, 0, tzinfo=datetime.timezone.utc)
    """
    word = text.strip().lower()
    if word in ("now", "jetzt"):
        return now
    duration = parse_duration(word)
    if duration is not None:
        result = now + duration
    else:
        result = _parse_calendar(word, tz=tz, end_of_day=end_of_day)
    if result - now > _MAX_AHEAD:
        raise BadWhen(text)
    return result


def _parse_calendar(word: str, *, tz: ZoneInfo, end_of_day: bool) -> datetime:
    try:
        if "t" in word and len(word) > 10:
            local = datetime.fromisoformat(word.upper())
            if local.tzinfo is not None:
                raise BadWhen(word)
            return local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))
        day = date.fromisoformat(word)
    except ValueError as error:
        raise BadWhen(word) from error
    if end_of_day:
        day += timedelta(days=1)
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(ZoneInfo("UTC"))
