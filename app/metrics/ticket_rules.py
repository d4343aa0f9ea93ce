"""A ticket's figures from its event log, and what they add to the daily rollups (pure).

The event log is the only source: :func:`ticket_facts` replays it (status changes give the
pauses, priority changes give the calendar in force, ``first_response``, ``agent_reply`` and
``requester_reply`` give the response clocks), so a full rebuild and the incremental update
compute the same numbers from the same rows.

Business time counts open hours of the calendar that applied, segment by segment: the
first-response target of a priority runs on a calendar (Critical on Tier 3's, High on Tier 1's,
Medium and Low on Tier 2's), so a ticket raised from Medium to High at 10:00 counts Tier 2's
hours before 10:00 and Tier 1's after. Paused time (pending, solved) is not business time.
Calendar time is plain elapsed time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from app.tickets.catalog import PAUSED_STATUSES
from app.tickets.sla.calendar import BusinessCalendar
from app.tickets.sla.policy import SupportPolicy, response_target

RESOLVED = frozenset({"solved", "closed"})


class Event(NamedTuple):
    """One row of the ticket's event log, as the replay needs it (a named tuple: a rebuild
    makes millions)."""

    kind: str
    at: datetime
    before: dict | None = None
    after: dict | None = None


@dataclass(frozen=True)
class Wait:
    """One customer wait for an agent: business and calendar seconds."""

    business: float
    calendar: float


@dataclass(frozen=True)
class TicketFacts:
    """Everything the dashboard needs of one ticket (stored as ``metrics_ticket``)."""

    ticket_id: int
    created_at: datetime
    category: str
    priority: str
    channel: str
    tier: int
    agent_id: int | None
    first_response: Wait | None = None
    #: The first response came within the target of the priority in force then.
    first_response_met: bool | None = None
    next_replies: tuple[Wait, ...] = ()
    resolved_at: datetime | None = None
    #: created -> resolved, paused time included / excluded (seconds).
    resolution_seconds: float | None = None
    resolution_active_seconds: float | None = None
    resolutions: tuple[datetime, ...] = ()
    reopens: tuple[datetime, ...] = ()
    #: ``(when, from tier, to tier)``.
    escalations: tuple[tuple[datetime, int, int], ...] = ()
    pauses: tuple[tuple[datetime, datetime | None], ...] = field(default=())


def _calendar(policy: SupportPolicy, priority: str) -> BusinessCalendar:
    # Looked up once per policy and priority: a rebuild asks millions of times.
    key = (id(policy), priority)
    calendar = _CALENDARS.get(key)
    if calendar is None or calendar[0] is not policy:
        calendar = _CALENDARS[key] = (policy, response_target(policy, priority)[0])
    return calendar[1]


#: ``(id(policy), priority) -> (policy, calendar)``; the policy is kept so an id is never
#: reused by another policy while its entry lives.
_CALENDARS: dict[tuple[int, str], tuple[SupportPolicy, BusinessCalendar]] = {}


def _subtract(
    start: datetime, end: datetime, pauses: Sequence[tuple[datetime, datetime | None]]
) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` minus the pauses, as sorted pieces."""
    pieces = [(start, end)] if end > start else []
    for pause_start, pause_end in pauses:
        stop = pause_end or datetime.max.replace(tzinfo=start.tzinfo)
        kept = []
        for low, high in pieces:
            if stop <= low or pause_start >= high:
                kept.append((low, high))
                continue
            if pause_start > low:
                kept.append((low, pause_start))
            if stop < high:
                kept.append((stop, high))
        pieces = kept
    return pieces


def business_seconds(
    policy: SupportPolicy,
    start: datetime,
    end: datetime,
    priorities: Sequence[tuple[datetime, str]],
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
) -> float:
    """Open time between ``start`` and ``end`` outside pauses, each stretch on the calendar of
    the priority in force then.

    :param priorities: ``(since, priority)`` in time order; the first one applies from
        ``start`` on.
    """
    total = timedelta(0)
    for low, high in _subtract(start, end, pauses):
        for index, (since, priority) in enumerate(priorities):
            until = priorities[index + 1][0] if index + 1 < len(priorities) else high
            seg_low, seg_high = max(low, since if index else low), min(high, until)
            if seg_high > seg_low:
                total += _calendar(policy, priority).elapsed(seg_low, seg_high)
    return total.total_seconds()


def ticket_facts(
    policy: SupportPolicy,
    *,
    ticket_id: int,
    created_at: datetime,
    category: str,
    channel: str,
    agent_id: int | None,
    events: Iterable[Event],
) -> TicketFacts:
    """Replay one ticket's events (in log order) into its figures.

    The priority and tier come from the events too (the ``created`` event, then ``priority``
    and ``escalated`` changes), so the facts depend on the log alone.
    """
    events = list(events)
    priority, tier, status = "medium", 1, "new"
    for event in events:
        if event.kind == "created" and event.after:
            priority = event.after.get("priority", priority)
    priorities: list[tuple[datetime, str]] = [(created_at, priority)]
    pauses: list[tuple[datetime, datetime | None]] = []
    resolutions: list[datetime] = []
    reopens: list[datetime] = []
    escalations: list[tuple[datetime, int, int]] = []
    first_at: datetime | None = None
    first_priority = priority
    awaiting: datetime | None = None
    wait_starts: list[tuple[datetime, datetime]] = []
    for event in events:
        after, before = event.after or {}, event.before or {}
        if event.kind == "priority" and "priority" in after:
            priorities.append((event.at, after["priority"]))
        elif event.kind == "escalated" and "tier" in after:
            old = int(before.get("tier", tier))
            tier = int(after["tier"])
            escalations.append((event.at, old, tier))
        elif event.kind == "status" and "status" in after:
            new = after["status"]
            if new in PAUSED_STATUSES and status not in PAUSED_STATUSES:
                pauses.append((event.at, None))
            elif new not in PAUSED_STATUSES and status in PAUSED_STATUSES and pauses:
                pauses[-1] = (pauses[-1][0], event.at)
            if new in RESOLVED and status not in RESOLVED:
                resolutions.append(event.at)
            elif status in RESOLVED and new not in RESOLVED:
                reopens.append(event.at)
                # A reopen restarts the reply clock (the SLA clock does the same).
                if first_at is not None and awaiting is None:
                    awaiting = event.at
            status = new
        elif event.kind == "first_response" and first_at is None:
            first_at = event.at
            first_priority = priorities[-1][1]
        elif event.kind == "agent_reply" and first_at is not None and awaiting is not None:
            wait_starts.append((awaiting, event.at))
            awaiting = None
        elif event.kind == "requester_reply" and first_at is not None and awaiting is None:
            awaiting = event.at

    def wait(start: datetime, end: datetime) -> Wait:
        return Wait(
            business_seconds(policy, start, end, priorities, pauses),
            (end - start).total_seconds(),
        )

    first = met = None
    if first_at is not None:
        first = wait(created_at, first_at)
        target = response_target(policy, first_priority)[1]
        met = first.business <= target.total_seconds()
    resolved_at = resolutions[-1] if status in RESOLVED and resolutions else None
    resolution = active = None
    if resolved_at is not None:
        resolution = (resolved_at - created_at).total_seconds()
        active = sum(
            (high - low).total_seconds() for low, high in _subtract(created_at, resolved_at, pauses)
        )
    return TicketFacts(
        ticket_id=ticket_id,
        created_at=created_at,
        category=category,
        priority=priorities[-1][1],
        channel=channel,
        tier=tier,
        agent_id=agent_id,
        first_response=first,
        first_response_met=met,
        next_replies=tuple(wait(start, end) for start, end in wait_starts),
        resolved_at=resolved_at,
        resolution_seconds=resolution,
        resolution_active_seconds=active,
        resolutions=tuple(resolutions),
        reopens=tuple(reopens),
        escalations=tuple(escalations),
        pauses=tuple(pauses),
    )


# --- daily rollups ---------------------------------------------------------------------------

#: The counted measures of a day's rollup row.
MEASURES = ("new", "solved", "reopened", "fr_count", "fr_met", "esc_1_2", "esc_2_3", "esc_1_3")
#: ``(day, category, priority, channel, tier, agent id or 0, measure)``.
RollupKey = tuple[date, str, str, str, int, int, str]


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The support time zone's date of an instant (days of the dashboard are local days)."""
    return moment.astimezone(zone).date()


def contributions(facts: TicketFacts | None, zone: ZoneInfo) -> Counter[RollupKey]:
    """What one ticket adds to the daily rollups, under its current dimensions.

    ``new`` on the day it was created (with ``fr_count``/``fr_met`` once answered),
    ``solved`` on each day it was resolved, ``reopened`` on each reopen, ``esc_a_b`` on each
    escalation. The backlog at the end of a day is the running sum of
    ``new + reopened - solved``.
    """
    counts: Counter[RollupKey] = Counter()
    if facts is None:
        return counts
    dims = (facts.category, facts.priority, facts.channel, facts.tier, facts.agent_id or 0)

    def add(moment: datetime, measure: str) -> None:
        counts[(local_day(moment, zone), *dims, measure)] += 1

    created = (local_day(facts.created_at, zone), *dims)  # three measures, one conversion
    counts[(*created, "new")] += 1
    if facts.first_response_met is not None:
        counts[(*created, "fr_count")] += 1
        if facts.first_response_met:
            counts[(*created, "fr_met")] += 1
    for moment in facts.resolutions:
        add(moment, "solved")
    for moment in facts.reopens:
        add(moment, "reopened")
    for moment, low, high in facts.escalations:
        measure = f"esc_{low}_{high}"
        if measure in MEASURES:
            add(moment, measure)
    return counts


def rollup_delta(
    old: TicketFacts | None, new: TicketFacts | None, zone: ZoneInfo
) -> dict[RollupKey, int]:
    """The change to apply to the rollups when a ticket's facts go from ``old`` to ``new``
    (only keys whose count changes)."""
    delta = Counter(contributions(new, zone))
    delta.subtract(contributions(old, zone))
    return {key: amount for key, amount in delta.items() if amount}
