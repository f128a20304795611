"""The slot rules (``bot.delivery.slots``) on exact datetimes: windows, zones, DST, holidays,
budget, spread.

2026-12-02 is a Wednesday. Berlin is UTC+1 in winter and UTC+2 in summer; DST starts on
Sunday 2027-03-28 and ends on Sunday 2026-10-25.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.slots import (
    HORIZON,
    Budget,
    Calendar,
    Recipient,
    Slot,
    plan_slot,
    spread_fraction,
)
from bot.delivery.window import parse_window
from bot.policy import holiday_calendar, policy_from

UTC_ZONE = ZoneInfo("UTC")

BERLIN = ZoneInfo("Europe/Berlin")
VIENNA = ZoneInfo("Europe/Vienna")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
WORKDAYS = "mon-fri 09:00-17:00"

IsHoliday = Callable[[date], bool]


class BudgetArguments(TypedDict, total=False):
    """What a case changes of ``person``'s attention budget."""

    max_per_week: int
    min_gap_hours: int
    busy: tuple[datetime, ...]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def at_local(zone: ZoneInfo, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)


def holidays(code: str) -> IsHoliday:
    check = holiday_calendar(policy_from({"holidays": code}))
    assert check is not None
    return check


def calendar(
    zone: ZoneInfo = UTC_ZONE, window: str = WORKDAYS, is_holiday: IsHoliday | None = None
) -> Calendar:
    return Calendar(parse_window(window), zone, is_holiday)


def person(
    zone: ZoneInfo = UTC_ZONE,
    *,
    window: str = WORKDAYS,
    is_holiday: IsHoliday | None = None,
    max_per_week: int = 14,
    min_gap_hours: int = 0,
    busy: tuple[datetime, ...] = (),
    paused_until: datetime | None = None,
    digest: bool = False,
) -> Recipient:
    return Recipient(
        calendar=calendar(zone, window, is_holiday),
        budget=Budget(max_per_week, timedelta(hours=min_gap_hours), busy),
        paused_until=paused_until,
        digest=digest,
    )


def plan(
    recipient: Recipient,
    start: datetime,
    *,
    expires: datetime | None = None,
    spread_minutes: int = 0,
    fraction: float = 0.0,
) -> Slot | None:
    spread = timedelta(minutes=spread_minutes)
    return plan_slot(recipient, start=start, expires=expires, spread=spread, fraction=fraction)


# --- Calendar ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param(utc(2026, 12, 2, 7, 0), utc(2026, 12, 2, 9, 0), id="before-hours"),
        pytest.param(utc(2026, 12, 2, 13, 15), utc(2026, 12, 2, 13, 15), id="inside"),
        pytest.param(utc(2026, 12, 2, 17, 0), utc(2026, 12, 3, 9, 0), id="end-is-exclusive"),
        pytest.param(utc(2026, 12, 2, 20, 0), utc(2026, 12, 3, 9, 0), id="after-hours"),
        pytest.param(utc(2026, 12, 4, 17, 30), utc(2026, 12, 7, 9, 0), id="friday-evening"),
        pytest.param(utc(2026, 12, 5, 11, 0), utc(2026, 12, 7, 9, 0), id="saturday"),
    ],
)
def test_next_open_in_a_working_window(moment: datetime, expected: datetime) -> None:
    assert calendar().next_open(moment) == expected


def test_next_open_with_always_window_is_the_moment_itself_even_at_weekends() -> None:
    saturday_night = utc(2026, 12, 5, 3, 7)
    assert calendar(window="always").next_open(saturday_night) == saturday_night


def test_next_open_is_none_when_every_day_is_a_holiday() -> None:
    assert calendar(is_holiday=lambda day: True).next_open(utc(2026, 12, 2, 10)) is None


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        pytest.param(BERLIN, utc(2026, 12, 2, 8, 0), id="berlin-09:00-CET"),
        pytest.param(NEW_YORK, utc(2026, 12, 2, 14, 0), id="new-york-09:00-EST"),
        pytest.param(TOKYO, utc(2026, 12, 2, 0, 0), id="tokyo-09:00-JST"),
    ],
)
def test_each_person_gets_their_own_nine_oclock(zone: ZoneInfo, expected: datetime) -> None:
    # 2026-12-01 23:00 UTC: Tue 18:00 in New York, Wed 00:00 in Berlin, Wed 08:00 in Tokyo.
    slot = plan(person(zone), utc(2026, 12, 1, 23, 0))
    assert slot == Slot(expected, "window")
    assert slot.due.astimezone(zone).hour == 9


def test_friday_evening_utc_is_already_saturday_in_tokyo() -> None:
    # Fri 2026-12-04 16:00 UTC is Sat 01:00 JST: Tokyo waits for Monday 09:00 JST.
    assert calendar(TOKYO).next_open(utc(2026, 12, 4, 16, 0)) == utc(2026, 12, 7, 0, 0)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2027, 3, 27), utc(2027, 3, 27, 8, 0), id="sat-before-spring-CET"),
        pytest.param(date(2027, 3, 28), utc(2027, 3, 28, 7, 0), id="spring-forward-day-CEST"),
        pytest.param(date(2026, 10, 24), utc(2026, 10, 24, 7, 0), id="sat-before-autumn-CEST"),
        pytest.param(date(2026, 10, 25), utc(2026, 10, 25, 8, 0), id="fall-back-day-CET"),
    ],
)
def test_window_start_follows_dst_in_berlin(day: date, expected: datetime) -> None:
    every_day = calendar(BERLIN, "mon-sun 09:00-17:00")
    midnight = local(BERLIN, day.year, day.month, day.day)
    assert every_day.next_open(midnight) == expected


@pytest.mark.parametrize(
    ("moment", "local_hour"),
    [
        pytest.param(utc(2027, 3, 28, 0), 4, id="short-spring-night-01:00-CET-to-04:00-CEST"),
        pytest.param(utc(2026, 10, 25, 0), 3, id="long-autumn-night-02:00-CEST-to-03:00-CET"),
    ],
)
def test_advance_counts_real_time_across_the_dst_night(moment: datetime, local_hour: int) -> None:
    moved = calendar(BERLIN, "always").advance(moment, timedelta(hours=2))
    assert moved == moment + timedelta(hours=2)
    assert moved.astimezone(BERLIN).hour == local_hour


def test_advance_skips_closed_hours_and_the_weekend() -> None:
    # One hour before Friday's end, three hours of window time: 1 h Friday, 2 h Monday.
    moved = calendar(BERLIN).advance(local(BERLIN, 2027, 3, 26, 16, 0), timedelta(hours=3))
    assert moved == local(BERLIN, 2027, 3, 29, 11, 0)
    assert moved == utc(2027, 3, 29, 9, 0)


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        pytest.param(UTC_ZONE, utc(2026, 12, 2, 10), utc(2026, 12, 7), id="wednesday"),
        pytest.param(UTC_ZONE, utc(2026, 12, 7, 10), utc(2026, 12, 14), id="monday"),
        pytest.param(BERLIN, utc(2026, 12, 2, 10), utc(2026, 12, 6, 23), id="berlin"),
        pytest.param(TOKYO, utc(2026, 12, 6, 20), utc(2026, 12, 13, 15), id="tokyo-monday"),
        pytest.param(BERLIN, utc(2027, 3, 24, 10), utc(2027, 3, 28, 22), id="berlin-into-dst"),
    ],
)
def test_week_start_is_next_monday_midnight_local(
    zone: ZoneInfo, moment: datetime, expected: datetime
) -> None:
    assert calendar(zone).week_start(moment) == expected


# --- holidays --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "zone", "evening", "next_open_day"),
    [
        pytest.param("AT", VIENNA, date(2026, 12, 7), date(2026, 12, 9), id="AT-8-Dec"),
        pytest.param("none", VIENNA, date(2026, 12, 7), date(2026, 12, 8), id="none-8-Dec"),
        pytest.param("AT", VIENNA, date(2026, 12, 24), date(2026, 12, 28), id="AT-Christmas"),
        pytest.param("DE-BY", BERLIN, date(2027, 1, 5), date(2027, 1, 7), id="DE-BY-Epiphany"),
        pytest.param("DE-BE", BERLIN, date(2027, 1, 5), date(2027, 1, 6), id="DE-BE-Epiphany"),
    ],
)
def test_public_holidays_are_skipped(
    code: str, zone: ZoneInfo, evening: date, next_open_day: date
) -> None:
    # AT: Mariä Empfängnis (Tue 8 Dec), Christmas (Fri 25 Dec) and the weekend after it.
    # DE-BY has Epiphany (Wed 6 Jan 2027), DE-BE does not.
    is_holiday = holiday_calendar(policy_from({"holidays": code}))
    assert (is_holiday is None) == (code == "none")
    slot = plan(person(zone, is_holiday=is_holiday), at_local(zone, evening, 18))
    assert slot == Slot(at_local(zone, next_open_day, 9), "window")
    assert slot is not None
    assert slot.due == at_local(UTC_ZONE, next_open_day, 8)  # CET is UTC+1


def test_spread_skips_a_holiday_in_window_time() -> None:
    # Two hours of window time from Monday 16:00: one hour Monday, one hour Wednesday.
    slot = plan(
        person(VIENNA, is_holiday=holidays("AT")),
        local(VIENNA, 2026, 12, 7, 16, 0),
        spread_minutes=240,
        fraction=0.5,
    )
    assert slot == Slot(local(VIENNA, 2026, 12, 9, 10, 0), "spread")


# --- budget ------------------------------------------------------------------------------------

# Mon 2026-11-30 to Fri 2026-12-04 at 10:00 UTC, and the step to the same time a week later.
MON, TUE, WED, THU, FRI = (utc(2026, 11, 30, 10) + timedelta(days=n) for n in range(5))
NEXT = timedelta(days=7)


def test_empty_budget_has_no_conflict() -> None:
    assert Budget(1, timedelta(hours=48)).conflict(WED) is None


def test_a_cap_of_none_a_week_leaves_no_room_even_when_nothing_was_sent() -> None:
    assert Budget(0, timedelta(hours=48)).conflict(WED) == (WED + NEXT, "cap")


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        pytest.param(TUE, (FRI, "gap"), id="busy-after-candidate"),
        pytest.param(THU, (FRI, "gap"), id="busy-before-candidate"),
        pytest.param(MON, None, id="exactly-gap-before"),
        pytest.param(FRI, None, id="exactly-gap-after"),
    ],
)
def test_min_gap_holds_in_both_directions(candidate: datetime, expected: object) -> None:
    assert Budget(14, timedelta(hours=48), (WED,)).conflict(candidate) == expected


def test_min_gap_retries_after_the_latest_message_that_is_too_close() -> None:
    budget = Budget(14, timedelta(hours=48), (MON, WED))
    assert budget.conflict(TUE) == (FRI, "gap")


@pytest.mark.parametrize(
    ("busy", "expected"),
    [
        pytest.param((MON, TUE), (MON + NEXT, "cap"), id="two-before"),
        pytest.param((THU, FRI), (WED + NEXT, "cap"), id="two-after"),
        pytest.param((MON, FRI), (MON + NEXT, "cap"), id="one-before-one-after"),
        pytest.param((MON,), None, id="one-before-is-within-cap"),
        pytest.param((WED - NEXT, WED - NEXT), None, id="exactly-seven-days-ago-is-outside"),
    ],
)
def test_weekly_cap_of_two_in_any_rolling_seven_days(
    busy: tuple[datetime, ...], expected: tuple[datetime, str] | None
) -> None:
    assert Budget(2, timedelta(0), busy).conflict(WED) == expected


def test_weekly_cap_is_rolling_not_per_calendar_week() -> None:
    # Last Friday and this Monday are in different calendar weeks but within 7 days.
    last_friday = utc(2026, 11, 27, 10)
    assert Budget(1, timedelta(0), (last_friday,)).conflict(MON) == (FRI, "cap")


@pytest.mark.parametrize(
    ("budget", "start", "expected"),
    [
        # 49 hours after Wed 16:30 is Fri 17:30, after hours: Monday 09:00.
        pytest.param(
            {"min_gap_hours": 49, "busy": (utc(2026, 12, 2, 16, 30),)},
            THU,
            Slot(utc(2026, 12, 7, 9), "gap"),
            id="gap-ends-after-hours",
        ),
        pytest.param(
            {"max_per_week": 2, "busy": (MON, TUE)}, WED, Slot(MON + NEXT, "cap"), id="cap-full"
        ),
        # One a week and one already planned for Thursday: nothing before next Thursday.
        pytest.param(
            {"max_per_week": 1, "busy": (THU,)}, WED, Slot(THU + NEXT, "cap"), id="planned-later"
        ),
        pytest.param(
            {"max_per_week": 2, "min_gap_hours": 24, "busy": (MON, WED)},
            WED + timedelta(hours=1),
            Slot(MON + NEXT, "cap"),
            id="gap-then-cap",
        ),
    ],
)
def test_plan_moves_later_until_gap_and_cap_hold(
    budget: BudgetArguments, start: datetime, expected: Slot
) -> None:
    assert plan(person(**budget), start) == expected


# --- pause, expiry, horizon ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paused_until", "expected"),
    [
        pytest.param(utc(2026, 12, 3, 12), Slot(utc(2026, 12, 3, 12), "pause"), id="thursday"),
        pytest.param(utc(2026, 12, 5, 12), Slot(utc(2026, 12, 7, 9), "pause"), id="saturday"),
        pytest.param(MON, Slot(WED, None), id="ended-before-start"),
    ],
)
def test_pause_moves_the_slot_to_its_end(paused_until: datetime, expected: Slot) -> None:
    assert plan(person(paused_until=paused_until), WED) == expected


def test_pause_beyond_the_horizon_gives_no_slot() -> None:
    assert plan(person(paused_until=WED + timedelta(days=61)), WED) is None
    thursday_57_days_later = utc(2027, 1, 28, 10)
    assert plan(person(paused_until=thursday_57_days_later), WED) == Slot(
        thursday_57_days_later, "pause"
    )
    # A pause ending on Saturday 2027-01-30 opens on Monday, 61 days after the start.
    assert plan(person(paused_until=utc(2027, 1, 30, 10)), WED) is None


def test_no_open_day_within_the_horizon_gives_no_slot() -> None:
    closed_until = (WED + HORIZON + timedelta(days=3)).date()
    recipient = person(is_holiday=lambda day: day < closed_until)
    assert plan(recipient, WED) is None


@pytest.mark.parametrize(
    ("expires", "planned"),
    [
        pytest.param(utc(2026, 12, 5, 0, 0), False, id="expires-over-the-weekend"),
        pytest.param(utc(2026, 12, 7, 9, 0), False, id="expires-exactly-at-the-slot"),
        pytest.param(utc(2026, 12, 7, 9, 1), True, id="expires-just-after"),
    ],
)
def test_expiry_before_the_first_allowed_time_gives_no_slot(
    expires: datetime, planned: bool
) -> None:
    friday_evening = utc(2026, 12, 4, 18, 0)
    slot = plan(person(), friday_evening, expires=expires)
    assert slot == (Slot(utc(2026, 12, 7, 9, 0), "window") if planned else None)


def test_expiry_before_the_end_of_the_gap_or_before_the_start_gives_no_slot() -> None:
    recipient = person(min_gap_hours=48, busy=(WED,))
    assert plan(recipient, THU, expires=utc(2026, 12, 4, 9, 59)) is None
    assert plan(person(), WED, expires=TUE) is None


# --- spread ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "fraction", "expected", "reason"),
    [
        pytest.param(utc(2026, 12, 2, 9), 0.0, utc(2026, 12, 2, 9), None, id="fraction-0"),
        pytest.param(utc(2026, 12, 2, 9), 0.5, utc(2026, 12, 2, 10), "spread", id="half"),
        pytest.param(utc(2026, 12, 2, 6), 0.5, utc(2026, 12, 2, 10), "window", id="from-9"),
        pytest.param(utc(2026, 12, 2, 16), 0.75, utc(2026, 12, 3, 9, 30), "spread", id="next-day"),
        pytest.param(utc(2026, 12, 4, 16, 30), 0.5, utc(2026, 12, 7, 9, 30), "spread", id="mon"),
    ],
)
def test_spread_offset_is_measured_in_window_time(
    start: datetime, fraction: float, expected: datetime, reason: str | None
) -> None:
    assert plan(person(), start, spread_minutes=120, fraction=fraction) == Slot(expected, reason)


@pytest.mark.parametrize("fraction", [n / 25 for n in range(25)])
def test_spread_offsets_stay_inside_the_window(fraction: float) -> None:
    # Three working days of spread from Friday 13:00 Berlin, over a weekend.
    slot = plan(
        person(BERLIN),
        local(BERLIN, 2026, 12, 4, 13, 0),
        spread_minutes=3 * 8 * 60,
        fraction=fraction,
    )
    assert slot is not None
    due = slot.due.astimezone(BERLIN)
    assert due.weekday() < 5
    assert (9, 0) <= (due.hour, due.minute) < (17, 0)
    assert local(BERLIN, 2026, 12, 4, 13) <= due < local(BERLIN, 2026, 12, 9, 13)


def test_spread_that_cannot_finish_before_expiry_gives_no_slot() -> None:
    nine, almost_ten = utc(2026, 12, 2, 9), utc(2026, 12, 2, 9, 59)
    assert plan(person(), nine, spread_minutes=120, fraction=0.5, expires=almost_ten) is None


def test_spread_fraction_is_stable_and_pinned() -> None:
    # Planned deliveries must land at the same time after a restart: no salted hash().
    assert spread_fraction(1, 1) == 0.5623181634912587
    assert spread_fraction(7, 42) == 0.837179803366201
    assert spread_fraction(7, 42) == spread_fraction(7, 42)
    assert spread_fraction(1, 2) != spread_fraction(2, 1)


def test_spread_fraction_is_in_unit_interval_and_roughly_uniform() -> None:
    values = [spread_fraction(suggestion, who) for suggestion in range(1, 5) for who in range(500)]
    assert all(0.0 <= value < 1.0 for value in values)
    assert 0.45 < sum(values) / len(values) < 0.55
    assert sum(value < 0.1 for value in values) > 100  # each tenth gets its share (~200)
    assert sum(value >= 0.9 for value in values) > 100


# --- digest -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recipient", "start", "expected"),
    [
        pytest.param(
            person(BERLIN, digest=True), WED, local(BERLIN, 2026, 12, 7, 9), id="wednesday"
        ),
        pytest.param(person(digest=True), MON, utc(2026, 12, 7, 9), id="monday-waits-a-week"),
        # Easter Monday 2027-03-29 is a holiday in AT, the day after the DST change.
        pytest.param(
            person(VIENNA, is_holiday=holidays("AT"), digest=True),
            utc(2027, 3, 24, 10),
            utc(2027, 3, 30, 7),
            id="AT-Easter-Monday-CEST",
        ),
        pytest.param(
            person(digest=True, paused_until=utc(2026, 12, 9, 12)),
            WED,
            utc(2026, 12, 14, 9),
            id="week-after-the-pause",
        ),
    ],
)
def test_digest_comes_at_the_first_open_moment_of_next_week(
    recipient: Recipient, start: datetime, expected: datetime
) -> None:
    slot = plan(recipient, start, spread_minutes=120, fraction=0.9)
    assert slot == Slot(expected, "digest")


def test_digest_expiring_before_next_week_gives_no_slot() -> None:
    assert plan(person(digest=True), WED, expires=utc(2026, 12, 7, 9, 0)) is None


# --- one suggestion for many people, as the planning does it ----------------------------------


def first_slots(
    recipients: list[tuple[int, Recipient]],
    *,
    suggestion_id: int,
    start: datetime,
    expires: datetime | None,
    spread: timedelta,
) -> list[tuple[int, Slot]]:
    """Each person's slot at their own fraction of the spread, as ``Planning`` asks for it."""
    planned = []
    for person_id, recipient in recipients:
        fraction = spread_fraction(suggestion_id, person_id)
        slot = plan_slot(recipient, start=start, expires=expires, spread=spread, fraction=fraction)
        if slot is not None:
            planned.append((person_id, slot))
    return planned


def test_first_slots_spreads_people_over_the_spread() -> None:
    start = utc(2026, 12, 2, 9, 0)
    people = [(pid, person()) for pid in range(1, 51)]
    slots = first_slots(
        people, suggestion_id=3, start=start, expires=None, spread=timedelta(minutes=120)
    )
    assert [pid for pid, _ in slots] == list(range(1, 51))
    dues = [slot.due for _, slot in slots]
    assert all(start <= due < start + timedelta(minutes=120) for due in dues)
    assert len(set(dues)) == 50
    assert min(dues) < start + timedelta(minutes=30)
    assert max(dues) >= start + timedelta(minutes=90)
    for pid, slot in slots:
        offset = (slot.due - start) / timedelta(minutes=120)
        assert offset == pytest.approx(spread_fraction(3, pid), abs=1e-6)


def test_first_slots_leaves_out_people_without_an_allowed_time() -> None:
    start = utc(2026, 12, 2, 9, 0)
    people = [
        (1, person()),
        (2, person(paused_until=utc(2026, 12, 20))),
        (3, person(TOKYO)),
    ]
    slots = first_slots(
        people, suggestion_id=1, start=start, expires=utc(2026, 12, 10), spread=timedelta(0)
    )
    assert slots == [
        (1, Slot(start, None)),
        (3, Slot(utc(2026, 12, 3, 0, 0), "window")),  # Thu 09:00 JST
    ]
