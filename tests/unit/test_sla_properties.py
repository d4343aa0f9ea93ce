"""Property tests: add() and elapsed() agree with each other on very different calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.tickets.sla.calendar import BusinessCalendar

ONE_MICROSECOND = timedelta(microseconds=1)
# Dates around Christmas and New Year in every year the starts can fall in, plus some strays.
HOLIDAYS = [date(year, 12, day) for year in range(2019, 2032) for day in (24, 25, 26, 31)]
HOLIDAYS += [date(year, 1, 1) for year in range(2020, 2033)] + [date(2026, 3, 30)]

CALENDARS = {
    "tier1": BusinessCalendar("Europe/Berlin", {day: [(time(8), time(20))] for day in range(7)}),
    "tier2 with holidays": BusinessCalendar(
        "Europe/Berlin", {day: [(time(9), time(17))] for day in range(5)}, HOLIDAYS
    ),
    "split days": BusinessCalendar(
        "America/New_York",
        {day: [(time(8), time(12)), (time(13), time(17, 30))] for day in range(6)},
    ),
    # Intervals right across the DST switches (02:00/03:00 local), plus a whole Sunday.
    "DST nights": BusinessCalendar(
        "Europe/Berlin",
        {day: [(time(0, 30), time(2, 45)), (time(3), time(4))] for day in range(6)}
        | {6: [(time(0), time(0))]},
    ),
}


def _dst_change_days() -> list[date]:
    """Local dates on which Berlin or New York switch between standard and summer time."""
    days = []
    for zone in (ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")):
        day = date(2020, 1, 1)
        while day.year <= 2030:
            morning = datetime.combine(day, time(0), zone).utcoffset()
            if datetime.combine(day, time(23), zone).utcoffset() != morning:
                days.append(day)
            day += timedelta(days=1)
    return days


ZONES = st.sampled_from([ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")])
# Uniform starts almost never meet a DST switch, so half the starts are drawn near one.
starts = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=ZONES
) | st.builds(
    lambda day, offset, zone: datetime.combine(day, time(0), zone) + offset,
    st.sampled_from(_dst_change_days()),
    st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=1)),
    ZONES,
)


def durations(calendar: BusinessCalendar) -> st.SearchStrategy[timedelta]:
    """Zero to ten business days of this calendar."""
    return st.timedeltas(
        min_value=timedelta(0), max_value=10 * calendar.standard_day_length()
    ) | st.sampled_from([timedelta(0), calendar.standard_day_length()])


calendars = pytest.mark.parametrize("name", list(CALENDARS))


@calendars
@settings(max_examples=200, deadline=None)
@given(data=st.data(), start=starts)
def test_elapsed_undoes_add(name, data, start):
    calendar = CALENDARS[name]
    duration = data.draw(durations(calendar))
    assert calendar.elapsed(start, calendar.add(start, duration)) == duration


@calendars
@settings(max_examples=200, deadline=None)
@given(data=st.data(), start=starts)
def test_add_is_monotonic(name, data, start):
    calendar = CALENDARS[name]
    shorter, longer = sorted([data.draw(durations(calendar)), data.draw(durations(calendar))])
    assert start.astimezone(UTC) <= calendar.add(start, shorter) <= calendar.add(start, longer)


@calendars
@settings(max_examples=200, deadline=None)
@given(data=st.data(), start=starts)
def test_result_is_in_business_hours_or_at_closing(name, data, start):
    calendar = CALENDARS[name]
    duration = data.draw(durations(calendar).filter(bool))
    result = calendar.add(start, duration)
    # Open just before the result: the result is inside an interval or exactly at its closing.
    assert calendar.is_open(result - ONE_MICROSECOND)


@calendars
@settings(max_examples=200, deadline=None)
@given(data=st.data(), start=starts)
def test_add_composes(name, data, start):
    calendar = CALENDARS[name]
    first, second = data.draw(durations(calendar)), data.draw(durations(calendar))
    assert calendar.add(start, first + second) == calendar.add(calendar.add(start, first), second)


@calendars
@settings(max_examples=200, deadline=None)
@given(data=st.data(), start=starts)
def test_elapsed_is_additive(name, data, start):
    calendar = CALENDARS[name]
    gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20))
    # Real-time steps: wall-clock arithmetic on aware datetimes could step backwards at DST.
    start = start.astimezone(UTC)
    middle = start + data.draw(gaps)
    end = middle + data.draw(gaps)
    total = calendar.elapsed(start, end)
    assert total == calendar.elapsed(start, middle) + calendar.elapsed(middle, end)
    assert total <= end - start


@calendars
@settings(max_examples=200, deadline=None)
@given(start=starts)
def test_next_open_agrees_with_is_open(name, start):
    calendar = CALENDARS[name]
    # Compare in UTC: Python never calls a gap/fold wall time equal to another zone's datetime.
    start = start.astimezone(UTC)
    opening = calendar.next_open(start)
    assert (opening == start) is calendar.is_open(start)
    assert calendar.is_open(opening)
    assert calendar.elapsed(start, opening) == timedelta(0)
