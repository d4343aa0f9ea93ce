"""Pure chat rules: availability, the wait estimate, presence, time-outs. No Flask, no
database, no clock: the caller passes ``now`` and the numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Availability:
    #: Chat takes new conversations now.
    open: bool
    #: ``hours`` (Tier 1 is closed) or ``no_agent`` (open, but nobody online); empty when open.
    reason: str
    #: When Tier 1 opens next (only when closed for hours).
    opens_at: datetime | None


def availability(hours_open: bool, next_open: datetime | None, agents_online: int) -> Availability:
    """Chat is available during Tier 1 hours with at least one agent online."""
    if not hours_open:
        return Availability(False, "hours", next_open)
    if agents_online < 1:
        return Availability(False, "no_agent", None)
    return Availability(True, "", None)


def is_online(status: str, last_active_at: datetime, now: datetime, away_after: timedelta) -> bool:
    """An agent who said online counts as online until ``away_after`` of inactivity."""
    return status == "online" and now - last_active_at < away_after


def wait_estimate(
    position: int, free_slots: int, agents_online: int, handle: timedelta
) -> timedelta:
    """An honest upper-ish estimate of the wait at queue ``position`` (1 = next).

    Free slots take the first ones at once; after that each agent finishes a chat every
    ``handle`` on average, so the queue drains ``agents_online`` chats per ``handle``.

    >>> wait_estimate(1, 1, 1, timedelta(minutes=8))
    datetime.timedelta(0)
    """
    if position <= free_slots:
        return timedelta(0)
    if agents_online < 1:
        return handle * position
    rounds = math.ceil((position - free_slots) / agents_online)
    return handle * rounds


def timed_out(status: str, queued_at: datetime, now: datetime, timeout: timedelta) -> bool:
    """A waiting chat nobody accepted in ``timeout`` becomes an ordinary request."""
    return status == "waiting" and now - queued_at >= timeout


def first_response_late(
    created_at: datetime, first_agent_line_at: datetime | None, now: datetime, target: timedelta
) -> bool:
    """Whether the chat's own first-response target is missed (answered late, or still open)."""
    answered = first_agent_line_at or now
    return answered - created_at > target


def minutes_text(wait: timedelta) -> str:
    minutes = math.ceil(wait.total_seconds() / 60)
    if minutes <= 0:
        return "less than a minute"
    return "about 1 minute" if minutes == 1 else f"about {minutes} minutes"
