"""Table tests for business-calendar arithmetic: hours, weekends, holidays, breaks, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.tickets.sla.calendar import ALWAYS_OPEN, BusinessCalendar, add_business_days

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
M = timedelta(minutes=1)
WEEKDAYS = range(5)


def ber(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def nyc(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours(opening: time, closing: time, days=range(7)) -> dict:
    return {day: [(opening, closing)] for day in days}


OFFICE = BusinessCalendar(
    "Europe/Berlin",
    hours(time(9), time(17), WEEKDAYS),
    holidays=[date(2026, 12, 24), date(2026, 12, 25)],
)
OFFICE_NY = BusinessCalendar("America/New_York", hours(time(9), time(17), WEEKDAYS))
LUNCH = BusinessCalendar(
    "Europe/Berlin", {day: [(time(13), time(17)), (time(9), time(12))] for day in WEEKDAYS}
)
TIER1 = BusinessCalendar("Europe/Berlin", hours(time(8), time(20)))
WEEKENDS = BusinessCalendar("Europe/Berlin", hours(time(0), time(0), (5, 6)))
WEEKENDS_NY = BusinessCalendar("America/New_York", hours(time(0), time(0), (5, 6)))
NIGHT = BusinessCalendar("Europe/Berlin", hours(time(1), time(5)))
GAP = BusinessCalendar("Europe/Berlin", hours(time(2, 30), time(6)))
# Disjoint in wall time but overlapping in real time on spring-forward day (02:xx maps forward).
SPLIT_NIGHT = BusinessCalendar("Europe/Berlin", {6: [(time(1), time(2, 30)), (time(3), time(4))]})
# On spring-forward day 02:30 maps to 03:30 CEST, after 03:00: that interval is empty then.
BACKWARDS_IN_GAP = BusinessCalendar(
    "Europe/Berlin", {6: [(time(2, 30), time(3)), (time(4), time(5))]}
)

ADD_CASES = [
    ("inside hours", OFFICE, ber(2026, 6, 15, 10), 2 * H, ber(2026, 6, 15, 12)),
    ("start given in UTC", OFFICE, utc(2026, 6, 15, 7), H, ber(2026, 6, 15, 10)),
    ("before opening", OFFICE, ber(2026, 6, 15, 7, 30), H, ber(2026, 6, 15, 10)),
    ("after closing", OFFICE, ber(2026, 6, 15, 18), H, ber(2026, 6, 16, 10)),
    ("Friday afternoon over weekend", OFFICE, ber(2026, 6, 12, 15), 4 * H, ber(2026, 6, 15, 11)),
    ("Saturday start", OFFICE, ber(2026, 6, 13, 11), 30 * M, ber(2026, 6, 15, 9, 30)),
    ("holidays skipped", OFFICE, ber(2026, 12, 23, 16, 30), H, ber(2026, 12, 28, 9, 30)),
    ("lunch break skipped", LUNCH, ber(2026, 6, 15, 11, 30), H, ber(2026, 6, 15, 13, 30)),
    ("start during lunch", LUNCH, ber(2026, 6, 15, 12, 15), 30 * M, ber(2026, 6, 15, 13, 30)),
    ("lands on lunch start", LUNCH, ber(2026, 6, 15, 11), H, ber(2026, 6, 15, 12)),
    ("lands on closing time", OFFICE, ber(2026, 6, 15, 15), 2 * H, ber(2026, 6, 15, 17)),
    ("full day from opening", OFFICE, ber(2026, 6, 15, 9), 8 * H, ber(2026, 6, 15, 17)),
    ("closing Friday stays Friday", OFFICE, ber(2026, 6, 12, 9), 8 * H, ber(2026, 6, 12, 17)),
    ("one minute past closing", OFFICE, ber(2026, 6, 12, 9), 8 * H + M, ber(2026, 6, 15, 9, 1)),
    ("zero while closed", OFFICE, ber(2026, 6, 13, 3), timedelta(0), ber(2026, 6, 13, 3)),
    ("zero while open", OFFICE, ber(2026, 6, 15, 10), timedelta(0), ber(2026, 6, 15, 10)),
    ("whole days", WEEKENDS, ber(2026, 6, 12, 12), 36 * H, ber(2026, 6, 14, 12)),
    ("whole days to midnight", WEEKENDS, ber(2026, 6, 13), 48 * H, ber(2026, 6, 15)),
    ("whole days continue", WEEKENDS, ber(2026, 6, 13), 49 * H, ber(2026, 6, 20, 1)),
    ("always open", ALWAYS_OPEN, utc(2026, 6, 13, 3), 90 * M, utc(2026, 6, 13, 4, 30)),
    ("New York plain day", OFFICE_NY, nyc(2026, 6, 16, 8), 8 * H, nyc(2026, 6, 16, 17)),
    # DST: 2026-03-08 (New York) and 2026-03-29 (Berlin) spring forward; 10-25 / 11-01 fall back.
    ("NY weekend with DST start", OFFICE_NY, nyc(2026, 3, 6, 16), 2 * H, nyc(2026, 3, 9, 10)),
    ("NY weekend with DST end", OFFICE_NY, nyc(2026, 10, 30, 16), 2 * H, nyc(2026, 11, 2, 10)),
    ("Berlin spring, opening", TIER1, ber(2026, 3, 28, 19), 2 * H, ber(2026, 3, 29, 9)),
    ("Berlin autumn, opening", TIER1, ber(2026, 10, 24, 19), 2 * H, ber(2026, 10, 25, 9)),
    ("spring, interval shrinks", NIGHT, ber(2026, 3, 29, 1), 3 * H, ber(2026, 3, 29, 5)),
    ("spring, into next day", NIGHT, ber(2026, 3, 29, 1), 4 * H, ber(2026, 3, 30, 2)),
    ("autumn, interval grows", NIGHT, ber(2026, 10, 25, 1), 5 * H, ber(2026, 10, 25, 5)),
    ("autumn, inside the change", NIGHT, ber(2026, 10, 25, 1), 4 * H, utc(2026, 10, 25, 3)),
    ("spring, opening in the gap", GAP, ber(2026, 3, 29), 30 * M, ber(2026, 3, 29, 4)),
    ("spring whole day", WEEKENDS, ber(2026, 3, 29), 23 * H, ber(2026, 3, 30)),
    ("autumn whole day", WEEKENDS, ber(2026, 10, 25), 24 * H, ber(2026, 10, 25, 23)),
    ("NY spring whole day", WEEKENDS_NY, nyc(2026, 3, 8), 23 * H, nyc(2026, 3, 9)),
    ("NY autumn whole day", WEEKENDS_NY, nyc(2026, 11, 1), 25 * H, nyc(2026, 11, 2)),
    ("empty after gap", BACKWARDS_IN_GAP, ber(2026, 3, 29), 30 * M, ber(2026, 3, 29, 4, 30)),
    ("overlap after gap", SPLIT_NIGHT, ber(2026, 3, 29), 2 * H, ber(2026, 3, 29, 4)),
]


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "expected"),
    [case[1:] for case in ADD_CASES],
    ids=[case[0] for case in ADD_CASES],
)
def test_add(calendar, start, duration, expected):
    result = calendar.add(start, duration)
    assert result == expected
    assert result.tzinfo is UTC


ELAPSED_CASES = [
    ("same day", OFFICE, ber(2026, 6, 15, 10), ber(2026, 6, 15, 12), 2 * H),
    ("over a weekend", OFFICE, ber(2026, 6, 12, 15), ber(2026, 6, 15, 11), 4 * H),
    ("end before start", OFFICE, ber(2026, 6, 15, 12), ber(2026, 6, 15, 10), timedelta(0)),
    ("equal instants", OFFICE, ber(2026, 6, 15, 12), ber(2026, 6, 15, 12), timedelta(0)),
    ("both outside hours", OFFICE, ber(2026, 6, 15, 6), ber(2026, 6, 15, 23), 8 * H),
    ("weekend only", OFFICE, ber(2026, 6, 13, 6), ber(2026, 6, 14, 23), timedelta(0)),
    ("lunch excluded", LUNCH, ber(2026, 6, 15, 11), ber(2026, 6, 15, 14), 2 * H),
    ("holidays excluded", OFFICE, ber(2026, 12, 23, 9), ber(2026, 12, 28, 17), 16 * H),
    ("NY over DST start", OFFICE_NY, nyc(2026, 3, 6, 16), nyc(2026, 3, 9, 10), 2 * H),
    ("Berlin spring Tier 1 day", TIER1, ber(2026, 3, 29), ber(2026, 3, 30), 12 * H),
    ("Berlin spring whole day", WEEKENDS, ber(2026, 3, 29), ber(2026, 3, 30), 23 * H),
    ("Berlin autumn whole day", WEEKENDS, ber(2026, 10, 25), ber(2026, 10, 26), 25 * H),
    ("NY spring whole day", WEEKENDS_NY, nyc(2026, 3, 8), nyc(2026, 3, 9), 23 * H),
    ("NY autumn whole day", WEEKENDS_NY, nyc(2026, 11, 1), nyc(2026, 11, 2), 25 * H),
    ("spring 01:00-05:00", NIGHT, ber(2026, 3, 29), ber(2026, 3, 29, 12), 3 * H),
    ("autumn 01:00-05:00", NIGHT, ber(2026, 10, 25), ber(2026, 10, 25, 12), 5 * H),
    ("ordinary 01:00-05:00", NIGHT, ber(2026, 6, 14), ber(2026, 6, 14, 12), 4 * H),
    ("spring gap maps forward", GAP, ber(2026, 3, 29), ber(2026, 3, 29, 12), 150 * M),
    ("autumn first occurrence", GAP, ber(2026, 10, 25), ber(2026, 10, 25, 12), 270 * M),
    ("spring empty interval", BACKWARDS_IN_GAP, ber(2026, 3, 29), ber(2026, 3, 30), H),
    ("ordinary gap interval", BACKWARDS_IN_GAP, ber(2026, 6, 14), ber(2026, 6, 15), 90 * M),
    ("spring overlap counted once", SPLIT_NIGHT, ber(2026, 3, 29), ber(2026, 3, 30), 2 * H),
    ("autumn split night", SPLIT_NIGHT, ber(2026, 10, 25), ber(2026, 10, 26), 150 * M),
]


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [case[1:] for case in ELAPSED_CASES],
    ids=[case[0] for case in ELAPSED_CASES],
)
def test_elapsed(calendar, start, end, expected):
    assert calendar.elapsed(start, end) == expected


@pytest.mark.parametrize(
    ("calendar", "at", "is_open", "next_open"),
    [
        (OFFICE, ber(2026, 6, 15, 9), True, ber(2026, 6, 15, 9)),
        (OFFICE, ber(2026, 6, 15, 16, 59), True, ber(2026, 6, 15, 16, 59)),
        (OFFICE, ber(2026, 6, 15, 17), False, ber(2026, 6, 16, 9)),
        (OFFICE, ber(2026, 6, 12, 18), False, ber(2026, 6, 15, 9)),
        (OFFICE, ber(2026, 12, 24, 10), False, ber(2026, 12, 28, 9)),
        (LUNCH, ber(2026, 6, 15, 12, 30), False, ber(2026, 6, 15, 13)),
        (GAP, ber(2026, 3, 29, 1), False, utc(2026, 3, 29, 1, 30)),
        (WEEKENDS, ber(2026, 6, 14, 23, 59), True, ber(2026, 6, 14, 23, 59)),
        (WEEKENDS, ber(2026, 6, 15), False, ber(2026, 6, 20)),
    ],
)
def test_is_open_and_next_open(calendar, at, is_open, next_open):
    assert calendar.is_open(at) is is_open
    assert calendar.next_open(at) == next_open


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected"),
    [
        (OFFICE, ber(2026, 6, 12, 16), 1, ber(2026, 6, 15, 16)),
        (OFFICE, ber(2026, 6, 15, 9), 1, ber(2026, 6, 15, 17)),
        (OFFICE, ber(2026, 12, 23, 10), 2, ber(2026, 12, 29, 10)),
        (OFFICE, ber(2026, 6, 13, 10), 0, ber(2026, 6, 13, 10)),
        (LUNCH, ber(2026, 6, 15, 9), 1, ber(2026, 6, 15, 17)),
        (TIER1, ber(2026, 6, 13, 19), 1, ber(2026, 6, 14, 19)),
    ],
)
def test_add_business_days(calendar, start, days, expected):
    assert add_business_days(calendar, start, days) == expected


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        (OFFICE, 8 * H),
        (LUNCH, 7 * H),
        (TIER1, 12 * H),
        (ALWAYS_OPEN, 24 * H),
        (BusinessCalendar("UTC", {0: [(time(9), time(17))], 5: [(time(10), time(19))]}), 9 * H),
        (BusinessCalendar("UTC", {}), timedelta(0)),
    ],
)
def test_standard_day_length(calendar, expected):
    assert calendar.standard_day_length() == expected


def test_closing_time_in_a_gap_before_midnight_reaches_into_the_next_day():
    # America/Nuuk springs from Saturday 23:00 straight to Sunday 00:00; a Saturday interval
    # ending at 23:30 maps forward to 01:30 UTC, which is Sunday 00:30 local.
    nuuk = ZoneInfo("America/Nuuk")
    calendar = BusinessCalendar("America/Nuuk", {5: [(time(22), time(23, 30))]})
    sunday = datetime(2026, 3, 29, 0, 15, tzinfo=nuuk)
    assert calendar.is_open(sunday)
    assert calendar.add(sunday, 10 * M) == utc(2026, 3, 29, 1, 25)
    assert calendar.elapsed(sunday, datetime(2026, 3, 29, 12, tzinfo=nuuk)) == 15 * M


def test_overlapping_intervals_are_merged():
    calendar = BusinessCalendar("UTC", {0: [(time(9), time(12)), (time(11), time(14))]})
    assert calendar.weekly_hours == {0: ((time(9), time(14)),)}
    assert calendar.elapsed(utc(2026, 6, 15), utc(2026, 6, 16)) == 5 * H


def test_describe():
    assert OFFICE.describe() == (
        "Monday\u2013Friday 09:00\u201317:00, closed on 2026-12-24, 2026-12-25 (Europe/Berlin)"
    )
    assert ALWAYS_OPEN.describe() == "around the clock (UTC)"
    assert WEEKENDS.describe() == "Saturday\u2013Sunday 00:00\u201324:00 (Europe/Berlin)"


def test_long_spans_work():
    start = ber(2026, 1, 5, 9)
    assert OFFICE.elapsed(start, OFFICE.add(start, 2000 * H)) == 2000 * H


NEVER_OPEN = BusinessCalendar(
    "Europe/Berlin",
    {0: [(time(9), time(17))]},
    holidays=[date(2026, 1, 5) + timedelta(weeks=n) for n in range(160)],
)

ERRORS = [
    ("naive start", lambda: OFFICE.add(datetime(2026, 6, 15, 10), H), "timezone-aware"),
    ("naive end", lambda: OFFICE.elapsed(ber(2026, 6, 15), datetime(2026, 6, 16)), "aware"),
    ("naive is_open", lambda: OFFICE.is_open(datetime(2026, 6, 15)), "aware"),
    ("naive next_open", lambda: OFFICE.next_open(datetime(2026, 6, 15)), "aware"),
    ("negative duration", lambda: OFFICE.add(ber(2026, 6, 15), -M), "negative"),
    ("negative days", lambda: add_business_days(OFFICE, ber(2026, 6, 15), -1), "negative"),
    (
        "end before start",
        lambda: BusinessCalendar("UTC", {0: [(time(17), time(9))]}),
        "ends before it starts",
    ),
    ("empty interval", lambda: BusinessCalendar("UTC", {0: [(time(9), time(9))]}), "ends before"),
    ("to midnight", lambda: BusinessCalendar("UTC", {0: [(time(20), time(0))]}), "ends before"),
    ("weekday 7", lambda: BusinessCalendar("UTC", {7: [(time(9), time(17))]}), "0 \\(Monday\\)"),
    ("weekday -1", lambda: BusinessCalendar("UTC", {-1: []}), "weekday keys"),
    ("weekday name", lambda: BusinessCalendar("UTC", {"mon": []}), "weekday keys"),
    ("unknown zone", lambda: BusinessCalendar("Mars/Olympus_Mons", {}), "unknown time zone"),
    ("empty zone", lambda: BusinessCalendar("", {}), "time zone"),
    (
        "aware interval",
        lambda: BusinessCalendar("UTC", {0: [(time(9, tzinfo=UTC), time(17))]}),
        "naive",
    ),
    ("never open", lambda: NEVER_OPEN.add(ber(2026, 1, 1), H), "no open time"),
    ("never open next_open", lambda: NEVER_OPEN.next_open(ber(2026, 1, 1)), "no open time"),
    ("no hours", lambda: BusinessCalendar("UTC", {}).add(utc(2026, 1, 1), H), "no open time"),
    (
        "no hours business day",
        lambda: add_business_days(BusinessCalendar("UTC", {}), utc(2026, 1, 1), 1),
        "no opening hours",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "message"), [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS]
)
def test_validation_errors(action, message):
    with pytest.raises(ValueError, match=message):
        action()


@pytest.mark.parametrize(
    "action",
    [
        lambda: BusinessCalendar("UTC", {0: [("09:00", "17:00")]}),
        lambda: BusinessCalendar("UTC", {0: [(time(9),)]}),
        lambda: BusinessCalendar("UTC", {}, holidays=[datetime(2026, 1, 1)]),
        lambda: OFFICE.add(ber(2026, 6, 15), 60),
        lambda: add_business_days(OFFICE, ber(2026, 6, 15), 1.5),
    ],
)
def test_type_errors(action):
    with pytest.raises(TypeError):
        action()


def test_never_open_calendar_still_measures_and_checks():
    # Bounded questions must not hit the "never open" guard.
    assert NEVER_OPEN.elapsed(ber(2026, 1, 1), ber(2029, 1, 1)) == timedelta(0)
    assert NEVER_OPEN.is_open(ber(2026, 1, 5, 10)) is False
    assert NEVER_OPEN.add(ber(2026, 1, 1), timedelta(0)) == ber(2026, 1, 1)
    # After the last holiday (160 weeks later) Mondays are open again.
    assert NEVER_OPEN.next_open(ber(2028, 12, 1)) == ber(2029, 1, 29, 9)
