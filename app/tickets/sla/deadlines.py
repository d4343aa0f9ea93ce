"""A ticket's clocks and its next timer action, from a snapshot of its state (pure).

No Flask, no database, no clock: the service layer builds a :class:`ClockState` from a ticket
and stores what :func:`schedule` returns. Pauses (waiting on the customer, solved) stop both the
SLA clock and the escalation clocks; reopening resumes them where they stood.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.tickets.catalog import ACTIVE_STATUSES, SOLVED
from app.tickets.sla import policy as rules
from app.tickets.sla.policy import SupportPolicy, due_with_pauses, response_target

BREACH = "breach"
RULE_FIRST_RESPONSE_BREACH = "first_response_target_missed"
RULE_NEXT_REPLY_BREACH = "next_reply_target_missed"

Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class ClockState:
    """What the clocks depend on. ``pauses`` are ``(start, end or None)`` in UTC."""

    priority: str
    category: str
    status: str
    tier: int
    tier_entered_at: datetime
    created_at: datetime
    first_responded_at: datetime | None = None
    awaiting_since: datetime | None = None
    pauses: Sequence[Pause] = ()
    flags: frozenset[str] = frozenset()
    sla_breached: bool = False


@dataclass(frozen=True)
class TimerAction:
    """A due action: ``kind`` is ``flag``, ``escalate`` or ``breach``."""

    kind: str
    rule: str
    due_at: datetime
    to_tier: int | None = None


@dataclass(frozen=True)
class Schedule:
    """Deadlines to store on the ticket and the next timer action (``None``: nothing pending)."""

    first_response_due_at: datetime | None
    next_reply_due_at: datetime | None
    sla_due_at: datetime | None
    sla_at_risk_at: datetime | None
    action: TimerAction | None
    actions_considered: tuple[TimerAction, ...] = field(default=())

    @property
    def next_timer_at(self) -> datetime | None:
        return self.action.due_at if self.action else None


def pauses_from_json(raw: Sequence[Sequence[str | None]] | None) -> list[Pause]:
    """Read ``[[iso, iso or null], ...]`` as stored on the ticket."""
    return [
        (datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
        for start, end in raw or ()
    ]


def pauses_to_json(pauses: Sequence[Pause]) -> list[list[str | None]]:
    """The storable form of :func:`pauses_from_json`'s result."""
    return [
        [start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat() if end else None]
        for start, end in pauses
    ]


def _sla_clock(policy: SupportPolicy, state: ClockState) -> tuple[str, datetime] | None:
    """Which SLA clock runs (first response or next reply) and since when."""
    if state.first_responded_at is None:
        return "first_response", state.created_at
    if state.awaiting_since is not None:
        return "next_reply", state.awaiting_since
    return None


def _escalation_target(policy: SupportPolicy, rule: str) -> timedelta:
    calendar2 = policy.calendar_for_tier(2)
    return {
        rules.RULE_TIER1_FLAG: policy.tier1_flag_after,
        rules.RULE_TIER1_ESCALATE: policy.tier1_escalate_after,
        rules.RULE_TIER2_FLAG: policy.tier2_flag_after,
        rules.RULE_TIER2_ESCALATE: policy.tier2_escalate_after_business_days
        * calendar2.standard_day_length(),
    }[rule]


def escalation_action(policy: SupportPolicy, state: ClockState) -> TimerAction | None:
    """The next flag or escalation of an unresolved ticket, its due time shifted by pauses.

    :param policy: the support policy.
    :param state: the ticket's clock state.
    :returns: ``None`` for solved, closed or pending tickets (their clocks stand still) and at
        Tier 3; else the earliest rule not applied yet.
    """
    if state.status not in ACTIVE_STATUSES:
        return None
    decision = rules.next_escalation_action(
        policy,
        priority=state.priority,
        tier=state.tier,
        tier_entered_at=state.tier_entered_at,
        flags_already=state.flags,
        category=state.category,
    )
    if decision is None:
        return None
    due = decision.due_at
    if decision.rule != rules.RULE_CRITICAL_IMMEDIATE and state.pauses:
        calendar = policy.calendar_for_tier(state.tier)
        target = _escalation_target(policy, decision.rule)
        due = due_with_pauses(calendar, state.tier_entered_at, target, state.pauses) or due
    return TimerAction(decision.kind, decision.rule, due, decision.to_tier)


def schedule(policy: SupportPolicy, state: ClockState) -> Schedule:
    """Compute the SLA deadlines and the next timer action of a ticket.

    :param policy: the support policy.
    :param state: the ticket's clock state.
    :returns: the deadlines (``None`` where no clock runs or it is paused) and the next action.
    """
    first_due = next_due = at_risk = None
    clock = (
        None if state.status == SOLVED or state.status == "closed" else _sla_clock(policy, state)
    )
    if clock is not None:
        kind, start = clock
        calendar, target = response_target(policy, state.priority)
        due = due_with_pauses(calendar, start, target, state.pauses)
        if due is not None:
            at_risk = due_with_pauses(
                calendar, start, target * policy.at_risk_fraction, state.pauses
            )
        if kind == "first_response":
            first_due = due
        else:
            next_due = due
    sla_due = first_due or next_due
    candidates: list[TimerAction] = []
    escalation = escalation_action(policy, state)
    if escalation is not None:
        candidates.append(escalation)
    if sla_due is not None and not state.sla_breached:
        rule = RULE_FIRST_RESPONSE_BREACH if first_due else RULE_NEXT_REPLY_BREACH
        candidates.append(TimerAction(BREACH, rule, sla_due))
    # On equal times escalation acts first, so the breach event names the tier that missed.
    action = min(candidates, key=lambda a: (a.due_at, a.kind == BREACH), default=None)
    return Schedule(first_due, next_due, sla_due, at_risk, action, tuple(candidates))


def open_pause(pauses: Sequence[Pause], now: datetime) -> list[Pause]:
    """Start a pause at ``now`` unless one is open already."""
    if pauses and pauses[-1][1] is None:
        return list(pauses)
    return [*pauses, (now, None)]


def close_pause(pauses: Sequence[Pause], now: datetime) -> list[Pause]:
    """End the open pause at ``now`` (no change when none is open)."""
    if pauses and pauses[-1][1] is None:
        start = pauses[-1][0]
        return [*pauses[:-1], (start, max(start, now))]
    return list(pauses)
