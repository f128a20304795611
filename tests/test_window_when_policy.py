"""Working windows, `<when>` texts and policy values: the small parsers behind the commands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.commands.when import BadWhen, parse_duration, parse_when
from bot.delivery.window import Window, parse_window
from bot.policy import (
    KEYS,
    PARSERS,
    BadPolicyValue,
    Policy,
    holiday_calendar,
    normalized,
    parse_value,
    policy_from,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday
WEEKDAYS = frozenset(range(5))

# --- window -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "start", "end"),
    [
        ("always", frozenset(range(7)), 0, 1440),
        ("  ALWAYS ", frozenset(range(7)), 0, 1440),
        ("immer", frozenset(range(7)), 0, 1440),
        ("mon-fri 09:00-17:00", WEEKDAYS, 540, 1020),
        ("Mon-Fri   09:00-17:00", WEEKDAYS, 540, 1020),
        ("mon,wed,fri 08:30-12:00", frozenset({0, 2, 4}), 510, 720),
        ("mo-fr 9:00-17:00", WEEKDAYS, 540, 1020),
        ("mi,do 7:05-8:10", frozenset({2, 3}), 425, 490),
        ("so 10:00-11:00", frozenset({6}), 600, 660),
        ("fri-mon 10:00-14:00", frozenset({4, 5, 6, 0}), 600, 840),
        ("sat-sun 00:00-24:00", frozenset({5, 6}), 0, 1440),
        ("mon-wed,fri 09:00-12:00", frozenset({0, 1, 2, 4}), 540, 720),
    ],
)
def test_parse_window(text: str, days: frozenset[int], start: int, end: int) -> None:
    assert parse_window(text) == Window(days, start, end)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "never",
        "mon-fri",
        "09:00-17:00",
        "mon-fri 17:00-09:00",
        "mon-fri 09:00-09:00",
        "mon-fri 25:00-26:00",
        "mon-fri 09:60-17:00",
        "mon-fri 24:30-24:45",
        "mon-fri 9-17",
        "mon-fri 09:00 17:00",
        "mon,,fri 09:00-17:00",
        "monday-friday 09:00-17:00",
        "xyz 09:00-17:00",
        "-fri 09:00-17:00",
        "mon-fri 09:00-17:00 extra",
    ],
)
def test_invalid_window_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_window(text)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("always", "always"),
        ("mon-sun 00:00-24:00", "always"),
        ("mon-fri 09:00-17:00", "mon-fri 09:00-17:00"),
        ("mo-fr 9:00-17:00", "mon-fri 09:00-17:00"),
        ("mon,wed,fri 08:30-12:00", "mon,wed,fri 08:30-12:00"),
        ("tue 08:00-09:30", "tue 08:00-09:30"),
        ("fri-mon 10:00-14:00", "mon,fri,sat,sun 10:00-14:00"),
        ("mon-sun 09:00-17:00", "mon-sun 09:00-17:00"),
        ("mon-fri 00:00-24:00", "mon-fri 00:00-24:00"),
    ],
)
def test_window_text_is_canonical_and_round_trips(text: str, canonical: str) -> None:
    window = parse_window(text)
    assert window.text == canonical
    assert parse_window(window.text) == window


def test_only_the_whole_week_all_day_is_always() -> None:
    assert parse_window("mon-sun 00:00-24:00").always
    assert not parse_window("mon-sat 00:00-24:00").always
    assert not parse_window("mon-sun 00:00-23:59").always


# --- when ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("45min", timedelta(minutes=45)),
        ("2h", timedelta(hours=2)),
        ("2H", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("3t", timedelta(days=3)),
        ("1w", timedelta(weeks=1)),
        (" 10 d ", timedelta(days=10)),
        ("0m", timedelta(0)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2", "h", "2y", "1.5h", "-1d", "2 weeks", "12345m", "2h30m"])
def test_not_a_duration_is_none(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("NOW", NOW),
        ("jetzt", NOW),
        ("30m", NOW + timedelta(minutes=30)),
        ("2h", NOW + timedelta(hours=2)),
        ("3d", NOW + timedelta(days=3)),
        ("1w", NOW + timedelta(weeks=1)),
    ],
)
def test_parse_when_relative(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW, tz=BERLIN) == expected


@pytest.mark.parametrize(
    ("text", "tz", "end_of_day", "expected"),
    [
        ("2026-12-10", BERLIN, False, datetime(2026, 12, 9, 23, 0, tzinfo=UTC)),
        ("2026-12-10", BERLIN, True, datetime(2026, 12, 10, 23, 0, tzinfo=UTC)),
        ("2026-12-10", NEW_YORK, False, datetime(2026, 12, 10, 5, 0, tzinfo=UTC)),
        ("2026-12-10", NEW_YORK, True, datetime(2026, 12, 11, 5, 0, tzinfo=UTC)),
        ("2026-12-10T10:30", BERLIN, False, datetime(2026, 12, 10, 9, 30, tzinfo=UTC)),
        ("2026-12-10t10:30", NEW_YORK, False, datetime(2026, 12, 10, 15, 30, tzinfo=UTC)),
        ("2026-12-10T10:30", BERLIN, True, datetime(2026, 12, 10, 9, 30, tzinfo=UTC)),
        ("2027-06-01T10:30", BERLIN, False, datetime(2027, 6, 1, 8, 30, tzinfo=UTC)),
        ("2027-03-29", BERLIN, False, datetime(2027, 3, 28, 22, 0, tzinfo=UTC)),
    ],
)
def test_parse_when_dates_are_read_in_the_authors_zone(
    text: str, tz: ZoneInfo, end_of_day: bool, expected: datetime
) -> None:
    assert parse_when(text, now=NOW, tz=tz, end_of_day=end_of_day) == expected


def test_parse_when_limits_how_far_ahead() -> None:
    utc = ZoneInfo("UTC")
    assert parse_when("366d", now=NOW, tz=utc) == NOW + timedelta(days=366)
    assert parse_when("52w", now=NOW, tz=utc) == NOW + timedelta(weeks=52)
    midnight = datetime(2026, 12, 2, tzinfo=UTC)
    assert parse_when("2027-12-03", now=midnight, tz=utc) == midnight + timedelta(days=366)
    for text in ("367d", "53w", "9999h", "2027-12-04", "2030-01-01T09:00"):
        with pytest.raises(BadWhen):
            parse_when(text, now=midnight, tz=utc)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "morgen",
        "soon-ish",
        "2026-13-01",
        "2026-02-30",
        "2026-12-01T25:00",
        "2026-12-01T10:30+01:00",
        "2026-12-01T10:30Z",
        "1.5h",
        "in 2 days",
        "<script>",
    ],
)
def test_parse_when_rejects_garbage(text: str) -> None:
    with pytest.raises(BadWhen):
        parse_when(text, now=NOW, tz=BERLIN)


def test_bad_when_is_a_value_error() -> None:
    assert issubclass(BadWhen, ValueError)


# --- policy -----------------------------------------------------------------------------------


def test_defaults() -> None:
    policy = policy_from({})
    assert policy == Policy()
    assert policy.as_text() == {
        "participation": "opt-in",
        "max_per_week": "2",
        "min_gap_hours": "48",
        "window": "mon-fri 09:00-17:00",
        "holidays": "none",
        "timezone": "UTC",
        "spread_minutes": "120",
        "anonymity_threshold": "5",
        "report_delay_hours": "24",
        "retention_days": "30",
        "default_language": "de",
        "utm": "off",
        "disclosure": "none",
        "german_address": "du",
        "approval": "off",
    }
    assert policy.min_gap == timedelta(hours=48)
    assert policy.spread == timedelta(minutes=120)
    assert policy.zone == ZoneInfo("UTC")
    assert set(KEYS) == set(PARSERS)


@pytest.mark.parametrize(
    ("key", "text", "stored"),
    [
        ("participation", "opt-in", "opt-in"),
        ("participation", "INVITE", "invite"),
        ("max_per_week", "1", "1"),
        ("max_per_week", "14", "14"),
        ("min_gap_hours", "0", "0"),
        ("min_gap_hours", "336", "336"),
        ("window", "Mo-Fr 9:00-17:00", "mon-fri 09:00-17:00"),
        ("window", "always", "always"),
        ("holidays", "none", "none"),
        ("holidays", "NONE", "none"),
        ("holidays", "AT", "AT"),
        ("holidays", "de-by", "DE-BY"),
        ("holidays", "DE-BE", "DE-BE"),
        ("timezone", "Europe/Berlin", "Europe/Berlin"),
        ("timezone", " America/New_York ", "America/New_York"),
        ("timezone", "UTC", "UTC"),
        ("spread_minutes", "0", "0"),
        ("spread_minutes", "10080", "10080"),
        ("anonymity_threshold", "3", "3"),
        ("anonymity_threshold", "1000", "1000"),
        ("report_delay_hours", "0", "0"),
        ("report_delay_hours", "2160", "2160"),
        ("retention_days", "1", "1"),
        ("retention_days", "3650", "3650"),
        ("default_language", "EN", "en"),
        ("default_language", "de", "de"),
    ],
)
def test_normalized_valid_values(key: str, text: str, stored: str) -> None:
    assert normalized(key, text) == stored
    assert policy_from({key: stored}).as_text()[key] == stored


@pytest.mark.parametrize(
    ("key", "text", "reason"),
    [
        ("participation", "forced", "policy.error.choice"),
        ("max_per_week", "0", "policy.error.number"),
        ("max_per_week", "15", "policy.error.number"),
        ("max_per_week", "-1", "policy.error.number"),
        ("max_per_week", "2.5", "policy.error.number"),
        ("max_per_week", "two", "policy.error.number"),
        ("min_gap_hours", "337", "policy.error.number"),
        ("window", "weekdays", "policy.error.window"),
        ("window", "mon-fri 17:00-09:00", "policy.error.window"),
        ("holidays", "XX", "policy.error.holidays"),
        ("holidays", "DE-XX", "policy.error.holidays"),
        ("holidays", "Germany", "policy.error.holidays"),
        ("timezone", "CET+1", "policy.error.timezone"),
        ("timezone", "Mars/Olympus", "policy.error.timezone"),
        ("timezone", "europe/berlin", "policy.error.timezone"),
        ("timezone", "+01:00", "policy.error.timezone"),
        ("spread_minutes", "10081", "policy.error.number"),
        ("anonymity_threshold", "2", "policy.error.number"),
        ("anonymity_threshold", "0", "policy.error.number"),
        ("report_delay_hours", "2161", "policy.error.number"),
        ("retention_days", "0", "policy.error.number"),
        ("retention_days", "3651", "policy.error.number"),
        ("default_language", "fr", "policy.error.choice"),
        ("no_such_key", "1", "policy.error.key"),
    ],
)
def test_invalid_values_are_rejected_with_a_reason(key: str, text: str, reason: str) -> None:
    with pytest.raises(BadPolicyValue) as caught:
        parse_value(key, text)
    assert caught.value.key == reason


def test_number_error_names_the_allowed_range() -> None:
    with pytest.raises(BadPolicyValue) as caught:
        parse_value("anonymity_threshold", "2")
    assert caught.value.params == {"low": 3, "high": 1000, "key": "anonymity_threshold"}


def test_parse_value_returns_typed_values() -> None:
    assert parse_value("max_per_week", "3") == 3
    assert parse_value("window", "mon 09:00-10:00") == Window(frozenset({0}), 540, 600)


def test_policy_from_ignores_bad_and_unknown_stored_values() -> None:
    policy = policy_from(
        {
            "max_per_week": "99",
            "anonymity_threshold": "2",
            "timezone": "Nowhere/City",
            "holidays": "XX",
            "window": "garbage",
            "unknown": "1",
            "min_gap_hours": "12",
            "default_language": "en",
        }
    )
    assert policy == Policy(min_gap_hours=12, default_language="en")


def test_policy_from_reads_every_key() -> None:
    policy = policy_from(
        {"window": "always", "holidays": "DE-BY", "timezone": "Europe/Berlin", "max_per_week": "3"}
    )
    assert policy.window.always
    assert (policy.holidays, policy.zone, policy.max_per_week) == ("DE-BY", BERLIN, 3)


@pytest.mark.parametrize(
    ("code", "day", "expected"),
    [
        ("AT", date(2026, 12, 8), True),
        ("AT", date(2026, 12, 25), True),
        ("AT", date(2026, 12, 9), False),
        ("DE-BY", date(2027, 1, 6), True),
        ("DE-BE", date(2027, 1, 6), False),
        ("DE-BE", date(2027, 3, 8), True),  # Internationaler Frauentag, Berlin only
        ("DE-BY", date(2027, 3, 8), False),
    ],
)
def test_holiday_calendar(code: str, day: date, expected: bool) -> None:
    is_holiday = holiday_calendar(policy_from({"holidays": code}))
    assert is_holiday is not None
    assert is_holiday(day) is expected


def test_no_holiday_calendar_without_holidays() -> None:
    assert holiday_calendar(Policy()) is None


@pytest.mark.parametrize("text", ["mon- 09:00-17:00", "-fri 09:00-17:00"])
def test_a_day_range_needs_both_ends(text: str) -> None:
    with pytest.raises(ValueError):
        parse_window(text)


def test_holidays_need_a_region_after_a_dash_and_keep_its_spelling() -> None:
    with pytest.raises(BadPolicyValue):
        normalized("holidays", "DE-")
    assert normalized("holidays", "de-augsburg") == "DE-Augsburg"


def test_a_rejected_policy_value_names_its_key() -> None:
    with pytest.raises(BadPolicyValue) as raised:
        parse_value("max_per_week", "lots")
    assert raised.value.params["key"] == "max_per_week"
