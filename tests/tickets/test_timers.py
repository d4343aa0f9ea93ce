"""The pure clock module, from tables: deadlines and next actions for ticket states."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.tickets.sla.deadlines import ClockState, close_pause, open_pause, schedule
from app.tickets.sla.policy import SupportPolicy
from tests.tickets.conftest import berlin

POLICY = SupportPolicy()
TUE_11 = berlin(2026, 11, 24, 11, 0)
FRI_16 = berlin(2026, 11, 27, 16, 0)


def _state(**changes) -> ClockState:
    values = {
        "priority": "medium", "category": "app", "status": "open", "tier": 1,
        "tier_entered_at": TUE_11, "created_at": TUE_11,
    }  # fmt: skip
    values.update(changes)
    return ClockState(**values)


@pytest.mark.parametrize(
    ("changes", "first_due", "action"),
    [
        ({}, berlin(2026, 11, 25, 11, 0), ("flag", berlin(2026, 11, 24, 11, 30))),
        ({"flags": frozenset({"tier1_attempt_exceeded"})}, berlin(2026, 11, 25, 11, 0),
         ("escalate", berlin(2026, 11, 24, 12, 0))),
        # Friday 16:00, Low: two Tier 2 business days skip the weekend -> Tuesday 16:00.
        ({"priority": "low", "created_at": FRI_16, "tier_entered_at": FRI_16},
         berlin(2026, 12, 1, 16, 0), ("flag", berlin(2026, 11, 27, 16, 30))),
        # Tier 2 entered Friday 16:00: 4 h of Tier 2 time ends Monday 12:00.
        ({"tier": 2, "tier_entered_at": FRI_16}, berlin(2026, 11, 25, 11, 0),
         ("breach", berlin(2026, 11, 25, 11, 0))),
        # High on Tier 1 (08:00-20:00 every day): 18:00 + 4 h -> next day 10:00.
        ({"priority": "high", "created_at": berlin(2026, 11, 24, 18, 0),
          "tier_entered_at": berlin(2026, 11, 24, 18, 0)},
         berlin(2026, 11, 25, 10, 0), ("flag", berlin(2026, 11, 24, 18, 30))),
        # Pending: every clock stands still.
        ({"status": "pending", "pauses": [(TUE_11 + timedelta(minutes=5), None)]}, None, None),
        # Solved: stopped.
        ({"status": "solved", "pauses": [(TUE_11, None)]}, None, None),
        # Tier 3 after the breach was recorded: nothing left.
        ({"tier": 3, "sla_breached": True}, berlin(2026, 11, 25, 11, 0), None),
    ],
)  # fmt: skip
def test_schedule_table(changes, first_due, action):
    plan = schedule(POLICY, _state(**changes))
    assert plan.first_response_due_at == first_due
    got = (plan.action.kind, plan.action.due_at) if plan.action else None
    assert got == action


def test_tier2_flag_after_weekend():
    plan = schedule(POLICY, _state(tier=2, tier_entered_at=FRI_16, created_at=FRI_16))
    assert (plan.action.kind, plan.action.due_at) == ("flag", berlin(2026, 11, 30, 12, 0))


def test_pause_shifts_escalation_by_the_paused_time():
    pauses = [(TUE_11 + timedelta(minutes=10), TUE_11 + timedelta(hours=3))]
    plan = schedule(POLICY, _state(pauses=pauses))
    assert plan.action.due_at == TUE_11 + timedelta(hours=3, minutes=20)


def test_breach_before_pause_stays():
    # First response due Wednesday 11:00; paused from Wednesday 12:00: the breach stands.
    pauses = [(berlin(2026, 11, 25, 12, 0), None)]
    plan = schedule(POLICY, _state(status="open", pauses=pauses))
    assert plan.first_response_due_at == berlin(2026, 11, 25, 11, 0)


def test_open_and_close_pause_are_idempotent():
    once = open_pause([], TUE_11)
    assert open_pause(once, TUE_11 + timedelta(hours=1)) == once
    closed = close_pause(once, TUE_11 + timedelta(hours=2))
    assert closed == [(TUE_11, TUE_11 + timedelta(hours=2))]
    assert close_pause(closed, TUE_11 + timedelta(hours=5)) == closed
