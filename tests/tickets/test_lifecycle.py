"""An injected clock moves tickets through their whole life: flags, tiers, breaches, pauses."""

from __future__ import annotations

from datetime import timedelta

from app.errors import DomainError
from app.extensions import db
from app.outbox import commit
from app.tickets import services, workspace
from tests.tickets.conftest import berlin

TUESDAY_11 = berlin(2026, 11, 24, 11, 0)


def _timer_events(tickets, ticket_id):
    return [(e.kind, e.rule) for e in tickets.events(ticket_id) if e.actor_id is None]


def test_medium_ticket_walks_every_tier_on_time(app, factory, tickets):
    member = factory.user()
    ticket_id = tickets.create(member, TUESDAY_11)
    with app.app_context():
        ticket = tickets.get(ticket_id)
        assert ticket.tier == 1 and ticket.status == "new" and ticket.priority == "medium"
        # Medium: one Tier 2 business day (8 h) from Tuesday 11:00 is Wednesday 11:00.
        assert ticket.first_response_due_at == berlin(2026, 11, 25, 11, 0)
        # 75 % (6 h) lands exactly on Tuesday's closing time, and stays there.
        assert ticket.sla_at_risk_at == berlin(2026, 11, 24, 17, 0)
        assert ticket.next_timer_at == berlin(2026, 11, 24, 11, 30)

    steps = [
        (berlin(2026, 11, 24, 11, 29), 1, []),
        (berlin(2026, 11, 24, 11, 30), 1, [("flagged", "tier1_attempt_exceeded")]),
        (berlin(2026, 11, 24, 11, 59), 1, []),
        (berlin(2026, 11, 24, 12, 0), 2, [("escalated", "tier1_to_tier2")]),
        (berlin(2026, 11, 24, 15, 59), 2, []),
        (berlin(2026, 11, 24, 16, 0), 2, [("flagged", "tier2_attempt_exceeded")]),
        (berlin(2026, 11, 25, 10, 59), 2, []),
        (berlin(2026, 11, 25, 11, 0), 2, [("sla_breach", "first_response_target_missed")]),
        (berlin(2026, 11, 25, 11, 59), 2, []),
        (berlin(2026, 11, 25, 12, 0), 3, [("escalated", "tier2_to_tier3")]),
    ]
    seen = []
    for now, tier, expected in steps:
        tickets.tick(now)
        tickets.tick(now)  # a second run at the same minute changes nothing
        with app.app_context():
            events = _timer_events(tickets, ticket_id)
            assert events[len(seen) :] == expected, now
            seen = events
            assert tickets.get(ticket_id).tier == tier
    with app.app_context():
        ticket = tickets.get(ticket_id)
        assert ticket.tier_entered_at == berlin(2026, 11, 25, 12, 0)
        assert ticket.next_timer_at is None  # Tier 3, breach recorded: nothing left to fire
        escalation = next(e for e in tickets.events(ticket_id) if e.rule == "tier1_to_tier2")
        assert escalation.before == {"tier": 1} and escalation.after["tier"] == 2
    assert tickets.tick(berlin(2026, 12, 31, 12, 0)).actions == 0


def test_critical_goes_to_tier3_at_once_and_pages_on_call(app, factory, tickets, mailbox):
    member = factory.user()
    on_call = factory.user("agent_t3", email="oncall@example.com")
    factory.user("agent_t1", email="front@example.com")
    ticket_id = tickets.create(member, TUESDAY_11, impact="blocked")
    with app.app_context():
        ticket = tickets.get(ticket_id)
        assert (ticket.priority, ticket.tier) == ("critical", 3)
        assert ticket.first_response_due_at == TUESDAY_11 + timedelta(hours=1)
        assert ("escalated", "critical_immediate") in _timer_events(tickets, ticket_id)
    # Only the on-call agent is paged (never the Tier 1 agent); the requester gets the receipt.
    pages = [m for m in mailbox.messages() if m["To"] != member.email]
    assert [message["To"] for message in pages] == [on_call.email]
    assert "[Critical]" in pages[0]["Subject"]
    assert [m["Subject"] for m in mailbox.messages() if m["To"] == member.email] == [
        f"[#{ticket_id}] We received your request"
    ]


def test_critical_set_later_escalates_at_once(app, factory, tickets, mailbox):
    member, agent = factory.user(), factory.user("agent_t1")
    factory.user("agent_t3", email="oncall@example.com")
    ticket_id = tickets.create(member, TUESDAY_11)
    later = TUESDAY_11 + timedelta(minutes=10)
    with app.app_context():
        ticket = tickets.get(ticket_id)
        workspace.change_properties(db.session.merge(agent), ticket, later, priority="critical")
        commit()
        ticket = tickets.get(ticket_id)
        assert ticket.tier == 3 and ticket.tier_entered_at == TUESDAY_11
        # The critical target counts from creation: 1 hour around the clock.
        assert ticket.first_response_due_at == TUESDAY_11 + timedelta(hours=1)
    assert any(m["To"] == "oncall@example.com" for m in mailbox.messages())


def test_critical_tier_per_category_is_configurable(app, factory, tickets):
    app.config["ESCALATION_CRITICAL_TIER_BY_CATEGORY"] = {"billing": 2}
    app.extensions.pop("ticket_policy", None)
    ticket_id = tickets.create(factory.user(), TUESDAY_11, impact="blocked", category="billing")
    with app.app_context():
        assert tickets.get(ticket_id).tier == 2


def test_pending_pauses_and_customer_reply_resumes(app, factory, tickets):
    member, agent = factory.user(), factory.user("agent_t1")
    ticket_id = tickets.create(member, TUESDAY_11)
    with app.app_context():
        ticket = tickets.get(ticket_id)
        workspace.agent_reply(
            db.session.merge(agent), ticket, "Which phone do you use?",
            TUESDAY_11 + timedelta(minutes=10), status_after="pending",
        )  # fmt: skip
        commit()
        ticket = tickets.get(ticket_id)
        assert ticket.status == "pending"
        assert ticket.first_responded_at == TUESDAY_11 + timedelta(minutes=10)
        assert ticket.next_timer_at is None and ticket.sla_due_at is None
    # A day passes while we wait on the customer: nothing fires.
    assert tickets.tick(berlin(2026, 11, 25, 11, 0)).actions == 0
    answer_at = berlin(2026, 11, 25, 11, 10)
    with app.app_context():
        ticket = tickets.get(ticket_id)
        services.add_requester_reply(db.session.merge(member), ticket, "A Pixel 8.", answer_at)
        commit()
        ticket = tickets.get(ticket_id)
        assert ticket.status == "open"
        # 10 of the 30 Tier 1 minutes were used before the pause: 20 remain.
        assert ticket.next_timer_at == berlin(2026, 11, 25, 11, 30)
        # Next reply: the same 8 Tier 2 hours from the customer's message.
        assert ticket.next_reply_due_at == berlin(2026, 11, 26, 11, 10)
        assert ticket.first_response_due_at is None
    tickets.tick(berlin(2026, 11, 25, 12, 0))
    with app.app_context():
        assert _timer_events(tickets, ticket_id) == [
            ("flagged", "tier1_attempt_exceeded"),
            ("escalated", "tier1_to_tier2"),
        ]


def test_solved_stops_clocks_and_reopen_resumes_them(app, factory, tickets):
    member = factory.user()
    ticket_id = tickets.create(member, TUESDAY_11)
    with app.app_context():
        services.mark_solved(db.session.merge(member), tickets.get(ticket_id),
                             TUESDAY_11 + timedelta(minutes=20))  # fmt: skip
        commit()
        ticket = tickets.get(ticket_id)
        assert ticket.status == "solved" and ticket.next_timer_at is None
    assert tickets.tick(berlin(2026, 11, 26, 9, 0)).actions == 0
    with app.app_context():
        services.reopen(
            db.session.merge(member), tickets.get(ticket_id), berlin(2026, 11, 26, 9, 0)
        )
        commit()
        ticket = tickets.get(ticket_id)
        # 20 Tier 1 minutes were used: the flag comes 10 minutes after reopening.
        assert ticket.next_timer_at == berlin(2026, 11, 26, 9, 10)
        # First response: 20 of 480 Tier 2 minutes used; 7 h 40 from Thursday 09:00.
        assert ticket.first_response_due_at == berlin(2026, 11, 26, 16, 40)


def test_ticket_outside_hours_starts_counting_at_opening(app, factory, tickets):
    ticket_id = tickets.create(factory.user(), berlin(2026, 11, 24, 22, 0), impact="broken")
    with app.app_context():
        ticket = tickets.get(ticket_id)
        assert ticket.priority == "high"
        assert ticket.next_timer_at == berlin(2026, 11, 25, 8, 30)
        # High: 4 hours of Tier 1 time from Wednesday 08:00.
        assert ticket.first_response_due_at == berlin(2026, 11, 25, 12, 0)


def test_next_reply_counts_from_oldest_unanswered_message(app, factory, tickets):
    member, agent = factory.user(), factory.user("agent_t2")
    ticket_id = tickets.create(member, TUESDAY_11)
    with app.app_context():
        workspace.agent_reply(db.session.merge(agent), tickets.get(ticket_id), "Hello!",
                              TUESDAY_11 + timedelta(minutes=5))  # fmt: skip
        commit()
        assert tickets.get(ticket_id).sla_due_at is None
        user = db.session.merge(member)
        services.add_requester_reply(
            user, tickets.get(ticket_id), "First", berlin(2026, 11, 24, 14, 0)
        )
        services.add_requester_reply(
            user, tickets.get(ticket_id), "Second", berlin(2026, 11, 24, 15, 0)
        )
        commit()
        ticket = tickets.get(ticket_id)
        assert ticket.next_reply_due_at == berlin(2026, 11, 25, 14, 0)
        # An internal note answers nothing.
        note_at = berlin(2026, 11, 24, 16, 0)
        workspace.agent_reply(db.session.merge(agent), ticket, "checking", note_at, internal=True)
        commit()
        assert tickets.get(ticket_id).next_reply_due_at == berlin(2026, 11, 25, 14, 0)


def test_agent_escalates_early_with_reason(app, factory, tickets):
    agent = factory.user("agent_t1")
    ticket_id = tickets.create(factory.user(), TUESDAY_11)
    with app.app_context():
        import pytest

        ticket = tickets.get(ticket_id)
        with pytest.raises(DomainError) as missing:
            workspace.escalate(db.session.merge(agent), ticket, 2, "  ", TUESDAY_11)
        assert missing.value.field == "reason"
        workspace.escalate(db.session.merge(agent), ticket, 2, "Needs logs analysis", TUESDAY_11)
        commit()
        ticket = tickets.get(ticket_id)
        assert ticket.tier == 2
        event = next(e for e in tickets.events(ticket_id) if e.kind == "escalated")
        assert event.actor_id == agent.id and event.after["reason"] == "Needs logs analysis"
        # Tier 2 timers now count from the manual escalation.
        assert ticket.next_timer_at == berlin(2026, 11, 24, 15, 0)
