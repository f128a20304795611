"""The organisation's policy: its keys, their defaults and their validation."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, available_timezones

import holidays as holiday_calendars

from bot.delivery.window import Window, parse_window

LANGUAGES = ("de", "en")
DEFAULT_WINDOW = parse_window("mon-fri 09:00-17:00")
# A disclosure line is short: it goes into every text people can share (X allows 280 in all).
DISCLOSURE_LENGTH = 100
_DISCLOSURE_PART = re.compile(r"^(?P<language>[a-z]{2})\s*:\s*(?P<text>.*)$", re.IGNORECASE)


class BadPolicyValue(ValueError):
    """A policy value was rejected; ``key`` names the i18n text that explains what is allowed."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Policy:
    """The organisation's policy, parsed; build it with :func:`policy_from`."""

    participation: str = "opt-in"
    max_per_week: int = 2
    min_gap_hours: int = 48
    window: Window = DEFAULT_WINDOW
    holidays: str = "none"
    timezone: str = "UTC"
    spread_minutes: int = 120
    anonymity_threshold: int = 5
    report_delay_hours: int = 24
    retention_days: int = 30
    default_language: str = "de"
    # "on": share links carry utm_source=<network>, utm_medium, utm_campaign=sharebot-<id>
    utm: str = "off"
    # "none", or the line added to every text people can share ("de: … | en: …" per language)
    disclosure: str = "none"
    # how German texts address people: "du" (informal) or "sie" (formal)
    german_address: str = "du"
    # "required": a new suggestion starts only once a second person (comms, not its author,
    # or HR) approved it
    approval: str = "off"

    @property
    def needs_approval(self) -> bool:
        return self.approval == "required"

    @property
    def min_gap(self) -> timedelta:
        return timedelta(hours=self.min_gap_hours)

    @property
    def spread(self) -> timedelta:
        return timedelta(minutes=self.spread_minutes)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def as_text(self) -> dict[str, str]:
        """Every key with its value as the person would type it."""
        return {key: _show(getattr(self, key)) for key in KEYS}

    def disclosure_in(self, language: str | None) -> str:
        """The disclosure line for a text in ``language`` ("" when there is none): that
        language's own line, else the one given for every language, else the first given."""
        parts = disclosure_parts(self.disclosure)
        return (
            parts.get(language or self.default_language)
            or parts.get("")
            or next(iter(parts.values()), "")
        )


def _show(value: object) -> str:
    return value.text if isinstance(value, Window) else str(value)


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not re.fullmatch(r"\d{1,6}", text):
            raise BadPolicyValue("policy.error.number", low=low, high=high)
        value = int(text)
        if not low <= value <= high:
            raise BadPolicyValue("policy.error.number", low=low, high=high)
        return value

    return parse


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() not in allowed:
            raise BadPolicyValue("policy.error.choice", allowed=", ".join(allowed))
        return text.lower()

    return parse


def _window(text: str) -> Window:
    try:
        return parse_window(text)
    except ValueError as error:
        raise BadPolicyValue("policy.error.window") from error


def _timezone(text: str) -> str:
    if text not in available_timezones():
        raise BadPolicyValue("policy.error.timezone")
    return text


def _holidays(text: str) -> str:
    if text.lower() == "none":
        return "none"
    country, dash, subdivision = text.partition("-")
    supported = holiday_calendars.list_supported_countries()
    subdivisions = {name.upper(): name for name in supported.get(country.upper(), ())}
    if country.upper() not in supported or (dash and subdivision.upper() not in subdivisions):
        raise BadPolicyValue("policy.error.holidays")
    if not dash:
        return country.upper()
    return f"{country.upper()}-{subdivisions[subdivision.upper()]}"


def disclosure_parts(text: str) -> dict[str, str]:
    """A disclosure value by language ("" = any language); ``{}`` for ``none``.

    ``#iworkforACME`` is one line for every language; ``de: Ich arbeite bei ACME. | en: I
    work at ACME.`` one per language (a part without a language serves the others).
    """
    if text.strip().lower() == "none":
        return {}
    parts: dict[str, str] = {}
    for part in text.split("|"):
        found = _DISCLOSURE_PART.match(part.strip())
        if found and found["language"].lower() not in LANGUAGES:
            found = None  # "PS: …" is a text, not a language
        language = found["language"].lower() if found else ""
        line = " ".join((found["text"] if found else part).split())
        if not line or not line.isprintable() or language in parts or len(line) > DISCLOSURE_LENGTH:
            raise BadPolicyValue("policy.error.disclosure", limit=DISCLOSURE_LENGTH)
        parts[language] = line
    if "" in parts and set(LANGUAGES) <= set(parts):  # a line for the others, but none is left
        raise BadPolicyValue("policy.error.disclosure", limit=DISCLOSURE_LENGTH)
    return parts


def _disclosure(text: str) -> str:
    parts = disclosure_parts(text)
    if not parts:
        return "none"
    if list(parts) == [""]:
        return parts[""]
    ordered = sorted(parts, key=lambda language: (language != "", language))
    return " | ".join(
        f"{language}: {parts[language]}" if language else parts[""] for language in ordered
    )


PARSERS: Mapping[str, Callable[[str], object]] = {
    "participation": _choice("opt-in", "invite"),
    "max_per_week": _int_between(1, 14),
    "min_gap_hours": _int_between(0, 24 * 14),
    "window": _window,
    "holidays": _holidays,
    "timezone": _timezone,
    "spread_minutes": _int_between(0, 24 * 60 * 7),
    "anonymity_threshold": _int_between(3, 1000),
    "report_delay_hours": _int_between(0, 24 * 90),
    "retention_days": _int_between(1, 3650),
    "default_language": _choice(*LANGUAGES),
    "utm": _choice("off", "on"),
    "disclosure": _disclosure,
    "german_address": _choice("du", "sie"),
    "approval": _choice("off", "required"),
}
KEYS = tuple(PARSERS)


def parse_value(key: str, text: str) -> object:
    """Validate one value typed by HR; raises :class:`BadPolicyValue` with the reason."""
    if key not in PARSERS:
        raise BadPolicyValue("policy.error.key", key=key[:40], keys=", ".join(KEYS))
    try:
        return PARSERS[key](text.strip())
    except BadPolicyValue as error:
        error.params["key"] = key  # the answer names the setting that was wrong
        raise


def normalized(key: str, text: str) -> str:
    """The value as it is stored: validated and in its canonical spelling."""
    return _show(parse_value(key, text))


def policy_from(stored: Mapping[str, str]) -> Policy:
    """Build the policy from stored values; a stored value that no longer parses is ignored."""
    values: dict[str, object] = {}
    for key, text in stored.items():
        if key in PARSERS:
            try:
                values[key] = PARSERS[key](text)
            except BadPolicyValue:
                continue
    return Policy(**values)  # type: ignore[arg-type]


def holiday_calendar(policy: Policy) -> Callable[[object], bool] | None:
    """A membership test for public holidays, or None when the policy has no holidays."""
    if policy.holidays == "none":
        return None
    country, _, subdivision = policy.holidays.partition("-")
    calendar = holiday_calendars.country_holidays(country, subdiv=subdivision or None)
    return calendar.__contains__
