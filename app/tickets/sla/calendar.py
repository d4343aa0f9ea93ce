"""Business-calendar arithmetic for SLA deadlines (pure: no clock, no Flask, no database).

A :class:`BusinessCalendar` knows when a support team is open: weekly opening intervals in one
IANA time zone, minus holidays. It answers "when has *d* of business time elapsed after *t*?"
(:meth:`BusinessCalendar.add`) and "how much business time lies between *a* and *b*?"
(:meth:`BusinessCalendar.elapsed`).

Conventions
-----------
* **Wall time per local date.** Each opening interval is taken in local wall time for each local
  date and converted to UTC with :mod:`zoneinfo` using ``fold=0``. So a wall time that does not
  exist (the hour skipped in spring) maps *forward* (02:30 on the Berlin spring-forward day is
  03:30 CEST), and an ambiguous wall time (the hour repeated in autumn) means its *first*
  occurrence (02:30 on the Berlin autumn day is 02:30 CEST).
* **Business time is real time.** Durations are measured in elapsed UTC time inside open
  intervals. A 09:00-17:00 day lasts 8 real hours even on a DST change day, unless the change
  happens inside the interval: a 01:00-05:00 interval lasts 3 hours on spring-forward day and
  5 hours on autumn-back day; a whole day (00:00-00:00) lasts 23 or 25 hours.
* **Intervals are half-open** ``[opening, closing)``: the calendar is open at the opening instant
  and closed at the closing instant. A deadline that lands exactly on closing time is due *at*
  closing time: :meth:`BusinessCalendar.add` returns the closing instant, not the next opening.
* ``add(t, timedelta(0))`` is ``t`` itself (in UTC), even when the calendar is closed at ``t``.
* All returned datetimes are aware and in UTC.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ALWAYS_OPEN", "BusinessCalendar", "add_business_days"]

_MIDNIGHT = time(0, 0)
_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
#: A scan that finds no open time in this many consecutive days gives up: the calendar is
#: effectively never open (for example every opening day is a holiday), and looping on would hang.
_MAX_CLOSED_DAYS = 366 * 2
#: Converted days kept per calendar; the same few weeks are asked about over and over.
_CACHE_SIZE = 4096
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# An interval is stored as offsets from local midnight; 24 h stands for "until next midnight".
_Interval = tuple[timedelta, timedelta]


def _require_aware(value: datetime, name: str) -> datetime:
    """Return ``value`` in UTC, refusing naive datetimes (their instant is unknowable)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive datetime {value.isoformat()}")
    return value.astimezone(UTC)


def _load_zone(name: str) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise ValueError(f"time zone must be a non-empty IANA name, got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def _offset(value: time) -> timedelta:
    return timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


def _clock(offset: timedelta) -> time:
    if offset >= _ONE_DAY:
        return _MIDNIGHT
    return (datetime.min + offset).time()


def _hhmm(offset: timedelta) -> str:
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def _normalise_day(weekday: int, intervals: Iterable[tuple[time, time]]) -> tuple[_Interval, ...]:
    parsed: list[_Interval] = []
    for pair in intervals:
        try:
            opening, closing = pair
        except (TypeError, ValueError):
            raise TypeError(
                f"weekday {weekday}: each interval must be a (start, end) pair, got {pair!r}"
            ) from None
        for value in (opening, closing):
            if not isinstance(value, time):
                raise TypeError(f"weekday {weekday}: interval bounds must be datetime.time")
            if value.tzinfo is not None:
                raise ValueError(f"weekday {weekday}: interval times must be naive wall times")
        if opening == _MIDNIGHT and closing == _MIDNIGHT:
            parsed.append((_ZERO, _ONE_DAY))
        elif closing <= opening:
            raise ValueError(
                f"weekday {weekday}: interval {opening.isoformat()}-{closing.isoformat()} ends "
                "before it starts (only 00:00-00:00, the whole day, may wrap to midnight)"
            )
        else:
            parsed.append((_offset(opening), _offset(closing)))
    # Overlapping or touching intervals are merged so no stretch of time is counted twice.
    merged: list[_Interval] = []
    for opening, closing in sorted(parsed):
        if merged and opening <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closing))
        else:
            merged.append((opening, closing))
    return tuple(merged)


def _normalise_week(
    weekly_hours: Mapping[int, Iterable[tuple[time, time]]],
) -> tuple[tuple[_Interval, ...], ...]:
    if not isinstance(weekly_hours, Mapping):
        raise TypeError("weekly_hours must be a mapping of weekday (0 = Monday) to intervals")
    week: list[tuple[_Interval, ...]] = [() for _ in range(7)]
    for weekday, intervals in weekly_hours.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(
                f"weekday keys must be integers 0 (Monday) to 6 (Sunday), got {weekday!r}"
            )
        week[weekday] = _normalise_day(weekday, intervals)
    return tuple(week)


def _normalise_holidays(holidays: Iterable[date]) -> frozenset[date]:
    result = set()
    for day in holidays:
        # datetime is a subclass of date; a datetime here is almost certainly a mistake.
        if not isinstance(day, date) or isinstance(day, datetime):
            raise TypeError(f"holidays must be datetime.date values, got {day!r}")
        result.add(day)
    return frozenset(result)


class BusinessCalendar:
    """Weekly opening hours in one time zone, minus holidays.

    :param timezone: IANA time zone name, for example ``"Europe/Berlin"``.
    :param weekly_hours: weekday (0 = Monday .. 6 = Sunday) to a list of ``(start, end)``
        :class:`datetime.time` pairs in local wall time. A missing weekday is closed.
        ``(time(0, 0), time(0, 0))`` means the whole day, until midnight. Overlapping intervals
        are merged.
    :param holidays: local dates on which the calendar is closed all day.
    :raises ValueError: for an unknown time zone, a weekday key outside 0..6, or an interval
        whose end is not after its start (other than the whole-day 00:00-00:00).
    :raises TypeError: for values of the wrong type.
    """

    __slots__ = ("_cache", "_holidays", "_name", "_week", "_zone")

    def __init__(
        self,
        timezone: str,
        weekly_hours: Mapping[int, Iterable[tuple[time, time]]],
        holidays: Iterable[date] = (),
    ) -> None:
        self._zone = _load_zone(timezone)
        self._name = timezone
        self._week = _normalise_week(weekly_hours)
        self._holidays = _normalise_holidays(holidays)
        self._cache: dict[date, tuple[tuple[datetime, datetime], ...]] = {}

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessCalendar:
        """Build a calendar open every day, all day (on-call around the clock).

        :param timezone: IANA time zone name; it only matters for describing the calendar.
        :returns: a calendar whose business time equals real time.
        """
        return cls(timezone, {day: [(_MIDNIGHT, _MIDNIGHT)] for day in range(7)})

    @property
    def timezone(self) -> str:
        """The IANA time zone name the opening hours are given in."""
        return self._name

    @property
    def weekly_hours(self) -> dict[int, tuple[tuple[time, time], ...]]:
        """Merged opening intervals per open weekday (a copy; whole day is 00:00-00:00)."""
        return {
            day: tuple((_clock(opening), _clock(closing)) for opening, closing in intervals)
            for day, intervals in enumerate(self._week)
            if intervals
        }

    @property
    def holidays(self) -> frozenset[date]:
        """Local dates on which the calendar is closed."""
        return self._holidays

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self._name!r}, {self.weekly_hours!r}, "
            f"holidays={sorted(self._holidays)!r})"
        )

    def describe(self) -> str:
        """Describe the opening hours in plain words, for people.

        :returns: for example ``"Monday\u2013Friday 09:00\u201317:00, closed on 2026-12-25
            (Europe/Berlin)"``; whole days read ``00:00\u201324:00``.
        """
        parts = []
        # groupby() over the weekday numbers yields runs of consecutive days with equal hours.
        for hours, run in itertools.groupby(range(7), key=self._week.__getitem__):
            days = list(run)
            if not hours:
                continue
            label = "every day" if len(days) == 7 else WEEKDAYS[days[0]]
            label += f"\u2013{WEEKDAYS[days[-1]]}" if 1 < len(days) < 7 else ""
            spans = ", ".join(f"{_hhmm(start)}\u2013{_hhmm(end)}" for start, end in hours)
            parts.append(f"{label} {spans}")
        text = "; ".join(parts) or "never open"
        if self._week == (((_ZERO, _ONE_DAY),),) * 7:
            text = "around the clock"
        if self._holidays:
            text += ", closed on " + ", ".join(day.isoformat() for day in sorted(self._holidays))
        return f"{text} ({self._name})"

    def standard_day_length(self) -> timedelta:
        """Length of the longest weekday's opening hours, in wall time.

        This is what one "business day" means for this calendar (8 h for 09:00-17:00). It
        ignores holidays and DST: it describes a standard day, not a particular date.

        :returns: the longest daily opening time; zero for a calendar with no opening hours.
        """
        return max(sum((end - start for start, end in day), _ZERO) for day in self._week)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Find the instant when ``duration`` of business time has elapsed after ``start``.

        :param start: aware datetime; it may fall outside business hours.
        :param duration: non-negative business time to add.
        :returns: aware UTC datetime. A result on closing time stays at closing time; a zero
            duration returns ``start`` unchanged (in UTC).
        :raises ValueError: for a naive ``start``, a negative duration, or a calendar with no
            open time for two years after ``start``.
        """
        start_utc = _require_aware(start, "start")
        remaining = _check_duration(duration)
        if not remaining:
            return start_utc
        for opening, closing in self._intervals(start_utc):
            opening = max(opening, start_utc)
            available = closing - opening
            # "<=" makes a deadline that uses up the interval exactly land on closing time.
            if remaining <= available:
                return opening + remaining
            remaining -= available
        raise AssertionError("unreachable: _intervals() is endless or raises")  # pragma: no cover

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Measure the business time between two instants.

        :param start: aware datetime.
        :param end: aware datetime.
        :returns: business time in ``[start, end)``; zero when ``end <= start``.
        :raises ValueError: for naive datetimes.
        """
        start_utc = _require_aware(start, "start")
        end_utc = _require_aware(end, "end")
        total = _ZERO
        if end_utc <= start_utc:
            return total
        for opening, closing in self._intervals(start_utc, until=end_utc):
            if opening >= end_utc:
                break
            total += min(closing, end_utc) - max(opening, start_utc)
        return total

    def is_open(self, at: datetime) -> bool:
        """Tell whether the calendar is open at an instant (open at opening, closed at closing).

        :param at: aware datetime.
        :returns: ``True`` inside an opening interval.
        :raises ValueError: for a naive datetime.
        """
        at_utc = _require_aware(at, "at")
        for opening, _closing in self._intervals(at_utc, until=at_utc):
            return opening <= at_utc
        return False

    def next_open(self, at: datetime) -> datetime:
        """Find the first instant at or after ``at`` when the calendar is open.

        :param at: aware datetime.
        :returns: ``at`` (in UTC) if open then, else the next opening instant, in UTC.
        :raises ValueError: for a naive datetime or a calendar never open in the next two years.
        """
        at_utc = _require_aware(at, "at")
        for opening, _closing in self._intervals(at_utc):
            return max(opening, at_utc)
        raise AssertionError("unreachable: _intervals() is endless or raises")  # pragma: no cover

    def _day(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """Opening intervals of one local date, in UTC (possibly overlapping across DST)."""
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        result: tuple[tuple[datetime, datetime], ...] = ()
        if day not in self._holidays:
            midnight = datetime.combine(day, _MIDNIGHT)
            # replace(tzinfo=...) keeps fold=0: the documented DST convention.
            result = tuple(
                (
                    (midnight + opening).replace(tzinfo=self._zone).astimezone(UTC),
                    (midnight + closing).replace(tzinfo=self._zone).astimezone(UTC),
                )
                for opening, closing in self._week[day.weekday()]
            )
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[day] = result
        return result

    def _intervals(
        self, after: datetime, until: datetime | None = None
    ) -> Iterator[tuple[datetime, datetime]]:
        """Yield UTC opening intervals that end after ``after``, in order and non-overlapping.

        Without ``until`` the walk is endless, so it raises once it has crossed
        :data:`_MAX_CLOSED_DAYS` consecutive closed days. With ``until`` it stops after the local
        date of ``until`` (callers stop reading at ``until`` anyway).
        """
        # Start a day early: when the skipped spring hour ends at midnight (America/Nuuk at
        # 23:00), yesterday's closing time in that hour maps forward into today.
        day = after.astimezone(self._zone).date() - _ONE_DAY
        last_day = None if until is None else until.astimezone(self._zone).date() + _ONE_DAY
        last_closing: datetime | None = None
        closed_days = 0
        while last_day is None or day <= last_day:
            found = False
            for opening, closing in self._day(day):
                # Intervals disjoint in wall time can overlap in real time around a DST gap
                # (e.g. 01:00-02:30 and 03:00-04:00 on spring-forward day): never count twice.
                if last_closing is not None and opening < last_closing:
                    opening = last_closing
                if closing <= opening:
                    continue
                found = True
                last_closing = closing
                if closing > after:
                    yield opening, closing
            closed_days = 0 if found else closed_days + 1
            if last_day is None and closed_days > _MAX_CLOSED_DAYS:
                raise ValueError(
                    f"calendar ({self._name}) has no open time in the {_MAX_CLOSED_DAYS} days "
                    f"before {day.isoformat()}; check its opening hours and holidays"
                )
            day += _ONE_DAY


def _check_duration(duration: timedelta) -> timedelta:
    if not isinstance(duration, timedelta):
        raise TypeError(f"duration must be a timedelta, got {type(duration).__name__}")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    return duration


def add_business_days(calendar: BusinessCalendar, start: datetime, days: int) -> datetime:
    """Add whole business days, one being the calendar's :meth:`standard_day_length`.

    So on a 09:00-17:00 calendar one business day is 8 hours of business time: Friday 16:00
    plus one business day is Monday 16:00.

    :param calendar: the calendar to count in.
    :param start: aware datetime.
    :param days: non-negative number of business days.
    :returns: aware UTC datetime.
    :raises ValueError: for negative ``days``, a naive ``start``, or a positive ``days`` on a
        calendar without opening hours.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, got {type(days).__name__}")
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    day_length = calendar.standard_day_length()
    if days and not day_length:
        raise ValueError("calendar has no opening hours, so a business day has no length")
    return calendar.add(start, days * day_length)


#: A UTC calendar open around the clock: business time is real time.
ALWAYS_OPEN = BusinessCalendar.always_open()
