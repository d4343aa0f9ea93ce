"""Start-up check of every ticket and SLA setting.

A bad value used to pass start-up and then fail every ticket creation and every ``tickets
tick``; :func:`validate` runs in ``create_app`` (through ``init_app``) and refuses to start
with a message naming the key and the reason. Besides each value's shape, it computes each
deadline the policy can set once, so a combination that can never be computed (a calendar a
target runs on that is never open) also stops the start.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from limits import parse_many

from app.config import ConfigError
from app.tickets.catalog import IMPACTS
from app.tickets.sla.policy import (
    CALENDAR_NAMES,
    Priority,
    SupportPolicy,
    first_response_due,
    next_escalation_action,
)
from app.tickets.sla.policy_config import policy_from_config

#: Settings holding rate limits in Flask-Limiter's notation (``"5 per 10 minutes; 20 per day"``).
LIMIT_KEYS = (
    "TICKET_CREATE_LIMIT_PER_ACCOUNT",
    "TICKET_CREATE_LIMIT_PER_IP",
    "TICKET_UPLOAD_MB_PER_ACCOUNT",
    "TICKET_UPLOAD_MB_PER_IP",
)
#: Settings that must be a positive whole number.
POSITIVE_INT_KEYS = ("TICKET_ATTACHMENT_MAX_BYTES", "TICKET_TICK_BATCH")
#: The settings of the hours of each calendar, for messages.
_HOURS_KEYS = {name: f"SUPPORT_TIER{name[-1]}_HOURS" for name in CALENDAR_NAMES}


def validate(config: Mapping, now: datetime) -> SupportPolicy:
    """Check the ticket and SLA settings of ``config``.

    :param now: the start-up time, from which each kind of deadline is computed once.
    :returns: the support policy the settings describe.
    :raises ConfigError: naming the first bad key and why.
    """
    _check_plain_settings(config)
    try:
        policy = policy_from_config(config)
    except ValueError as exc:
        raise ConfigError(_key_in(str(exc)), str(exc)) from None
    _check_deadlines(policy, now)
    return policy


def _check_plain_settings(config: Mapping) -> None:
    for key in POSITIVE_INT_KEYS:
        value = config.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(key, f"must be a positive whole number, got {value!r}")
    for key in LIMIT_KEYS:
        value = config.get(key)
        try:
            if not isinstance(value, str) or not parse_many(value):
                raise ValueError
        except ValueError:
            raise ConfigError(
                key, f'must be limits like "5 per 10 minutes; 20 per day", got {value!r}'
            ) from None
    window = config.get("TICKET_CRITICAL_PAGE_WINDOW_MINUTES")
    if isinstance(window, bool) or not isinstance(window, int | float) or not 0 <= window <= 1440:
        raise ConfigError(
            "TICKET_CRITICAL_PAGE_WINDOW_MINUTES",
            f"must be a number of minutes from 0 to 1440, got {window!r}",
        )
    mapping = config.get("TICKET_IMPACT_PRIORITY")
    if not isinstance(mapping, Mapping):
        raise ConfigError("TICKET_IMPACT_PRIORITY", f"must be a mapping, got {mapping!r}")
    for impact, priority in mapping.items():
        if impact not in IMPACTS:
            raise ConfigError(
                "TICKET_IMPACT_PRIORITY", f"unknown impact {impact!r} (one of {', '.join(IMPACTS)})"
            )
        if priority not in set(Priority):
            raise ConfigError(
                "TICKET_IMPACT_PRIORITY",
                f"unknown priority {priority!r} for {impact!r} (one of {', '.join(Priority)})",
            )
    emails = config.get("TICKET_ONCALL_EMAILS")
    if not isinstance(emails, list | tuple) or not all(
        isinstance(address, str) and "@" in address for address in emails
    ):
        raise ConfigError("TICKET_ONCALL_EMAILS", f"must be a list of addresses, got {emails!r}")
    for key in ("TICKET_ATTACHMENT_DIR", "TICKET_RESPONSES_DIR"):
        if not isinstance(config.get(key), str):
            raise ConfigError(key, f"must be a folder path, got {config.get(key)!r}")


def _check_deadlines(policy: SupportPolicy, now: datetime) -> None:
    """Compute every first-response target and escalation step once from ``now``."""
    # Every tier's calendar runs a clock (its flags and escalations, or a target): each must open.
    for name, calendar in policy.calendars().items():
        if not calendar.standard_day_length():
            raise ConfigError(_HOURS_KEYS[name], f"the {name} calendar has no opening hours")
    for priority in Priority:
        try:
            first_response_due(policy, priority, now)
            for tier in (1, 2):
                next_escalation_action(policy, priority=priority, tier=tier, tier_entered_at=now)
        except (ValueError, OverflowError) as exc:
            raise ConfigError(
                "SUPPORT_* / SLA_* / ESCALATION_*",
                f"a {priority.value} ticket's deadlines can't be computed: {exc}",
            ) from None


def _key_in(message: str) -> str:
    """The configuration key a policy error names (they all do), for :class:`ConfigError`."""
    for word in message.replace("[", " ").replace(":", " ").split():
        if word.isupper() and "_" in word:
            return word
    return "SUPPORT_* / SLA_* / ESCALATION_*"
