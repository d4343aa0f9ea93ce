"""Table tests for the SLA policy: first-response and next-reply deadlines, pauses, at-risk and
breach checks, the escalation timers through a ticket's life, configuration and the agent table."""

from __future__ import annotations

import ast
import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.tickets.sla import policy as rules
from app.tickets.sla.policy import (
    EscalationAction,
    Priority,
    ResponseTarget,
    SupportPolicy,
    critical_target_tier,
    due_with_pauses,
    first_response_due,
    initial_tier,
    is_at_risk,
    is_breached,
    next_escalation_action,
    next_reply_due,
    response_target,
    sla_time_used,
)

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
M = timedelta(minutes=1)
POLICY = SupportPolicy()
CHRISTMAS = frozenset({date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)})
HOLIDAY_POLICY = SupportPolicy(tier2_holidays=CHRISTMAS)
BILLING_POLICY = SupportPolicy(critical_tier_by_category={"billing": 2, "outage": 3})
TIER1 = POLICY.calendar_for_tier(1)


def ber(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def jun(day: int, *clock: int) -> datetime:
    """A Berlin time in June 2026 (the 12th is a Friday, the 15th a Monday)."""
    return ber(2026, 6, day, *clock)


def dec(day: int, *clock: int) -> datetime:
    """A Berlin time in December 2026 (the 23rd is a Wednesday)."""
    return ber(2026, 12, day, *clock)


# 2026-06-12 is a Friday, 06-13 Saturday, 06-15 Monday; 2026-03-29 is Berlin's spring forward.
FIRST_RESPONSE = [
    ("critical at night", POLICY, "critical", jun(13, 3), jun(13, 4)),
    ("critical over midnight", POLICY, Priority.CRITICAL, jun(13, 23, 30), jun(14, 0, 30)),
    ("high Saturday evening", POLICY, "high", jun(13, 19, 30), jun(14, 11, 30)),
    ("high on DST Sunday", POLICY, "high", ber(2026, 3, 28, 19, 30), ber(2026, 3, 29, 11, 30)),
    ("high before opening", POLICY, "high", jun(15, 6), jun(15, 12)),
    ("high lands on closing", POLICY, "high", jun(15, 16), jun(15, 20)),
    ("medium Friday afternoon", POLICY, "medium", jun(12, 16), jun(15, 16)),
    ("medium at the weekend", POLICY, "medium", jun(13, 12), jun(15, 17)),
    ("low Monday morning", POLICY, "low", jun(15, 9), jun(16, 17)),
    ("low before Christmas", HOLIDAY_POLICY, "low", dec(23, 10), dec(29, 10)),
    ("low, no holidays set", POLICY, "low", dec(23, 10), dec(25, 10)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "priority", "created", "due"),
    [case[1:] for case in FIRST_RESPONSE],
    ids=[case[0] for case in FIRST_RESPONSE],
)
def test_first_response_due(policy, priority, created, due):
    assert first_response_due(policy, priority, created) == due


@pytest.mark.parametrize(
    ("priority", "calendar", "target"),
    [("critical", "tier3", H), ("high", "tier1", 4 * H), ("medium", "tier2", 8 * H),
     ("low", "tier2", 16 * H)],
)  # fmt: skip
def test_response_target(priority, calendar, target):
    assert response_target(POLICY, priority) == (POLICY.calendars()[calendar], target)


MONDAY = jun(15, 8)  # Tier 1 opens at 08:00
PAUSES = [
    ("no pauses", MONDAY, [], jun(15, 12)),
    ("one pause", MONDAY, [(jun(15, 9), jun(15, 10))], jun(15, 13)),
    ("pause before start", MONDAY, [(jun(14, 9), jun(15, 7))], jun(15, 12)),
    ("pause over start", MONDAY, [(jun(15, 7), jun(15, 9))], jun(15, 13)),
    ("pause while closed", jun(15, 18), [(jun(15, 21), jun(16, 7))], jun(16, 10)),
    ("overlapping pauses", MONDAY,
     [(jun(15, 9), jun(15, 10)), (jun(15, 9, 30), jun(15, 10, 30))], jun(15, 13, 30)),
    ("nested pauses", MONDAY,
     [(jun(15, 9), jun(15, 11)), (jun(15, 9, 30), jun(15, 10))], jun(15, 14)),
    ("pauses out of order", MONDAY,
     [(jun(15, 11), jun(15, 11, 30)), (jun(15, 9), jun(15, 9, 30))], jun(15, 13)),
    ("zero-length pause", MONDAY, [(jun(15, 10), jun(15, 10))], jun(15, 12)),
    ("pause into the evening", MONDAY, [(jun(15, 11), jun(15, 19))], jun(15, 20)),
    ("open pause", MONDAY, [(jun(15, 9), None)], None),
    ("closed then open pause", MONDAY, [(jun(15, 9), jun(15, 10)), (jun(15, 11), None)], None),
    ("open pause after deadline", MONDAY, [(jun(15, 13), None)], jun(15, 12)),
    ("open pause at deadline", MONDAY, [(jun(15, 12), None)], jun(15, 12)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "pauses", "due"), [case[1:] for case in PAUSES], ids=[case[0] for case in PAUSES]
)
def test_due_with_pauses(start, pauses, due):
    assert due_with_pauses(TIER1, start, 4 * H, pauses) == due


@pytest.mark.parametrize(
    "pauses",
    [
        [(jun(15, 10), jun(15, 9))],
        [(jun(15, 9), None), (jun(15, 10), jun(15, 11))],
        [(datetime(2026, 6, 15, 9), jun(15, 10))],
    ],
    ids=["ends before start", "open pause not last", "naive pause"],
)
def test_invalid_pauses(pauses):
    with pytest.raises(ValueError):
        due_with_pauses(TIER1, MONDAY, 4 * H, pauses)


def test_next_reply_due_uses_the_priority_calendar_and_pauses():
    saturday = jun(13, 19, 30)
    pause = [(jun(14, 9), jun(14, 10))]
    assert next_reply_due(POLICY, "high", saturday) == jun(14, 11, 30)
    assert next_reply_due(POLICY, "high", saturday, pause) == jun(14, 12, 30)
    assert next_reply_due(POLICY, "medium", saturday, [(saturday, None)]) is None
    assert next_reply_due(POLICY, "critical", saturday) == jun(13, 20, 30)


FRIDAY = jun(12, 9)
OPEN_PAUSE = [(jun(15, 9), None)]
ONE_HOUR_PAUSE = [(jun(15, 9), jun(15, 10))]
USAGE = [
    # start, now, target, pauses, fraction used, at risk, breached
    ("just created", MONDAY, MONDAY, 4 * H, [], 0.0, False, False),
    ("before start", MONDAY, jun(15, 7), 4 * H, [], 0.0, False, False),
    ("below threshold", MONDAY, jun(15, 10, 57), 4 * H, [], 0.7375, False, False),
    ("at threshold", MONDAY, jun(15, 11), 4 * H, [], 0.75, True, False),
    ("at the deadline", MONDAY, jun(15, 12), 4 * H, [], 1.0, True, False),
    ("after the deadline", MONDAY, jun(15, 12, 1), 4 * H, [], 241 / 240, False, True),
    ("paused hour not counted", MONDAY, jun(15, 12), 4 * H, ONE_HOUR_PAUSE, 0.75, True, False),
    ("still paused", MONDAY, jun(15, 15), 4 * H, OPEN_PAUSE, 0.25, False, False),
    ("pause began before start", jun(15, 9), jun(15, 12), 4 * H, [(jun(15, 8), jun(15, 10))],
     0.5, False, False),
    ("due at Friday closing, now Saturday", FRIDAY, jun(13, 7), 11 * H, [], 1.0, False, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "now", "target", "pauses", "used", "at_risk", "breached"),
    [case[1:] for case in USAGE],
    ids=[case[0] for case in USAGE],
)
def test_time_used_at_risk_and_breached(start, now, target, pauses, used, at_risk, breached):
    assert sla_time_used(TIER1, start, now, target, pauses) == pytest.approx(used)
    assert is_at_risk(TIER1, start, now, target, pauses) is at_risk
    assert is_breached(TIER1, start, now, target, pauses) is breached


def test_at_risk_fraction_is_configurable():
    now = jun(15, 10)
    assert not is_at_risk(TIER1, MONDAY, now, 4 * H)
    assert is_at_risk(TIER1, MONDAY, now, 4 * H, at_risk_fraction=0.5)
    assert SupportPolicy(at_risk_fraction=0.5).at_risk_fraction == 0.5


def test_time_used_needs_a_positive_target():
    with pytest.raises(ValueError, match="target"):
        sla_time_used(TIER1, MONDAY, MONDAY, timedelta(0))


T1F, T1E = rules.RULE_TIER1_FLAG, rules.RULE_TIER1_ESCALATE
T2F, T2E = rules.RULE_TIER2_FLAG, rules.RULE_TIER2_ESCALATE
NOW = rules.RULE_CRITICAL_IMMEDIATE
LATE_FLAG = SupportPolicy(tier1_flag_after=2 * H)
EQUAL_FLAG = SupportPolicy(tier1_flag_after=H)
TWO_DAYS = SupportPolicy(tier2_escalate_after_business_days=2)
NEXT_ACTION = [
    # policy, priority, tier, entered, flags, category, expected (kind, to tier, rule, due)
    ("tier 1 flag", POLICY, "high", 1, jun(15, 7), (), None,
     ("flag", None, T1F, jun(15, 8, 30))),
    ("tier 1 escalate", POLICY, "low", 1, jun(15, 7), {T1F}, None,
     ("escalate", 2, T1E, jun(15, 9))),
    ("tier 1 Friday night", POLICY, "medium", 1, jun(12, 19, 45), (), None,
     ("flag", None, T1F, jun(13, 8, 15))),
    ("tier 2 flag", POLICY, "high", 2, jun(15, 9), {T1F}, None,
     ("flag", None, T2F, jun(15, 13))),
    ("tier 2 escalate", POLICY, "high", 2, jun(15, 9), {T1F, T2F}, None,
     ("escalate", 3, T2E, jun(15, 17))),
    ("tier 2 over weekend", POLICY, "low", 2, jun(12, 16), {T2F}, None,
     ("escalate", 3, T2E, jun(15, 16))),
    ("tier 2 Christmas", HOLIDAY_POLICY, "low", 2, dec(23, 15), (), None,
     ("flag", None, T2F, dec(28, 11))),
    ("tier 3", POLICY, "high", 3, jun(15, 9), (), None, None),
    ("critical goes to tier 3", POLICY, "critical", 1, jun(13, 3), (), None,
     ("escalate", 3, NOW, jun(13, 3))),
    ("critical billing to tier 2", BILLING_POLICY, "critical", 1, jun(13, 3), (), "billing",
     ("escalate", 2, NOW, jun(13, 3))),
    ("critical billing at tier 2", BILLING_POLICY, "critical", 2, jun(15, 9), (), "billing",
     ("flag", None, T2F, jun(15, 13))),
    ("critical other category", BILLING_POLICY, "critical", 2, jun(15, 9), (), "login",
     ("escalate", 3, NOW, jun(15, 9))),
    ("critical at tier 3", BILLING_POLICY, "critical", 3, jun(15, 9), (), "outage", None),
    ("tier 2 for two days", TWO_DAYS, "high", 2, jun(15, 9), {T2F}, None,
     ("escalate", 3, T2E, jun(16, 17))),
    ("late flag never fires", LATE_FLAG, "high", 1, jun(15, 9), (), None,
     ("escalate", 2, T1E, jun(15, 10))),
    ("equal deadlines: flag first", EQUAL_FLAG, "high", 1, jun(15, 9), (), None,
     ("flag", None, T1F, jun(15, 10))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "priority", "tier", "entered", "flags", "category", "expected"),
    [case[1:] for case in NEXT_ACTION],
    ids=[case[0] for case in NEXT_ACTION],
)
def test_next_escalation_action(policy, priority, tier, entered, flags, category, expected):
    found = next_escalation_action(
        policy,
        priority=priority,
        tier=tier,
        tier_entered_at=entered,
        flags_already=flags,
        category=category,
    )
    assert found == (expected and EscalationAction(*expected))


def replay(policy, priority, created, now, category=None):
    """Apply every timer action due by ``now``, the way a scheduler would."""
    tier, entered, flags = initial_tier(policy, priority, category), created, set()
    while True:
        step = next_escalation_action(
            policy, priority=priority, tier=tier, tier_entered_at=entered, flags_already=flags,
            category=category,
        )  # fmt: skip
        if step is None or step.due_at > now:
            return tier, entered, flags
        if step.kind == "flag":
            flags.add(step.rule)
        else:
            tier, entered = step.to_tier, step.due_at


MONDAY_EARLY = jun(15, 7)
FRIDAY_NIGHT = jun(12, 19, 45)
LIFE = [
    # created, now, tier, tier entered, flags
    (MONDAY_EARLY, jun(15, 8, 29), 1, MONDAY_EARLY, set()),
    (MONDAY_EARLY, jun(15, 8, 30), 1, MONDAY_EARLY, {T1F}),
    (MONDAY_EARLY, jun(15, 8, 59), 1, MONDAY_EARLY, {T1F}),
    (MONDAY_EARLY, jun(15, 9), 2, jun(15, 9), {T1F}),
    (MONDAY_EARLY, jun(15, 12, 59), 2, jun(15, 9), {T1F}),
    (MONDAY_EARLY, jun(15, 13), 2, jun(15, 9), {T1F, T2F}),
    (MONDAY_EARLY, jun(15, 16, 59), 2, jun(15, 9), {T1F, T2F}),
    (MONDAY_EARLY, jun(15, 17), 3, jun(15, 17), {T1F, T2F}),
    (MONDAY_EARLY, ber(2027, 1, 1), 3, jun(15, 17), {T1F, T2F}),
    (FRIDAY_NIGHT, jun(13, 8, 14), 1, FRIDAY_NIGHT, set()),
    (FRIDAY_NIGHT, jun(13, 8, 15), 1, FRIDAY_NIGHT, {T1F}),
    (FRIDAY_NIGHT, jun(13, 8, 45), 2, jun(13, 8, 45), {T1F}),
    (FRIDAY_NIGHT, jun(15, 12, 59), 2, jun(13, 8, 45), {T1F}),
    (FRIDAY_NIGHT, jun(15, 13), 2, jun(13, 8, 45), {T1F, T2F}),
    (FRIDAY_NIGHT, jun(15, 17), 3, jun(15, 17), {T1F, T2F}),
]  # fmt: skip


@pytest.mark.parametrize(("created", "now", "tier", "entered", "flags"), LIFE)
def test_ticket_life(created, now, tier, entered, flags):
    assert replay(POLICY, "medium", created, now) == (tier, entered, flags)


@pytest.mark.parametrize(
    ("category", "now", "tier"),
    [("billing", jun(13, 3), 2), ("billing", jun(15, 17), 3),
     ("outage", jun(13, 3), 3), (None, jun(13, 3), 3)],
)  # fmt: skip
def test_critical_ticket_life(category, now, tier):
    created = jun(13, 3)
    assert replay(BILLING_POLICY, "critical", created, now, category)[0] == tier


@pytest.mark.parametrize(
    ("policy", "priority", "category", "tier"),
    [(POLICY, "high", None, 1), (POLICY, "low", "billing", 1), (POLICY, "critical", None, 3),
     (BILLING_POLICY, "critical", "billing", 2), (BILLING_POLICY, "critical", "other", 3),
     (SupportPolicy(default_critical_tier=2), Priority.CRITICAL, None, 2)],
)  # fmt: skip
def test_initial_and_critical_tier(policy, priority, category, tier):
    assert initial_tier(policy, priority, category) == tier
    if priority == "critical":
        assert critical_target_tier(policy, category) == tier


@pytest.mark.parametrize(
    "kwargs",
    [{"priority": "urgent", "tier": 1, "tier_entered_at": MONDAY},
     {"priority": "high", "tier": 4, "tier_entered_at": MONDAY},
     {"priority": "high", "tier": True, "tier_entered_at": MONDAY},
     {"priority": "high", "tier": 1, "tier_entered_at": datetime(2026, 6, 15, 9)}],
)  # fmt: skip
def test_next_escalation_action_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        next_escalation_action(POLICY, **kwargs)


def test_policy_is_frozen_and_copies_its_mappings():
    categories = {"billing": 2}
    policy = SupportPolicy(critical_tier_by_category=categories)
    categories["billing"] = 1
    assert critical_target_tier(policy, "billing") == 2
    with pytest.raises(TypeError):
        policy.critical_tier_by_category["login"] = 1  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.timezone = "UTC"  # type: ignore[misc]
    assert hash(SupportPolicy()) == hash(POLICY)
    assert set(POLICY.calendars()) == {"tier1", "tier2", "tier3"}


@pytest.mark.parametrize(
    "kwargs",
    [{"first_response": {Priority.HIGH: ResponseTarget("tier1", duration=H)}},
     {"tier1_flag_after": timedelta(0)}, {"tier2_holidays": [datetime(2026, 1, 1)]},
     {"tier1_hours": {8: []}}],
)  # fmt: skip
def test_support_policy_validates(kwargs):
    with pytest.raises((ValueError, TypeError)):
        SupportPolicy(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"calendar": "tier9", "duration": H}, {"calendar": "tier1"},
     {"calendar": "tier1", "duration": H, "business_days": 1},
     {"calendar": "tier1", "duration": -H}, {"calendar": "tier1", "business_days": 0}],
)  # fmt: skip
def test_response_target_validates(kwargs):
    with pytest.raises(ValueError):
        ResponseTarget(**kwargs)


@pytest.mark.parametrize("module", ["calendar.py", "policy.py", "deadlines.py", "policy_config.py"])
def test_rule_modules_stay_pure(module):
    source = (Path(rules.__file__).parent / module).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "collections", "dataclasses", "datetime", "enum",
                        "itertools", "types", "typing", "zoneinfo", "app"}  # fmt: skip
    assert ".now(" not in source and "utcnow" not in source and "today(" not in source


def test_results_are_utc():
    assert first_response_due(POLICY, "high", jun(15, 9)).tzinfo is UTC
