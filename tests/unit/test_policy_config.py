"""Reading the SLA policy from configuration and describing it to agents, from tables."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.tickets.sla.policy import (
    SupportPolicy,
    critical_target_tier,
    first_response_due,
    response_target,
)
from app.tickets.sla.policy_config import policy_from_config, policy_table

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
M = timedelta(minutes=1)
POLICY = SupportPolicy()


def jun(day: int, *clock: int) -> datetime:
    """A Berlin time in June 2026 (the 12th is a Friday, the 15th a Monday)."""
    return datetime(2026, 6, day, *clock, tzinfo=BERLIN)


BILLING_POLICY = SupportPolicy(critical_tier_by_category={"billing": 2, "outage": 3})


def target_of(priority):
    return lambda policy: response_target(policy, priority)[1]


CONFIG_OVERRIDES = [
    ({}, lambda p: p, POLICY),
    ({"SECRET_KEY": "x", "SUPPORT_TIMEZONE": None}, lambda p: p, POLICY),
    ({"SUPPORT_TIMEZONE": "America/New_York"}, lambda p: p.calendar_for_tier(2).timezone,
     "America/New_York"),
    ({"SLA_FIRST_RESPONSE_MINUTES": {"high": 120}}, target_of("high"), 2 * H),
    ({"SLA_FIRST_RESPONSE_MINUTES": {"medium": 90}}, target_of("medium"), 90 * M),
    ({"SLA_FIRST_RESPONSE_BUSINESS_DAYS": {"low": 3}}, target_of("low"), 24 * H),
    ({"SLA_FIRST_RESPONSE_BUSINESS_DAYS": {"high": 1}}, target_of("high"), 12 * H),
    ({"SLA_FIRST_RESPONSE_CALENDARS": {"high": "tier3"}},
     lambda p: p.first_response["high"].calendar, "tier3"),
    ({"SUPPORT_TIER2_HOURS": {"mon": "10:00-14:00", "1": ["10:00-12:00", "13:00-15:00"]}},
     target_of("medium"), 4 * H),
    ({"SUPPORT_TIER1_HOURS": {"Saturday": [["00:00", "00:00"]]}},
     lambda p: p.calendar_for_tier(1).weekly_hours, {5: ((time(0), time(0)),)}),
    ({"SUPPORT_TIER2_HOLIDAYS": ["2026-06-15"]},
     lambda p: first_response_due(p, "medium", jun(12, 16)), jun(16, 16)),
    ({"ESCALATION_TIER1_FLAG_MINUTES": 15}, lambda p: p.tier1_flag_after, 15 * M),
    ({"ESCALATION_TIER1_ESCALATE_MINUTES": 45}, lambda p: p.tier1_escalate_after, 45 * M),
    ({"ESCALATION_TIER2_FLAG_MINUTES": 120}, lambda p: p.tier2_flag_after, 2 * H),
    ({"ESCALATION_TIER2_ESCALATE_BUSINESS_DAYS": 2},
     lambda p: p.tier2_escalate_after_business_days, 2),
    ({"ESCALATION_CRITICAL_DEFAULT_TIER": 2}, lambda p: critical_target_tier(p, None), 2),
    ({"ESCALATION_CRITICAL_TIER_BY_CATEGORY": {"billing": 1}},
     lambda p: critical_target_tier(p, "billing"), 1),
    ({"SLA_AT_RISK_FRACTION": 0.9}, lambda p: p.at_risk_fraction, 0.9),
]  # fmt: skip


@pytest.mark.parametrize(("config", "read", "expected"), CONFIG_OVERRIDES)
def test_policy_from_config(config, read, expected):
    assert read(policy_from_config(config)) == expected


CONFIG_ERRORS = [
    ({"SUPPORT_TIMEZONE": "Mars/Base_Alpha"}, "unknown time zone"),
    ({"SUPPORT_TIMEZONE": 5}, "time zone"),
    ({"SLA_FIRST_RESPONSE_MINUTES": {"high": -5}}, "SLA_FIRST_RESPONSE_MINUTES"),
    ({"SLA_FIRST_RESPONSE_MINUTES": {"high": True}}, "positive number of minutes"),
    ({"SLA_FIRST_RESPONSE_MINUTES": {"urgent": 10}}, "unknown priority urgent"),
    ({"SLA_FIRST_RESPONSE_MINUTES": [60]}, "must be a mapping"),
    ({"SLA_FIRST_RESPONSE_MINUTES": {"low": 60}, "SLA_FIRST_RESPONSE_BUSINESS_DAYS": {"low": 1}},
     "both"),
    ({"SLA_FIRST_RESPONSE_BUSINESS_DAYS": {"low": 1.5}}, "whole number"),
    ({"SLA_FIRST_RESPONSE_CALENDARS": {"high": "tier4"}}, "calendar must be one of"),
    ({"SUPPORT_TIER1_HOURS": {"funday": ["09:00-17:00"]}}, "weekday"),
    ({"SUPPORT_TIER1_HOURS": {"7": ["09:00-17:00"]}}, "weekday"),
    ({"SUPPORT_TIER1_HOURS": {"mon": ["17:00-09:00"]}}, "ends before it starts"),
    ({"SUPPORT_TIER1_HOURS": {"mon": ["9am-5pm"]}}, "not a time"),
    ({"SUPPORT_TIER1_HOURS": {"mon": ["09:00"]}}, "must look like"),
    ({"SUPPORT_TIER1_HOURS": ["09:00-17:00"]}, "must be a mapping"),
    ({"SUPPORT_TIER2_HOLIDAYS": "2026-12-25"}, "list of ISO dates"),
    ({"SUPPORT_TIER2_HOLIDAYS": ["25.12.2026"]}, "2026-12-25"),
    ({"ESCALATION_TIER1_FLAG_MINUTES": 0}, "ESCALATION_TIER1_FLAG_MINUTES"),
    ({"ESCALATION_TIER2_ESCALATE_BUSINESS_DAYS": 0}, "positive whole number"),
    ({"ESCALATION_CRITICAL_DEFAULT_TIER": 4}, "1, 2 or 3"),
    ({"ESCALATION_CRITICAL_TIER_BY_CATEGORY": {"billing": 5}}, "billing"),
    ({"SLA_AT_RISK_FRACTION": 1.5}, "at_risk_fraction"),
    ({"SLA_AT_RISK_FRACTION": "high"}, "must be a number"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "message"), CONFIG_ERRORS)
def test_policy_from_config_errors(config, message):
    with pytest.raises(ValueError, match=message):
        policy_from_config(config)


def test_policy_table_describes_every_rule():
    table = policy_table(BILLING_POLICY)
    assert all(set(row) == {"rule", "target", "calendar"} for row in table)
    by_rule = {row["rule"]: row for row in table}
    assert by_rule["First response \u2014 High"] == {
        "rule": "First response \u2014 High",
        "target": "4 hours",
        "calendar": "Tier 1: every day 08:00\u201320:00 (Europe/Berlin)",
    }
    assert by_rule["First response \u2014 Critical"]["target"] == "1 hour"
    assert by_rule["First response \u2014 Critical"]["calendar"] == (
        "Tier 3: around the clock (Europe/Berlin)"
    )
    assert by_rule["First response \u2014 Low"]["target"] == "2 business days (16 hours)"
    assert by_rule["First response \u2014 Medium"]["calendar"] == (
        "Tier 2: Monday\u2013Friday 09:00\u201317:00 (Europe/Berlin)"
    )
    assert by_rule["Flag: Tier 1 attempt exceeded"]["target"] == "30 minutes at Tier 1"
    assert by_rule["Escalate unresolved tickets to Tier 2"]["target"] == "1 hour at Tier 1"
    assert by_rule["Flag: Tier 2 attempt exceeded"]["target"] == "4 hours at Tier 2"
    assert by_rule["Escalate unresolved tickets to Tier 3"]["target"] == (
        "1 business day (8 hours) at Tier 2"
    )
    assert by_rule["Critical tickets"]["target"] == "go to Tier 3 at once"
    assert by_rule["Critical tickets \u2014 category 'billing'"]["target"] == "go to Tier 2 at once"
    assert by_rule["SLA at risk"]["target"] == "75% of the target time used"


def test_policy_table_follows_configuration():
    policy = policy_from_config({
        "ESCALATION_TIER1_FLAG_MINUTES": 90, "SUPPORT_TIER2_HOLIDAYS": ["2026-12-25"],
        "SUPPORT_TIMEZONE": "America/New_York",
    })  # fmt: skip
    by_rule = {row["rule"]: row for row in policy_table(policy)}
    assert by_rule["Flag: Tier 1 attempt exceeded"]["target"] == "1 hour 30 minutes at Tier 1"
    assert by_rule["First response \u2014 Low"]["calendar"] == (
        "Tier 2: Monday\u2013Friday 09:00\u201317:00, closed on 2026-12-25 (America/New_York)"
    )
