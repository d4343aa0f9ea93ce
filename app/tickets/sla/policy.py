"""SLA policy and escalation decisions for support tickets (pure: no clock, no Flask, no database).

Callers pass every instant in ("now", when a ticket entered its tier, pauses), so a scheduler can
run these functions at any time and tests can inject any "now". Every number of the support plan
is a :class:`SupportPolicy` field; ``policy_config.policy_from_config`` (beside this module)
reads them from these keys:

* ``SUPPORT_TIMEZONE``: IANA zone of all support calendars (``"Europe/Berlin"``).
* ``SUPPORT_TIER1_HOURS``, ``SUPPORT_TIER2_HOURS``, ``SUPPORT_TIER3_HOURS``: weekday (0-6, 0 =
  Monday, or ``"mon"``/``"monday"``) to a list of ``"09:00-17:00"`` strings or ``[start, end]``
  pairs; ``"00:00-00:00"`` is the whole day; a missing weekday is closed.
* ``SUPPORT_TIER2_HOLIDAYS``: ISO dates on which Tier 2 is closed (none by default).
* ``SLA_FIRST_RESPONSE_MINUTES`` (``{"critical": 60, "high": 240}``) and
  ``SLA_FIRST_RESPONSE_BUSINESS_DAYS`` (``{"medium": 1, "low": 2}``): per-priority targets; a
  priority listed in either replaces its default, and may not be listed in both.
* ``SLA_FIRST_RESPONSE_CALENDARS``: priority to ``"tier1"``/``"tier2"``/``"tier3"`` (critical:
  tier3, high: tier1, medium and low: tier2).
* ``ESCALATION_TIER1_FLAG_MINUTES`` (30), ``ESCALATION_TIER1_ESCALATE_MINUTES`` (60),
  ``ESCALATION_TIER2_FLAG_MINUTES`` (240), ``ESCALATION_TIER2_ESCALATE_BUSINESS_DAYS`` (1),
  ``ESCALATION_CRITICAL_DEFAULT_TIER`` (3), ``ESCALATION_CRITICAL_TIER_BY_CATEGORY`` (``{}``),
  ``SLA_AT_RISK_FRACTION`` (0.75).

One business day is the standard day length of the target's calendar (8 h on Tier 2). Next-reply
targets equal first-response targets, counted from the oldest unanswered customer message.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any

from app.tickets.sla.calendar import BusinessCalendar, add_business_days

FLAG, ESCALATE = "flag", "escalate"
RULE_TIER1_FLAG = "tier1_attempt_exceeded"
RULE_TIER1_ESCALATE = "tier1_to_tier2"
RULE_TIER2_FLAG = "tier2_attempt_exceeded"
RULE_TIER2_ESCALATE = "tier2_to_tier3"
RULE_CRITICAL_IMMEDIATE = "critical_immediate"
CALENDAR_NAMES = ("tier1", "tier2", "tier3")
CONFIG_KEYS = (
    "SUPPORT_TIMEZONE", "SUPPORT_TIER1_HOURS", "SUPPORT_TIER2_HOURS", "SUPPORT_TIER3_HOURS",
    "SUPPORT_TIER2_HOLIDAYS", "SLA_FIRST_RESPONSE_MINUTES", "SLA_FIRST_RESPONSE_BUSINESS_DAYS",
    "SLA_FIRST_RESPONSE_CALENDARS", "ESCALATION_TIER1_FLAG_MINUTES",
    "ESCALATION_TIER1_ESCALATE_MINUTES", "ESCALATION_TIER2_FLAG_MINUTES",
    "ESCALATION_TIER2_ESCALATE_BUSINESS_DAYS", "ESCALATION_CRITICAL_DEFAULT_TIER",
    "ESCALATION_CRITICAL_TIER_BY_CATEGORY", "SLA_AT_RISK_FRACTION",
)  # fmt: skip
_WHOLE_DAY = (time(0), time(0))
Pauses = Iterable[tuple[datetime, datetime | None]]


class Priority(enum.StrEnum):
    """Ticket priority; the value is what forms and configuration use."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


def _positive_timedelta(value: object, name: str) -> timedelta:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValueError(f"{name} must be a positive timedelta, got {value!r}")
    return value


def positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return value


def _tier(value: object, name: str = "tier") -> int:
    if isinstance(value, bool) or value not in (1, 2, 3):
        raise ValueError(f"{name} must be 1, 2 or 3, got {value!r}")
    return value  # type: ignore[return-value]


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class ResponseTarget:
    """A target on a named calendar: either a ``duration`` or whole ``business_days``.

    :raises ValueError: unless the calendar is known and exactly one positive amount is given.
    """

    calendar: str
    duration: timedelta | None = None
    business_days: int | None = None

    def __post_init__(self) -> None:
        if self.calendar not in CALENDAR_NAMES:
            raise ValueError(f"calendar must be one of {CALENDAR_NAMES}, got {self.calendar!r}")
        if (self.duration is None) == (self.business_days is None):
            raise ValueError("give exactly one of duration and business_days")
        if self.duration is not None:
            _positive_timedelta(self.duration, "target duration")
        else:
            positive_int(self.business_days, "target business days")


def _days(opening: time, closing: time, days: Iterable[int] = range(7)) -> dict:
    return {day: ((opening, closing),) for day in days}


def default_first_response() -> dict[Priority, ResponseTarget]:
    return {
        Priority.CRITICAL: ResponseTarget("tier3", duration=timedelta(hours=1)),
        Priority.HIGH: ResponseTarget("tier1", duration=timedelta(hours=4)),
        Priority.MEDIUM: ResponseTarget("tier2", business_days=1),
        Priority.LOW: ResponseTarget("tier2", business_days=2),
    }


def _mapping_field(factory: Any) -> Any:
    # Mappings are not hashable; leaving them out of the hash keeps the policy hashable.
    return field(default_factory=factory, hash=False)


@dataclass(frozen=True)
class SupportPolicy:
    """Every number of the support plan, defaulting to the plan's values.

    Hours use :class:`~app.tickets.sla.calendar.BusinessCalendar`'s format. Mappings are copied into
    read-only ones, and the three calendars are built (and so validated) on creation.

    :raises ValueError: for an invalid time zone, hours, target, tier or fraction.
    """

    timezone: str = "Europe/Berlin"
    tier1_hours: Mapping[int, Any] = _mapping_field(lambda: _days(time(8), time(20)))
    tier2_hours: Mapping[int, Any] = _mapping_field(lambda: _days(time(9), time(17), range(5)))
    tier2_holidays: frozenset[date] = frozenset()
    tier3_hours: Mapping[int, Any] = _mapping_field(lambda: _days(*_WHOLE_DAY))
    first_response: Mapping[Priority, ResponseTarget] = _mapping_field(default_first_response)
    tier1_flag_after: timedelta = timedelta(minutes=30)
    tier1_escalate_after: timedelta = timedelta(hours=1)
    tier2_flag_after: timedelta = timedelta(hours=4)
    tier2_escalate_after_business_days: int = 1
    critical_tier_by_category: Mapping[str, int] = _mapping_field(dict)
    default_critical_tier: int = 3
    at_risk_fraction: float = 0.75

    def __post_init__(self) -> None:
        def freeze(name: str, value: object) -> None:  # the dataclass is frozen
            object.__setattr__(self, name, value)

        freeze("tier2_holidays", frozenset(self.tier2_holidays))
        calendars = {
            "tier1": BusinessCalendar(self.timezone, self.tier1_hours),
            "tier2": BusinessCalendar(self.timezone, self.tier2_hours, self.tier2_holidays),
            "tier3": BusinessCalendar(self.timezone, self.tier3_hours),
        }
        for name in CALENDAR_NAMES:
            freeze(f"{name}_hours", MappingProxyType(calendars[name].weekly_hours))
        freeze("_calendars", MappingProxyType(calendars))
        targets = {Priority(key): value for key, value in self.first_response.items()}
        if set(targets) != set(Priority) or not all(
            isinstance(value, ResponseTarget) for value in targets.values()
        ):
            raise ValueError("first_response needs a ResponseTarget for every priority")
        freeze("first_response", MappingProxyType(targets))
        for name in ("tier1_flag_after", "tier1_escalate_after", "tier2_flag_after"):
            _positive_timedelta(getattr(self, name), name)
        positive_int(self.tier2_escalate_after_business_days, "tier2_escalate_after_business_days")
        _tier(self.default_critical_tier, "default_critical_tier")
        by_category = dict(self.critical_tier_by_category)
        for category, tier in by_category.items():
            _tier(tier, f"critical tier of category {category!r}")
        freeze("critical_tier_by_category", MappingProxyType(by_category))
        fraction = self.at_risk_fraction
        if isinstance(fraction, bool) or not isinstance(fraction, int | float):
            raise ValueError(f"at_risk_fraction must be a number, got {fraction!r}")
        if not 0 < fraction <= 1:
            raise ValueError(f"at_risk_fraction must be in (0, 1], got {fraction}")

    def calendars(self) -> dict[str, BusinessCalendar]:
        """:returns: the calendars by name: ``"tier1"``, ``"tier2"``, ``"tier3"``."""
        return dict(self._calendars)  # type: ignore[attr-defined]

    def calendar_for_tier(self, tier: int) -> BusinessCalendar:
        """:param tier: 1, 2 or 3.
        :returns: that tier's calendar.
        :raises ValueError: for another tier.
        """
        return self._calendars[f"tier{_tier(tier)}"]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class EscalationAction:
    """A timer decision: ``kind`` is ``"flag"`` or ``"escalate"`` (then ``to_tier`` is set)."""

    kind: str
    to_tier: int | None
    rule: str
    due_at: datetime


def response_target(
    policy: SupportPolicy, priority: Priority | str
) -> tuple[BusinessCalendar, timedelta]:
    """:param policy: the support policy.
    :param priority: a :class:`Priority` or its value.
    :returns: the priority's ``(calendar, business time)``; days become days x standard day.
    :raises ValueError: for an unknown priority.
    """
    target = policy.first_response[Priority(priority)]
    calendar = policy.calendars()[target.calendar]
    if target.duration is not None:
        return calendar, target.duration
    return calendar, target.business_days * calendar.standard_day_length()


def first_response_due(
    policy: SupportPolicy, priority: Priority | str, start: datetime
) -> datetime:
    """:param policy: the support policy.
    :param priority: the ticket's priority.
    :param start: when the ticket was created (aware).
    :returns: the first-response deadline in UTC (on closing time when it lands there).
    :raises ValueError: for an unknown priority or a naive ``start``.
    """
    calendar, target = response_target(policy, priority)
    return calendar.add(start, target)


def next_reply_due(
    policy: SupportPolicy,
    priority: Priority | str,
    oldest_unanswered_at: datetime,
    paused_intervals: Pauses = (),
) -> datetime | None:
    """:param policy: the support policy.
    :param priority: the ticket's priority.
    :param oldest_unanswered_at: arrival of the oldest unanswered customer message (aware).
    :param paused_intervals: ``(start, end or None)`` pauses, e.g. "waiting on customer".
    :returns: the deadline in UTC, or ``None`` while paused (see :func:`due_with_pauses`).
    :raises ValueError: for an unknown priority or invalid instants or pauses.
    """
    calendar, target = response_target(policy, priority)
    return due_with_pauses(calendar, oldest_unanswered_at, target, paused_intervals)


def _merge_pauses(pauses: Pauses) -> list[tuple[datetime, datetime | None]]:
    """Sort and merge pauses, in UTC; an end of ``None`` means "still paused"."""
    parsed = []
    for pause_start, pause_end in pauses:
        start = _aware(pause_start, "pause start")
        end = None if pause_end is None else _aware(pause_end, "pause end")
        if end is not None and end < start:
            raise ValueError(f"pause ends ({end.isoformat()}) before it starts")
        parsed.append((start, end))
    merged: list[tuple[datetime, datetime | None]] = []
    for start, end in sorted(parsed, key=lambda pause: pause[0]):
        last_end = merged[-1][1] if merged else start
        if last_end is None:
            raise ValueError("only the most recent pause may still be open")
        if merged and start <= last_end:
            merged[-1] = (merged[-1][0], None if end is None else max(end, last_end))
        else:
            merged.append((start, end))
    return merged


def due_with_pauses(
    calendar: BusinessCalendar, start: datetime, target: timedelta, pauses: Pauses = ()
) -> datetime | None:
    """Find when ``target`` of business time has elapsed after ``start``, not counting pauses.

    An open last pause stops the clock, except that a deadline already reached before that
    pause began stays the deadline (pausing a breached ticket does not hide the breach).

    :param calendar: the calendar to count in.
    :param start: when the clock started (aware).
    :param target: business time allowed (non-negative).
    :param pauses: ``(pause_start, pause_end or None)`` in any order; overlapping pauses merge.
    :returns: the deadline in UTC, or ``None`` while the clock is paused.
    :raises ValueError: for naive instants, a negative target, a pause ending before it starts
        or an open pause that is not the latest.
    """
    current, remaining = _aware(start, "start"), target
    for pause_start, pause_end in _merge_pauses(pauses):
        if pause_start > current:
            available = calendar.elapsed(current, pause_start)
            if remaining <= available:
                return calendar.add(current, remaining)
            remaining -= available
        if pause_end is None:
            return None
        current = max(current, pause_end)
    return calendar.add(current, remaining)


def sla_time_used(
    calendar: BusinessCalendar,
    start: datetime,
    now: datetime,
    target: timedelta,
    pauses: Pauses = (),
) -> float:
    """:param calendar: the calendar to count in.
    :param start: when the clock started (aware).
    :param now: the moment to evaluate (aware; the caller injects it).
    :param target: business time allowed (positive).
    :param pauses: ``(pause_start, pause_end or None)``; an open pause lasts until ``now``.
    :returns: business time used outside pauses divided by ``target`` (may exceed 1.0).
    :raises ValueError: for naive instants, a non-positive target or invalid pauses.
    """
    _positive_timedelta(target, "target")
    start_utc, now_utc = _aware(start, "start"), _aware(now, "now")
    used = calendar.elapsed(start_utc, now_utc)
    for pause_start, pause_end in _merge_pauses(pauses):
        high = now_utc if pause_end is None else min(pause_end, now_utc)
        used -= calendar.elapsed(max(pause_start, start_utc), high)
    return used / target


def is_breached(
    calendar: BusinessCalendar,
    start: datetime,
    now: datetime,
    target: timedelta,
    pauses: Pauses = (),
) -> bool:
    """Parameters as for :func:`sla_time_used`.

    :returns: ``True`` once ``now`` is after the deadline; at the deadline itself it is on time.
    :raises ValueError: as :func:`due_with_pauses`.
    """
    due = due_with_pauses(calendar, start, target, pauses)
    return due is not None and _aware(now, "now") > due


def is_at_risk(
    calendar: BusinessCalendar,
    start: datetime,
    now: datetime,
    target: timedelta,
    pauses: Pauses = (),
    *,
    at_risk_fraction: float = 0.75,
) -> bool:
    """Parameters as for :func:`sla_time_used`, plus the warning threshold.

    :param at_risk_fraction: fraction of the target after which the ticket is at risk.
    :returns: ``True`` when at least that fraction is used but the deadline has not passed (a
        breached ticket counts as breached, not at risk).
    :raises ValueError: as :func:`sla_time_used`.
    """
    if is_breached(calendar, start, now, target, pauses):
        return False
    return sla_time_used(calendar, start, now, target, pauses) >= at_risk_fraction


def critical_target_tier(policy: SupportPolicy, category: str | None) -> int:
    """:param policy: the support policy.
    :param category: the ticket's category, or ``None``.
    :returns: the tier a Critical ticket of that category goes to at once.
    """
    return policy.critical_tier_by_category.get(category, policy.default_critical_tier)


def initial_tier(policy: SupportPolicy, priority: Priority | str, category: str | None) -> int:
    """:param policy: the support policy.
    :param priority: the new ticket's priority.
    :param category: the ticket's category, or ``None``.
    :returns: Tier 1, or for a Critical ticket its category's tier.
    :raises ValueError: for an unknown priority.
    """
    if Priority(priority) is Priority.CRITICAL:
        return critical_target_tier(policy, category)
    return 1


def next_escalation_action(
    policy: SupportPolicy,
    *,
    priority: Priority | str,
    tier: int,
    tier_entered_at: datetime,
    flags_already: Iterable[str] = frozenset(),
    category: str | None = None,
) -> EscalationAction | None:
    """Return the next timer action for an unresolved ticket: the earliest one not yet applied.

    The caller applies it once ``due_at <= now``: a flag adds ``rule`` to the ticket's flags, an
    escalation moves the ticket to ``to_tier`` (which restarts ``tier_entered_at``). A Critical
    ticket below its category's tier escalates at once; at or above it, its tier's timers apply.

    :param policy: the support policy.
    :param priority: the ticket's priority.
    :param tier: the ticket's current tier (1, 2 or 3).
    :param tier_entered_at: when the ticket reached its current tier (aware).
    :param flags_already: flag rules already applied to the ticket.
    :param category: the ticket's category, for routing Critical tickets.
    :returns: the next action, or ``None`` when no timer applies (Tier 3).
    :raises ValueError: for an unknown priority or tier, or a naive ``tier_entered_at``.
    """
    entered = _aware(tier_entered_at, "tier_entered_at")
    tier, flags = _tier(tier), set(flags_already)
    if Priority(priority) is Priority.CRITICAL:
        target = critical_target_tier(policy, category)
        if tier < target:
            return EscalationAction(ESCALATE, target, RULE_CRITICAL_IMMEDIATE, entered)
    calendar = policy.calendar_for_tier(tier)
    if tier == 1:
        flag = (RULE_TIER1_FLAG, calendar.add(entered, policy.tier1_flag_after))
        escalate = (RULE_TIER1_ESCALATE, calendar.add(entered, policy.tier1_escalate_after))
    elif tier == 2:
        flag = (RULE_TIER2_FLAG, calendar.add(entered, policy.tier2_flag_after))
        days = policy.tier2_escalate_after_business_days
        escalate = (RULE_TIER2_ESCALATE, add_business_days(calendar, entered, days))
    else:
        return None
    # On equal deadlines the flag comes first; a flag due after the escalation never fires.
    if flag[0] not in flags and flag[1] <= escalate[1]:
        return EscalationAction(FLAG, None, *flag)
    return EscalationAction(ESCALATE, tier + 1, *escalate)
