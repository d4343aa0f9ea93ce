"""Feedback rules from tables: CSAT eligibility, NPS arithmetic, sampling, quarters, timers."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.feedback import rules

NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
ASKABLE = rules.CsatFacts(
    status="solved", closed_as=None, has_public_agent_reply=True, requester_exists=True,
    requester_is_staff=False, requester_opted_out=False,
)  # fmt: skip


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({}, None),
        ({"status": "closed"}, None),
        ({"status": "open"}, "reopened"),
        ({"status": "pending"}, "reopened"),
        ({"closed_as": "merged"}, "closed_as_excluded"),
        ({"closed_as": "spam"}, "closed_as_excluded"),
        ({"closed_as": "duplicate"}, "closed_as_excluded"),
        ({"closed_as": "resolved_elsewhere"}, None),
        ({"has_public_agent_reply": False}, "no_public_reply"),
        ({"requester_is_staff": True}, "staff_requester"),
        ({"requester_opted_out": True}, "opted_out"),
        ({"requester_exists": False}, "no_requester"),
        ({"already_surveyed": True}, "already_surveyed"),
        ({"already_surveyed": True, "requester_opted_out": True}, "already_surveyed"),
    ],
)
def test_csat_eligibility(change, reason):
    assert rules.csat_skip_reason(replace(ASKABLE, **change), rules.CsatRules()) == reason


def test_csat_rules_are_configurable():
    lenient = rules.CsatRules(require_public_reply=False, skip_staff=False,
                              excluded_close_reasons=frozenset({"spam"}))  # fmt: skip
    facts = replace(ASKABLE, has_public_agent_reply=False, requester_is_staff=True,
                    closed_as="merged")  # fmt: skip
    assert rules.csat_skip_reason(facts, lenient) is None


def test_csat_due_and_changes():
    assert rules.csat_due_at(NOW, 24) == NOW + timedelta(days=1)
    assert rules.may_change_rating(already_rated=False, ticket_closed=True)
    assert rules.may_change_rating(already_rated=True, ticket_closed=False)
    assert not rules.may_change_rating(already_rated=True, ticket_closed=True)


def test_nps_textbook_examples():
    assert rules.nps(range(11)) == pytest.approx(-45.4545, abs=1e-4)
    assert rules.nps_from_counts(100, 30, 80) == pytest.approx(9.5238, abs=1e-4)
    assert round(rules.nps_from_counts(100, 30, 80), 1) == 9.5
    assert rules.nps([10] * 5) == 100.0
    assert rules.nps([0, 6]) == -100.0
    assert rules.nps([7, 8]) == 0.0
    assert rules.nps([]) is None


@pytest.mark.parametrize(
    ("score", "group"),
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"),
     (10, "promoter")],
)  # fmt: skip
def test_nps_groups(score, group):
    assert rules.nps_group(score) == group


@pytest.mark.parametrize("bad", [-1, 11, 7.5, True, "9", None])
def test_nps_group_refuses_non_scores(bad):
    with pytest.raises(ValueError, match="0-10"):
        rules.nps_group(bad)


def candidate(**change):
    base = rules.NpsCandidate(user_id=1, last_active_at=NOW - timedelta(days=1),
                              last_invited_at=None, last_csat_at=None, opted_out=False,
                              is_staff=False)  # fmt: skip
    return replace(base, **change)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({}, None),
        ({"last_active_at": None}, "inactive"),
        ({"last_active_at": NOW - timedelta(days=90)}, None),
        ({"last_active_at": NOW - timedelta(days=90, seconds=1)}, "inactive"),
        ({"is_staff": True}, "staff"),
        ({"opted_out": True}, "opted_out"),
        ({"last_invited_at": NOW - timedelta(days=89, hours=23)}, "asked_recently"),
        ({"last_invited_at": NOW - timedelta(days=90)}, None),
        ({"last_csat_at": NOW - timedelta(days=13)}, "csat_recently"),
        ({"last_csat_at": NOW - timedelta(days=14)}, None),
    ],
)
def test_nps_eligibility(change, reason):
    assert rules.nps_skip_reason(candidate(**change), NOW, rules.NpsRules()) == reason


@pytest.mark.parametrize(
    ("active", "share", "eligible", "size"),
    [(100, 0.1, 100, 10), (101, 0.1, 100, 11), (5, 0.1, 5, 1), (0, 0.1, 0, 0),
     (100, 0.1, 4, 4), (30, 0.4, 30, 12), (10, 0.0, 10, 0), (10, 1.0, 7, 7)],
)  # fmt: skip
def test_sample_size(active, share, eligible, size):
    assert rules.sample_size(active, share, eligible) == size


def test_sample_is_uniform_and_repeatable():
    ids = list(range(1, 101))
    assert rules.choose_sample(ids, 10, random.Random(3)) == rules.choose_sample(
        list(reversed(ids)), 10, random.Random(3)
    )
    picked = rules.choose_sample(ids, 10, random.Random(3))
    assert len(set(picked)) == 10 and set(picked) <= set(ids)


@pytest.mark.parametrize(
    ("moment", "quarter", "start"),
    [
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-Q1", datetime(2026, 1, 1, tzinfo=UTC)),
        (datetime(2026, 3, 31, 23, 59, tzinfo=UTC), "2026-Q1", datetime(2026, 1, 1, tzinfo=UTC)),
        (datetime(2026, 4, 1, tzinfo=UTC), "2026-Q2", datetime(2026, 4, 1, tzinfo=UTC)),
        (datetime(2026, 12, 31, tzinfo=UTC), "2026-Q4", datetime(2026, 10, 1, tzinfo=UTC)),
    ],
)
def test_quarters(moment, quarter, start):
    assert rules.quarter_of(moment) == quarter
    assert rules.quarter_start(moment) == start


def test_previous_quarter():
    assert rules.previous_quarter("2026-Q1") == "2025-Q4"
    assert rules.previous_quarter("2026-Q3") == "2026-Q2"


@pytest.mark.parametrize(
    ("days", "emailed", "reminded", "answered", "step"),
    [
        (2, None, None, False, None),
        (3, None, None, False, "email"),
        (3, None, None, True, None),
        (9, 3, None, False, None),
        (10, 3, None, False, "remind"),
        (20, 3, 10, False, None),
        (31, None, None, False, None),
    ],
)
def test_nps_timers(days, emailed, reminded, answered, step):
    at = NOW
    result = rules.nps_next_step(
        at, at + timedelta(days=emailed) if emailed is not None else None,
        at + timedelta(days=reminded) if reminded is not None else None, answered,
        at + timedelta(days=days), rules.NpsTimers(),
    )  # fmt: skip
    assert result == step
