"""Ticket figures replayed from hand-made event logs, with answers worked out by hand.

Default policy: Berlin time; Tier 1 calendar every day 08:00-20:00 (High), Tier 2 Monday-Friday
09:00-17:00 (Medium, Low), Tier 3 around the clock (Critical). March 2026 is CET (UTC+1).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.metrics.ticket_rules import Event, contributions, rollup_delta, ticket_facts
from app.tickets.sla.policy import SupportPolicy

BERLIN = ZoneInfo("Europe/Berlin")
POLICY = SupportPolicy()
HOUR = 3600


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def created(priority: str, at: datetime) -> Event:
    return Event("created", at, None, {"priority": priority, "tier": 1})


def status(old: str, new: str, at: datetime) -> Event:
    return Event("status", at, {"status": old}, {"status": new})


def replay(events, at, **extra):
    return ticket_facts(
        POLICY, ticket_id=1, created_at=at, category="app", channel="web",
        agent_id=extra.get("agent_id"), events=events,
    )  # fmt: skip


def test_first_response_in_business_and_calendar_time():
    # Medium on Monday 2 March 08:00: Tier 2 opens at 09:00, the answer comes at 11:00.
    start = berlin(2, 8)
    facts = replay(
        [created("medium", start), Event("first_response", berlin(2, 11)),
         Event("agent_reply", berlin(2, 11)), status("new", "open", berlin(2, 11))],
        start,
    )  # fmt: skip
    assert facts.first_response.business == 2 * HOUR
    assert facts.first_response.calendar == 3 * HOUR
    assert facts.first_response_met is True  # target: one 8-hour business day


def test_a_ticket_that_changed_calendar_counts_each_segment_on_its_own_calendar():
    # Medium on Saturday 7 March 10:00 (Tier 2 closed at weekends); raised to High at 12:00
    # (Tier 1, open 08:00-20:00); answered at 13:00: 0 h on Tier 2 + 1 h on Tier 1.
    start = berlin(7, 10)
    facts = replay(
        [created("medium", start),
         Event("priority", berlin(7, 12), {"priority": "medium"}, {"priority": "high"}),
         Event("first_response", berlin(7, 13)), Event("agent_reply", berlin(7, 13))],
        start,
    )  # fmt: skip
    assert facts.first_response.business == 1 * HOUR
    assert facts.first_response.calendar == 3 * HOUR
    assert facts.priority == "high"
    assert facts.first_response_met is True  # High's 4 hours


def test_missed_first_response_target():
    # High on Monday 2 March 09:00, answered at 14:00: 5 business hours against 4.
    start = berlin(2, 9)
    facts = replay([created("high", start), Event("first_response", berlin(2, 14))], start)
    assert facts.first_response.business == 5 * HOUR
    assert facts.first_response_met is False


def test_pauses_reopen_next_replies_and_resolution():
    start = berlin(2, 10)
    events = [
        created("high", start),
        Event("agent_reply", berlin(2, 10, 30)),
        Event("first_response", berlin(2, 10, 30)),
        status("new", "open", berlin(2, 10, 30)),
        status("open", "pending", berlin(2, 10, 30)),  # waiting on the customer 1.5 h
        Event("requester_reply", berlin(2, 12)),
        status("pending", "open", berlin(2, 12)),
        Event("agent_reply", berlin(2, 13)),  # next reply: 1 h
        status("open", "solved", berlin(2, 14)),
        Event("requester_reply", berlin(2, 15)),  # solved for 1 h, then reopened
        status("solved", "open", berlin(2, 15)),
        Event("agent_reply", berlin(2, 15, 30)),  # next reply: 30 min
        status("open", "solved", berlin(2, 16)),
    ]
    facts = replay(events, start)
    assert facts.first_response.business == 30 * 60
    assert [(w.business, w.calendar) for w in facts.next_replies] == [
        (HOUR, HOUR), (30 * 60, 30 * 60),
    ]  # fmt: skip
    assert facts.resolved_at == berlin(2, 16)
    assert facts.resolution_seconds == 6 * HOUR
    assert facts.resolution_active_seconds == 6 * HOUR - 2.5 * HOUR
    assert facts.reopens == (berlin(2, 15),)
    assert facts.resolutions == (berlin(2, 14), berlin(2, 16))
    counts = contributions(facts, BERLIN)
    day = date(2026, 3, 2)
    dims = ("app", "high", "web", 1, 0)
    assert counts == Counter({
        (day, *dims, "new"): 1, (day, *dims, "fr_count"): 1, (day, *dims, "fr_met"): 1,
        (day, *dims, "solved"): 2, (day, *dims, "reopened"): 1,
    })  # fmt: skip


def test_a_pause_inside_the_first_response_is_not_business_time():
    start = berlin(2, 9)
    events = [
        created("high", start),
        status("new", "pending", berlin(2, 10)),
        status("pending", "open", berlin(2, 12)),
        Event("first_response", berlin(2, 13)),
    ]
    facts = replay(events, start)
    assert facts.first_response.business == 2 * HOUR
    assert facts.first_response.calendar == 4 * HOUR


def test_an_unresolved_ticket_has_no_resolution_and_escalations_are_counted():
    start = berlin(2, 9)
    events = [
        created("high", start),
        Event("escalated", berlin(2, 10), {"tier": 1}, {"tier": 2}),
        Event("escalated", berlin(3, 10), {"tier": 2}, {"tier": 3}),
        status("new", "solved", berlin(3, 11)),
        status("solved", "open", berlin(3, 12)),
    ]
    facts = replay(events, start, agent_id=7)
    assert facts.resolved_at is None and facts.resolution_seconds is None
    assert facts.tier == 3
    counts = contributions(facts, BERLIN)
    assert counts[(date(2026, 3, 2), "app", "high", "web", 3, 7, "esc_1_2")] == 1
    assert counts[(date(2026, 3, 3), "app", "high", "web", 3, 7, "esc_2_3")] == 1
    assert counts[(date(2026, 3, 3), "app", "high", "web", 3, 7, "reopened")] == 1


def test_days_are_support_time_zone_days():
    # 23:30 Berlin on 2 March is 22:30 UTC: the ticket counts on the 2nd.
    start = berlin(2, 23, 30)
    facts = replay([created("low", start)], start)
    assert set(key[0] for key in contributions(facts, BERLIN)) == {date(2026, 3, 2)}


def test_rollup_delta_moves_counts_between_dimensions():
    start = berlin(2, 9)
    before = replay([created("low", start)], start)
    after = replay(
        [created("low", start),
         Event("priority", start + timedelta(hours=1), {"priority": "low"},
               {"priority": "high"})],
        start,
    )  # fmt: skip
    delta = rollup_delta(before, after, BERLIN)
    day = date(2026, 3, 2)
    assert delta == {
        (day, "app", "low", "web", 1, 0, "new"): -1,
        (day, "app", "high", "web", 1, 0, "new"): 1,
    }
    assert rollup_delta(after, after, BERLIN) == {}


@pytest.mark.parametrize("priority", ["critical", "high", "medium", "low"])
def test_every_priority_has_a_calendar(priority):
    start = berlin(4, 9)
    facts = replay([created(priority, start), Event("first_response", berlin(4, 10))], start)
    assert facts.first_response.business == HOUR


def test_a_reopen_without_a_message_starts_a_reply_wait():
    start = berlin(2, 9)
    events = [
        created("high", start),
        Event("first_response", berlin(2, 10)),
        Event("agent_reply", berlin(2, 10)),
        status("new", "solved", berlin(2, 10)),
        status("solved", "open", berlin(2, 11)),
        Event("agent_reply", berlin(2, 11, 15)),
    ]
    facts = replay(events, start)
    assert [w.calendar for w in facts.next_replies] == [15 * 60]
