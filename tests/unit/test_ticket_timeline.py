"""Ticket history sentences and deadline wording, from tables (pure: no app, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.tickets import timeline
from app.tickets.timeline import Names, Part

NAMES = Names(users={7: "Rosa Requester", 10: "Alex Agent", 11: "Bo Backup"},
              threads={4: "Reminders stopped after update"})  # fmt: skip
AT = datetime(2026, 12, 7, 9, 40, 0, 118333, tzinfo=UTC)


@dataclass
class Event:
    kind: str
    actor_id: int | None = 10
    before: dict | None = None
    after: dict | None = None
    rule: str | None = None


def words(parts: list[Part]) -> str:
    return "".join(f"[{p.at:%H:%M}]" if p.kind == "time" else p.text for p in parts)


def links(parts: list[Part]) -> list[tuple[str, int | None]]:
    return [(p.kind, p.ref) for p in parts if p.kind not in ("text", "time")]


CASES = [
    (Event("created", 7, after={"priority": "medium", "category": "app", "channel": "web",
                                "tier": 1, "impact": "minor", "forum_thread_id": None}),
     "Rosa Requester submitted the request on the website: priority Medium, category App "
     "Functionality, impact \u201cSomething minor is wrong\u201d", [("person", 7)]),
    (Event("created", 7, after={"priority": "high", "channel": "forum", "forum_thread_id": 4}),
     "Rosa Requester submitted the request from the forum from the forum thread "
     "\u201cReminders stopped after update\u201d: priority High", [("person", 7), ("thread", 4)]),
    (Event("assigned", before={"assignee_id": None}, after={"assignee_id": 10, "claimed": True}),
     "Alex Agent claimed the ticket", [("person", 10)]),
    (Event("assigned", before={"assignee_id": None}, after={"assignee_id": 11}),
     "Alex Agent assigned the ticket to Bo Backup", [("person", 10), ("person", 11)]),
    (Event("assigned", before={"assignee_id": 11}, after={"assignee_id": None}),
     "Alex Agent unassigned the ticket (it was with Bo Backup)", [("person", 10), ("person", 11)]),
    (Event("assigned", before={"assignee_id": 99}, after={"assignee_id": 10}),
     "Alex Agent took the ticket", [("person", 10)]),
    (Event("status", before={"status": "new"}, after={"status": "pending"}),
     "Alex Agent changed the status from New to Pending (waiting on customer)", [("person", 10)]),
    (Event("status", None, before={"status": "solved"}, after={"status": "closed"}),
     "The SLA timer changed the status from Solved to Closed", []),
    (Event("priority", before={"priority": "low"}, after={"priority": "critical"}),
     "Alex Agent changed the priority from Low to Critical", [("person", 10)]),
    (Event("category", before={"category": "app"}, after={"category": "billing"}),
     "Alex Agent changed the category from App Functionality to Billing and Payments",
     [("person", 10)]),
    (Event("escalated", None, before={"tier": 1},
           after={"tier": 2, "entered_at": AT.isoformat()}, rule="tier1_to_tier2"),
     "Escalated automatically from Tier 1 to Tier 2: Tier 1's time to resolve it ran out", []),
    (Event("escalated", before={"tier": 1},
           after={"tier": 3, "entered_at": AT.isoformat(), "reason": "Needs a developer",
                  "unassigned": 11}),
     "Alex Agent escalated the ticket from Tier 1 to Tier 3: \u201cNeeds a developer\u201d; "
     "no longer assigned to Bo Backup", [("person", 10), ("person", 11)]),
    (Event("escalated_from_thread", 7, after={"thread_id": 4, "by": 7}),
     "Rosa Requester escalated the forum thread \u201cReminders stopped after update\u201d "
     "to support", [("person", 7), ("thread", 4)]),
    (Event("escalated_from_thread", 7, after={"thread_id": 5, "by": 7}),
     "Rosa Requester escalated the forum thread a removed forum thread to support",
     [("person", 7), ("thread", 5)]),
    (Event("thread_resolution", after={"thread_id": 4, "post_id": 31}),
     "Alex Agent posted the resolution in the forum thread \u201cReminders stopped after "
     "update\u201d", [("person", 10), ("post", 31), ("thread", 4)]),
    (Event("requester_reply", 7, after={"message_id": 3}),
     "Rosa Requester sent a reply", [("person", 7), ("message", 3)]),
    (Event("agent_reply", after={"message_id": 4}),
     "Alex Agent sent a public reply", [("person", 10), ("message", 4)]),
    (Event("internal_note", after={"message_id": 5}),
     "Alex Agent added an internal note", [("person", 10), ("message", 5)]),
    (Event("first_response", after={"at": AT.isoformat()}),
     "First response given by Alex Agent", [("person", 10)]),
    (Event("merged", after={"into": 12}),
     "Alex Agent merged this ticket into #12", [("person", 10), ("ticket", 12)]),
    (Event("merged_from", after={"from": 9}),
     "Alex Agent merged #9 into this ticket", [("person", 10), ("ticket", 9)]),
    (Event("sla_breach", None, after={"due_at": AT.isoformat(), "tier": 2},
           rule="first_response"),
     "SLA breached: the deadline of [09:40] passed without an answer (Tier 2)", []),
    (Event("flagged", None, after={"flag": "tier1_attempt_exceeded", "due_at": AT.isoformat()},
           rule="tier1_attempt_exceeded"),
     "Flagged for attention: Tier 1 has worked on it longer than planned", []),
    (Event("assigned", 55, before={"assignee_id": None}, after={"assignee_id": 55,
                                                                "claimed": True}),
     "A former member claimed the ticket", [("person", 55)]),
    (Event("customer_satisfaction"), "Alex Agent: customer satisfaction", [("person", 10)]),
]  # fmt: skip


@pytest.mark.parametrize(("event", "sentence", "linked"), CASES)
def test_each_event_kind_reads_as_a_sentence(event, sentence, linked):
    parts = timeline.describe(event, NAMES)
    assert words(parts) == sentence
    assert links(parts) == linked


RAW = ("assignee_id", "claimed True", "forum_thread_id", "None", "True", "2026-12-07T", "tier1_")


@pytest.mark.parametrize(("event", "sentence", "linked"), CASES)
def test_no_sentence_shows_internals(event, sentence, linked):
    text = words(timeline.describe(event, NAMES))
    assert not [raw for raw in RAW if raw in text]


def test_every_kind_the_services_log_has_a_sentence():
    logged = {"created", "status", "priority", "category", "assigned", "escalated",
              "escalated_from_thread", "thread_resolution", "requester_reply", "agent_reply",
              "internal_note", "first_response", "merged", "merged_from", "sla_breach",
              "flagged"}  # fmt: skip
    assert logged <= set(timeline.SENTENCES)


def test_names_to_load_come_from_actors_assignees_and_threads():
    events = [CASES[1][0], CASES[4][0], CASES[11][0]]
    assert timeline.people_and_threads(events) == ({7, 10, 11}, {4})


@pytest.mark.parametrize(
    ("due_in", "wording"),
    [
        (timedelta(hours=1, minutes=20, seconds=59), "due in 1 h 20 min"),
        (timedelta(hours=3), "due in 3 h"),
        (timedelta(minutes=12), "due in 12 min"),
        (timedelta(seconds=30), "due in less than a minute"),
        (timedelta(days=2, hours=5, minutes=3), "due in 2 d 5 h"),
        (timedelta(days=1), "due in 1 d"),
        (timedelta(0), "breached just now"),
        (-timedelta(minutes=12, seconds=10), "breached 12 min ago"),
        (-timedelta(hours=26), "breached 1 d 2 h ago"),
    ],
)
def test_countdown(due_in, wording):
    assert timeline.countdown(AT + due_in, AT) == wording


@pytest.mark.parametrize(
    ("zone", "label"),
    [("Europe/Berlin", "Berlin time"), ("America/New_York", "New York time"), ("UTC", "UTC")],
)
def test_zone_label(zone, label):
    assert timeline.zone_label(zone) == label
