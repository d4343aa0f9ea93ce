"""Reading the SLA policy from configuration, and describing it in plain words for agents.

Pure like :mod:`app.tickets.sla.policy`: plain values in, a
:class:`~app.tickets.sla.policy.SupportPolicy` or table rows out. The configuration keys are
listed in that module's docstring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any

from app.tickets.sla.calendar import WEEKDAYS, BusinessCalendar
from app.tickets.sla.policy import (
    CONFIG_KEYS,
    Priority,
    ResponseTarget,
    SupportPolicy,
    default_first_response,
    positive_int,
)

# --- configuration --------------------------------------------------------------------------

#: Upper bounds of the configured amounts: beyond them a deadline leaves the calendar's range
#: (an overflow) or takes years of calendar scanning on every ticket (a hang). A year is plenty.
MAX_MINUTES = 366 * 24 * 60
MAX_BUSINESS_DAYS = 366


def _cfg_mapping(value: object, key: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise ValueError(f"{key} must be a mapping, got {value!r}")
    return value


def _cfg_minutes(value: object, key: str) -> timedelta:
    # ``not 0 < value`` also refuses NaN.
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{key} must be a positive number of minutes, got {value!r}")
    if value > MAX_MINUTES:
        raise ValueError(f"{key} must be at most {MAX_MINUTES} minutes (a year), got {value!r}")
    return timedelta(minutes=value)


def _cfg_business_days(value: object, key: str) -> int:
    count = positive_int(value, key)
    if count > MAX_BUSINESS_DAYS:
        raise ValueError(f"{key} must be at most {MAX_BUSINESS_DAYS} business days, got {count}")
    return count


def _cfg_time(value: object, key: str) -> time:
    try:
        return value if isinstance(value, time) else time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{key}: {value!r} is not a time like 08:00") from None


def _cfg_hours(value: object, key: str) -> dict[int, list[tuple[time, time]]]:
    names = {name.lower(): day for day, name in enumerate(WEEKDAYS)}
    names |= {name[:3]: day for name, day in names.items()} | {str(day): day for day in range(7)}
    hours = {}
    for raw_day, intervals in _cfg_mapping(value, key).items():
        day = None if isinstance(raw_day, bool) else names.get(str(raw_day).strip().lower())
        if day is None:
            raise ValueError(f"{key}: weekday must be 0-6 (0 = Monday) or a name, got {raw_day!r}")
        pairs = []
        for interval in [intervals] if isinstance(intervals, str) else intervals:
            parts = interval.split("-") if isinstance(interval, str) else interval
            if len(parts) != 2:
                raise ValueError(f"{key}: interval {interval!r} must look like 09:00-17:00")
            pairs.append((_cfg_time(parts[0], key), _cfg_time(parts[1], key)))
        hours[day] = pairs
    return hours


def _cfg_holidays(value: object, key: str) -> frozenset[date]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValueError(f"{key} must be a list of ISO dates, got {value!r}")
    try:
        return frozenset(d if isinstance(d, date) else date.fromisoformat(str(d)) for d in value)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc} (dates look like 2026-12-25)") from None


def _cfg_targets(present: Mapping[str, Any]) -> dict[Priority, ResponseTarget]:
    targets = default_first_response()
    given = {
        key: _cfg_mapping(present.get(key, {}), key)
        for key in (
            "SLA_FIRST_RESPONSE_MINUTES", "SLA_FIRST_RESPONSE_BUSINESS_DAYS",
            "SLA_FIRST_RESPONSE_CALENDARS",
        )
    }  # fmt: skip
    minutes, days, calendars = given.values()
    for key, values in given.items():
        if unknown := sorted(str(name) for name in values if name not in set(Priority)):
            raise ValueError(f"{key}: unknown priority {', '.join(unknown)}")
    if both := sorted(set(minutes) & set(days)):
        raise ValueError(f"priority given in both minutes and business days: {', '.join(both)}")
    for name, amount in minutes.items():
        duration = _cfg_minutes(amount, f"SLA_FIRST_RESPONSE_MINUTES[{name!r}]")
        targets[Priority(name)] = ResponseTarget(targets[name].calendar, duration=duration)
    for name, amount in days.items():
        count = _cfg_business_days(amount, f"SLA_FIRST_RESPONSE_BUSINESS_DAYS[{name!r}]")
        targets[Priority(name)] = ResponseTarget(targets[name].calendar, business_days=count)
    for name, calendar in calendars.items():
        try:
            targets[Priority(name)] = replace(targets[name], calendar=calendar)
        except ValueError as exc:
            raise ValueError(f"SLA_FIRST_RESPONSE_CALENDARS[{name!r}]: {exc}") from None
    return targets


def _cfg_as_is(value: object, key: str) -> object:
    return value


#: Configuration key to (SupportPolicy field, parser); the SLA_FIRST_RESPONSE_* keys are separate.
_CONFIG_FIELDS = {
    "SUPPORT_TIMEZONE": ("timezone", _cfg_as_is),
    "SUPPORT_TIER1_HOURS": ("tier1_hours", _cfg_hours),
    "SUPPORT_TIER2_HOURS": ("tier2_hours", _cfg_hours),
    "SUPPORT_TIER3_HOURS": ("tier3_hours", _cfg_hours),
    "SUPPORT_TIER2_HOLIDAYS": ("tier2_holidays", _cfg_holidays),
    "ESCALATION_TIER1_FLAG_MINUTES": ("tier1_flag_after", _cfg_minutes),
    "ESCALATION_TIER1_ESCALATE_MINUTES": ("tier1_escalate_after", _cfg_minutes),
    "ESCALATION_TIER2_FLAG_MINUTES": ("tier2_flag_after", _cfg_minutes),
    "ESCALATION_TIER2_ESCALATE_BUSINESS_DAYS": (
        "tier2_escalate_after_business_days",
        _cfg_business_days,
    ),
    "ESCALATION_CRITICAL_DEFAULT_TIER": ("default_critical_tier", _cfg_as_is),
    "ESCALATION_CRITICAL_TIER_BY_CATEGORY": ("critical_tier_by_category", _cfg_mapping),
    "SLA_AT_RISK_FRACTION": ("at_risk_fraction", _cfg_as_is),
}


def policy_from_config(config: Mapping[str, Any]) -> SupportPolicy:
    """Build a policy from Flask-style configuration (keys in the module docstring).

    Missing keys, and keys set to ``None``, keep the plan's defaults; other keys are ignored.

    :param config: a mapping such as ``app.config``.
    :returns: the validated policy.
    :raises ValueError: naming the key, for any invalid value.
    """
    present = {key: config[key] for key in CONFIG_KEYS if config.get(key) is not None}
    try:
        kwargs: dict[str, Any] = {"first_response": _cfg_targets(present)}
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"invalid support/SLA configuration: {exc}") from exc
    for key, (name, parse) in _CONFIG_FIELDS.items():
        if key not in present:
            continue
        try:
            kwargs[name] = parse(present[key], key)
            # Each setting checked on its own first, so the message can name its key.
            SupportPolicy(**{name: kwargs[name]})
        except (TypeError, ValueError, OverflowError) as exc:
            reason = str(exc) if key in str(exc) else f"{key}: {exc}"
            raise ValueError(f"invalid support/SLA configuration: {reason}") from exc
    try:
        return SupportPolicy(**kwargs)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"invalid support/SLA configuration: {exc}") from exc


# --- describing the policy ------------------------------------------------------------------


def _plain(amount: timedelta) -> str:
    minutes, seconds = divmod(int(amount.total_seconds()), 60)
    units = zip((*divmod(minutes, 60), seconds), ("hour", "minute", "second"), strict=True)
    return " ".join(f"{n} {unit}{'s' * (n != 1)}" for n, unit in units if n) or "no time"


def _plain_target(calendar: BusinessCalendar, duration: timedelta | None, days: int | None) -> str:
    if duration is not None:
        return _plain(duration)
    length = _plain(days * calendar.standard_day_length())  # type: ignore[operator]
    return f"{days} business day{'s' * (days != 1)} ({length})"


def policy_table(policy: SupportPolicy) -> list[dict[str, str]]:
    """Describe every rule and number of the policy in plain words, for showing agents.

    :param policy: the support policy.
    :returns: rows with the keys ``"rule"``, ``"target"`` and ``"calendar"``.
    """
    cals = policy.calendars()
    described = {name: f"Tier {name[-1]}: {cal.describe()}" for name, cal in cals.items()}
    same = "the priority's first-response calendar"
    rows = [
        (f"First response \u2014 {priority.value.title()}",
         _plain_target(cals[target.calendar], target.duration, target.business_days),
         described[target.calendar])
        for priority, target in policy.first_response.items()
    ]  # fmt: skip
    rows.append((
        "Next reply \u2014 every priority",
        "the first-response target, counted from the oldest unanswered customer message; "
        "paused time does not count", same,
    ))  # fmt: skip
    days = _plain_target(cals["tier2"], None, policy.tier2_escalate_after_business_days)
    rows += [
        ("Flag: Tier 1 attempt exceeded", f"{_plain(policy.tier1_flag_after)} at Tier 1",
         described["tier1"]),
        ("Escalate unresolved tickets to Tier 2",
         f"{_plain(policy.tier1_escalate_after)} at Tier 1", described["tier1"]),
        ("Flag: Tier 2 attempt exceeded", f"{_plain(policy.tier2_flag_after)} at Tier 2",
         described["tier2"]),
        ("Escalate unresolved tickets to Tier 3", f"{days} at Tier 2", described["tier2"]),
        ("Critical tickets", f"go to Tier {policy.default_critical_tier} at once", "immediately"),
    ]  # fmt: skip
    rows += [
        (f"Critical tickets \u2014 category {category!r}", f"go to Tier {tier} at once",
         "immediately")
        for category, tier in sorted(policy.critical_tier_by_category.items())
    ]  # fmt: skip
    rows.append(("SLA at risk", f"{policy.at_risk_fraction:.0%} of the target time used", same))
    return [dict(zip(("rule", "target", "calendar"), row, strict=True)) for row in rows]
