"""Chat rules from tables: availability, presence, the wait estimate, the hand-over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.channels.chat import rules

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
HANDLE = timedelta(minutes=8)


@pytest.mark.parametrize(
    ("hours_open", "agents", "expected"),
    [(True, 1, (True, "")), (True, 0, (False, "no_agent")), (False, 3, (False, "hours"))],
)
def test_availability(hours_open, agents, expected):
    state = rules.availability(hours_open, NOW + timedelta(hours=1), agents)
    assert (state.open, state.reason) == expected
    assert state.opens_at == (None if hours_open else NOW + timedelta(hours=1))


@pytest.mark.parametrize(
    ("position", "free", "agents", "minutes"),
    [(1, 1, 1, 0), (3, 3, 2, 0), (2, 1, 1, 8), (4, 1, 1, 24), (4, 0, 2, 16), (5, 1, 2, 16),
     (2, 0, 0, 16)],
)  # fmt: skip
def test_wait_estimate(position, free, agents, minutes):
    assert rules.wait_estimate(position, free, agents, HANDLE) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("status", "idle_minutes", "online"),
    [("online", 0, True), ("online", 9, True), ("online", 10, False), ("away", 0, False)],
)
def test_presence(status, idle_minutes, online):
    last = NOW - timedelta(minutes=idle_minutes)
    assert rules.is_online(status, last, NOW, timedelta(minutes=10)) is online


@pytest.mark.parametrize(
    ("status", "waited", "expected"),
    [("waiting", 9, False), ("waiting", 10, True), ("active", 60, False)],
)
def test_timed_out(status, waited, expected):
    queued = NOW - timedelta(minutes=waited)
    assert rules.timed_out(status, queued, NOW, timedelta(minutes=10)) is expected


@pytest.mark.parametrize(
    ("answered_after", "expected"), [(60, False), (120, False), (121, True), (None, True)]
)
def test_first_response_late(answered_after, expected):
    created = NOW - timedelta(minutes=5)
    answered = None if answered_after is None else created + timedelta(seconds=answered_after)
    assert rules.first_response_late(created, answered, NOW, timedelta(minutes=2)) is expected


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "less than a minute"), (30, "about 1 minute"), (60, "about 1 minute"),
     (61, "about 2 minutes")],
)  # fmt: skip
def test_minutes_text(seconds, text):
    assert rules.minutes_text(timedelta(seconds=seconds)) == text
