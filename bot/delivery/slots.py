"""Who gets which suggestion when: pure functions over a person's calendar and budget.

Every time here is an aware datetime; calendars work in the person's own time zone and
answer in UTC. Nothing reads a clock or a database, so every rule is testable directly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.window import Window

WEEK = timedelta(days=7)
HORIZON = timedelta(days=60)
_SEARCH_DAYS = 400
_MAX_STEPS = 200
_OPENED_KEPT = 4096


@dataclass(frozen=True)
class Calendar:
    """A person's working time: the window in their own zone, minus public holidays."""

    window: Window
    zone: ZoneInfo
    is_holiday: Callable[[date], bool] | None = None
    # next_open's answers (a pure function of the above): planning asks the same moment for
    # everyone in a zone, the dispatcher the same "now" for a whole wave
    _opened: dict[datetime, datetime | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def is_open_day(self, day: date) -> bool:
        if day.weekday() not in self.window.days:
            return False
        return not (self.is_holiday and self.is_holiday(day))

    def _span(self, day: date) -> tuple[datetime, datetime]:
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        start = midnight + timedelta(minutes=self.window.start_minute)
        end = midnight + timedelta(minutes=self.window.end_minute)
        return start.astimezone(UTC), end.astimezone(UTC)

    def next_open(self, moment: datetime) -> datetime | None:
        """The earliest instant at or after ``moment`` inside the window; None if none in a year."""
        try:
            return self._opened[moment]
        except KeyError:
            pass
        if len(self._opened) >= _OPENED_KEPT:
            self._opened.clear()
        opened = self._opened[moment] = self._next_open(moment)
        return opened

    def _next_open(self, moment: datetime) -> datetime | None:
        day = moment.astimezone(self.zone).date()
        for offset in range(_SEARCH_DAYS):
            current = day + timedelta(days=offset)
            if not self.is_open_day(current):
                continue
            start, end = self._span(current)
            if moment < end:
                return max(moment, start)
        return None

    def advance(self, moment: datetime, amount: timedelta) -> datetime | None:
        """Move forward by ``amount`` of window time, skipping closed hours and days."""
        current = self.next_open(moment)
        remaining = amount
        while current is not None:
            _, end = self._span(current.astimezone(self.zone).date())
            if remaining < end - current:
                return current + remaining
            remaining -= end - current
            current = self.next_open(end)
        return None

    def week_start(self, moment: datetime) -> datetime:
        """Monday 00:00 of the week after ``moment``, in the person's zone, as UTC."""
        local = moment.astimezone(self.zone).date()
        monday = local + timedelta(days=7 - local.weekday())
        return datetime.combine(monday, time(0), tzinfo=self.zone).astimezone(UTC)


@dataclass(frozen=True)
class Budget:
    """The attention budget: at most ``max_per_week`` in any 7 days, ``min_gap`` apart.

    ``busy`` holds the times of recent messages and of deliveries already planned.
    """

    max_per_week: int
    min_gap: timedelta
    busy: tuple[datetime, ...] = ()

    def conflict(self, moment: datetime) -> tuple[datetime, str] | None:
        """None when a message at ``moment`` fits, else the earliest time worth trying and why."""
        if not self.busy and self.max_per_week >= 1:
            return None  # nothing near, one in the week: most people of a fan-out
        near = [when for when in self.busy if abs(when - moment) < self.min_gap]
        if near:
            return max(near) + self.min_gap, "gap"
        points = sorted([*self.busy, moment])
        for start in points:
            if start > moment or start <= moment - WEEK:
                continue
            if sum(1 for when in points if start <= when < start + WEEK) > self.max_per_week:
                return start + WEEK, "cap"
        return None


@dataclass(frozen=True)
class Recipient:
    calendar: Calendar
    budget: Budget
    paused_until: datetime | None = None
    digest: bool = False


@dataclass(frozen=True)
class Slot:
    """When a delivery is due, and why it is later than the suggestion's start (if it is)."""

    due: datetime
    reason: str | None = None


def spread_fraction(suggestion_id: int, person_id: int) -> float:
    """A stable number in [0, 1) that spreads one suggestion's recipients over the window."""
    digest = hashlib.blake2b(f"{suggestion_id}:{person_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def plan_slot(
    recipient: Recipient,
    *,
    start: datetime,
    expires: datetime | None,
    spread: timedelta,
    fraction: float,
) -> Slot | None:
    """The due time for one person, or None when no allowed time comes before expiry.

    Rules, in order: not before the start or the end of a pause; inside the person's
    window and not on a public holiday; offset by ``fraction`` of ``spread`` window time;
    then later until both the gap and the weekly cap hold.
    """
    moment, reason = start, None
    if recipient.paused_until and recipient.paused_until > moment:
        moment, reason = recipient.paused_until, "pause"
    if recipient.digest:
        return _digest_slot(recipient, moment, expires)
    opened = recipient.calendar.next_open(moment)
    if opened is None:
        return None
    if opened != moment:
        moment, reason = opened, reason or "window"
    if spread and fraction:
        spread_to = recipient.calendar.advance(moment, spread * fraction)
        if spread_to is None:
            return None
        moment, reason = spread_to, reason or "spread"
    return _fit_budget(recipient, moment, reason, start=start, expires=expires)


def _fit_budget(
    recipient: Recipient,
    moment: datetime,
    reason: str | None,
    *,
    start: datetime,
    expires: datetime | None,
) -> Slot | None:
    for _ in range(_MAX_STEPS):
        if (expires and moment >= expires) or moment - start > HORIZON:
            return None
        conflict = recipient.budget.conflict(moment)
        if conflict is None:
            return Slot(moment, reason)
        retry, reason = conflict
        opened = recipient.calendar.next_open(retry)
        if opened is None:
            return None
        moment = opened
    return None


def _digest_slot(recipient: Recipient, moment: datetime, expires: datetime | None) -> Slot | None:
    due = recipient.calendar.next_open(recipient.calendar.week_start(moment))
    if due is None or (expires and due >= expires):
        return None
    return Slot(due, "digest")
