"""Bounds on the policy that HR cannot cross from chat: agreed with the works council, fixed by
the operator in ``SHAREBOT_POLICY_LIMITS``, e.g. ``max_per_week<=2,anonymity_threshold>=10``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from bot.delivery.window import Window
from bot.policy import KEYS, PARSERS, BadPolicyValue, Policy, parse_value

Op = Literal["<=", ">=", "="]
# Keys whose values are numbers: they take an upper or a lower bound (or both), or a fixed value.
NUMBERS = frozenset(
    {
        "max_per_week",
        "min_gap_hours",
        "spread_minutes",
        "anonymity_threshold",
        "report_delay_hours",
        "retention_days",
    }
)
WINDOW = "window"
_ENTRY = re.compile(r"^(?P<key>[a-z_]+)\s*(?P<op><=|>=|=)\s*(?P<value>.*)$", re.DOTALL)
# Entries are separated by commas; a comma inside a value (``window<=mon,wed 08:00-12:00``)
# is not followed by the next ``key<=``.
_SPLIT = re.compile(r",\s*(?=[a-z_]+\s*(?:<=|>=|=))")


class BadLimit(ValueError):
    """An entry of ``SHAREBOT_POLICY_LIMITS`` that cannot be used; the message is one line."""

    def __init__(self, entry: str, problem: str, value_error: BadPolicyValue | None = None):
        super().__init__(f"{entry!r}: {problem}")
        self.entry = entry
        self.problem = problem
        self.value_error = value_error


@dataclass(frozen=True)
class Bound:
    """One bound: ``key`` at most (``<=``), at least (``>=``) or exactly (``=``) ``value``.

    For ``window``, ``<=`` names the widest window allowed: a policy window must lie inside it.
    """

    key: str
    op: Op
    value: object  # as the policy holds it: an int, a Window or a text

    @property
    def text(self) -> str:
        return self.value.text if isinstance(self.value, Window) else str(self.value)

    @property
    def entry(self) -> str:
        return f"{self.key}{self.op}{self.text}"

    def allows(self, value: object) -> bool:
        if self.op == "=":
            return value == self.value
        if isinstance(self.value, Window):
            return isinstance(value, Window) and _inside(value, self.value)
        assert isinstance(value, int) and isinstance(self.value, int)
        return value <= self.value if self.op == "<=" else value >= self.value

    def clamp(self, value: object) -> object:
        """The nearest value this bound allows (a window: its overlap with the widest one)."""
        if self.allows(value):
            return value
        if self.op == "=" or not isinstance(self.value, Window) or not isinstance(value, Window):
            return self.value
        return _overlap(value, self.value) or self.value


@dataclass(frozen=True)
class PolicyLimits:
    """Every bound in force; without any, HR may set whatever the policy itself allows."""

    bounds: tuple[Bound, ...] = ()

    def of(self, key: str) -> tuple[Bound, ...]:
        return tuple(bound for bound in self.bounds if bound.key == key)

    def broken_by(self, key: str, text: str) -> Bound | None:
        """The first bound that the value ``text`` (a valid value of ``key``) breaks."""
        value = parse_value(key, text)
        return next((bound for bound in self.of(key) if not bound.allows(value)), None)

    def clamped(self, policy: Policy) -> dict[str, tuple[str, str]]:
        """Each key whose value breaks a bound, with its value now and the nearest allowed:
        ``{"max_per_week": ("5", "2")}``."""
        changes: dict[str, tuple[str, str]] = {}
        shown = policy.as_text()
        for key in KEYS:
            value = getattr(policy, key)
            for bound in self.of(key):
                value = bound.clamp(value)
            now = replace(policy, **{key: value}).as_text()[key]
            if now != shown[key]:
                changes[key] = (shown[key], now)
        return changes

    @property
    def text(self) -> str:
        return ",".join(bound.entry for bound in self.bounds)


def parse_limits(text: str) -> PolicyLimits:
    """Parse ``SHAREBOT_POLICY_LIMITS``; :class:`BadLimit` names the first entry that is wrong.

    >>> parse_limits("max_per_week<=2, window<=mon-fri 08:00-18:00").text
    'max_per_week<=2,window<=mon-fri 08:00-18:00'
    """
    bounds: list[Bound] = []
    for entry in (part.strip() for part in _SPLIT.split(text.strip()) if part.strip()):
        bound = _bound(entry)
        _check_with(bound, entry, [b for b in bounds if b.key == bound.key])
        bounds.append(bound)
    return PolicyLimits(tuple(bounds))


def _bound(entry: str) -> Bound:
    found = _ENTRY.match(entry)
    if found is None:
        raise BadLimit(entry, "write each entry as key<=value, key>=value or key=value")
    key, op, text = found["key"], found["op"], found["value"].strip()
    if key not in PARSERS:
        raise BadLimit(entry, f"{key} is not a policy key (keys: {', '.join(KEYS)})")
    if op in ("<=", ">=") and key not in NUMBERS and not (key == WINDOW and op == "<="):
        allowed = "<= (the widest window allowed) or =" if key == WINDOW else "only ="
        raise BadLimit(entry, f"{key} takes {allowed}")
    try:
        value = parse_value(key, text)
    except BadPolicyValue as error:
        raise BadLimit(entry, f"not a value {key} can have ({text!r})", error) from error
    return Bound(key, op, value)  # type: ignore[arg-type]


def _check_with(bound: Bound, entry: str, earlier: list[Bound]) -> None:
    """A key takes one bound of each kind, and together they must leave a value to choose."""
    for other in earlier:
        if other.op == bound.op:
            raise BadLimit(entry, f"{bound.key} is bounded twice")
        if "=" in (other.op, bound.op):
            raise BadLimit(entry, f"{bound.key} has a fixed value and another bound")
        assert isinstance(bound.value, int) and isinstance(other.value, int)
        low, high = sorted((bound, other), key=lambda b: b.op != ">=")
        assert isinstance(low.value, int) and isinstance(high.value, int)
        if low.value > high.value:
            raise BadLimit(entry, f"{low.entry} and {high.entry} leave no value to choose")


def _inside(window: Window, widest: Window) -> bool:
    return (
        window.days <= widest.days
        and window.start_minute >= widest.start_minute
        and window.end_minute <= widest.end_minute
    )


def _overlap(window: Window, widest: Window) -> Window | None:
    days = window.days & widest.days
    start = max(window.start_minute, widest.start_minute)
    end = min(window.end_minute, widest.end_minute)
    return Window(days, start, end) if days and start < end else None
