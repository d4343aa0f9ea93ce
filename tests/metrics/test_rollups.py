"""Rollups maintained incrementally from the event log equal a direct recomputation and a
full rebuild; hand-made histories give the figures worked out by hand."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.metrics import queries, services, ticket_rules
from app.metrics.models import DailyRollup, TicketMetrics
from app.tickets.models import Ticket
from tests.metrics.conftest import BERLIN, berlin

HOUR = 3600


def rollup_table() -> Counter:
    rows = db.session.execute(
        select(DailyRollup.day, DailyRollup.category, DailyRollup.priority, DailyRollup.channel,
               DailyRollup.tier, DailyRollup.agent_id, DailyRollup.measure, DailyRollup.count)
    )  # fmt: skip
    return Counter({tuple(row[:7]): row[7] for row in rows if row[7]})


def direct_recomputation() -> Counter:
    ids = list(db.session.scalars(select(Ticket.id)))
    total: Counter = Counter()
    for facts in services.compute_facts(ids):
        total.update(ticket_rules.contributions(facts, BERLIN))
    return Counter({key: count for key, count in total.items() if count})


def fact_rows() -> dict:
    return {
        row.ticket_id: services.row_from_facts(services.facts_from_row(row), BERLIN)
        for row in db.session.scalars(select(TicketMetrics))
    }


def test_a_ticket_that_changed_calendar_through_the_services(app, factory, desk):
    requester, agent = factory.user(), factory.user(role="agent_t1")
    # Medium (Tier 2's calendar, closed on Saturdays) on Saturday 7 March 10:00, raised to
    # High (Tier 1's calendar, open 08:00-20:00) at 12:00, answered at 13:00.
    ticket_id = desk.create(requester, berlin(2026, 3, 7, 10), impact="minor")
    desk.set(agent, ticket_id, berlin(2026, 3, 7, 12), priority="high")
    desk.reply(agent, ticket_id, berlin(2026, 3, 7, 13))
    assert desk.update(berlin(2026, 3, 7, 13, 1)) == 1
    with app.app_context():
        row = db.session.get(TicketMetrics, ticket_id)
        assert row.first_response_business == 1 * HOUR
        assert row.first_response_calendar == 3 * HOUR
        assert row.first_response_met is True
        assert row.priority == "high"
        figures = queries.summary(queries.Filters(date(2026, 3, 7), date(2026, 3, 7)))
        assert figures.new == 1 and figures.backlog_end == 1
        assert figures.first_response_business["median"] == 1 * HOUR
        assert figures.sla_attainment == 1.0


def test_pauses_a_reopen_and_the_backlog(app, factory, desk):
    requester, agent = factory.user(), factory.user(role="agent_t1")
    ticket_id = desk.create(requester, berlin(2026, 3, 2, 10), impact="broken")  # High
    desk.reply(agent, ticket_id, berlin(2026, 3, 2, 10, 30), status_after="pending")
    desk.customer_reply(requester, ticket_id, berlin(2026, 3, 2, 12))  # pending 1.5 h
    desk.reply(agent, ticket_id, berlin(2026, 3, 2, 13))
    desk.solve(requester, ticket_id, berlin(2026, 3, 2, 14))
    desk.reopen(requester, ticket_id, berlin(2026, 3, 3, 9))  # solved for 19 h
    desk.reply(agent, ticket_id, berlin(2026, 3, 3, 9, 30))
    desk.solve(requester, ticket_id, berlin(2026, 3, 3, 10))
    other = desk.create(requester, berlin(2026, 3, 3, 11), impact="broken")
    desk.update(berlin(2026, 3, 3, 12))
    with app.app_context():
        row = db.session.get(TicketMetrics, ticket_id)
        assert row.resolution_seconds == 24 * HOUR
        assert row.resolution_active_seconds == 24 * HOUR - 1.5 * HOUR - 19 * HOUR
        assert [wait[1] for wait in row.next_replies] == [HOUR, 30 * 60]
        assert len(row.reopens) == 1
        day1 = queries.summary(queries.Filters(date(2026, 3, 2), date(2026, 3, 2)))
        assert (day1.new, day1.solved, day1.backlog_end) == (1, 1, 0)
        day2 = queries.summary(queries.Filters(date(2026, 3, 3), date(2026, 3, 3)))
        assert (day2.new, day2.solved, day2.reopened, day2.backlog_start, day2.backlog_end) == (
            1, 1, 1, 0, 1,
        )  # fmt: skip
        both = queries.summary(queries.Filters(date(2026, 3, 2), date(2026, 3, 3)))
        assert both.reopen_rate == 1.0  # the one resolved ticket was reopened
        assert both.resolution["median"] == 24 * HOUR
        assert both.next_reply_calendar["median"] == 45 * 60
        trend = queries.volume_trend(queries.Filters(date(2026, 3, 2), date(2026, 3, 3)), False)
        assert [(r["new"], r["solved"], r["backlog"]) for r in trend] == [(1, 1, 0), (1, 1, 1)]
        assert db.session.get(TicketMetrics, other).resolved_at is None
        assert rollup_table() == direct_recomputation()


def test_the_update_is_idempotent_and_rebuild_gives_identical_numbers(app, factory, desk):
    requester, agent = factory.user(), factory.user(role="agent_t2")
    first = desk.create(requester, berlin(2026, 3, 2, 9), impact="question")
    desk.update(berlin(2026, 3, 2, 9, 5))
    desk.escalate(agent, first, 2, berlin(2026, 3, 2, 9, 10))
    desk.assign(agent, first, agent.id, berlin(2026, 3, 2, 9, 11))
    desk.set(agent, first, berlin(2026, 3, 2, 9, 12), category="billing")
    desk.reply(agent, first, berlin(2026, 3, 2, 11))
    desk.update(berlin(2026, 3, 2, 11, 1))
    desk.update(berlin(2026, 3, 2, 11, 2))  # the look-back window reads the same events again
    with app.app_context():
        incremental, facts = rollup_table(), fact_rows()
        assert incremental == direct_recomputation()
        key = (date(2026, 3, 2), "billing", "low", "web", 2, agent.id)
        assert incremental[(*key, "new")] == 1
        assert incremental[(*key, "esc_1_2")] == 1
        # the old dimensions were taken back, not left behind
        assert sum(c for k, c in incremental.items() if k[6] == "new") == 1
    assert desk.rebuild(berlin(2026, 3, 2, 12)) == 1
    with app.app_context():
        assert rollup_table() == incremental
        assert fact_rows() == facts


def test_the_cli_rebuilds_and_updates(app, factory, desk, runner):
    requester = factory.user()
    desk.create(requester, berlin(2026, 3, 2, 9))
    result = runner.invoke(args=["metrics", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "1 ticket(s) rebuilt" in result.output
    result = runner.invoke(args=["metrics", "update"])
    assert result.exit_code == 0 and "replayed" in result.output
    with app.app_context():
        assert rollup_table() == direct_recomputation()


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "reply",
                "pending",
                "customer",
                "solve",
                "reopen",
                "priority",
                "category",
                "escalate",
                "assign",
                "update",
            ]
        ),
        st.integers(0, 3),  # which ticket
        st.integers(1, 600),  # minutes after the previous step
        st.sampled_from(["critical", "high", "medium", "low"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_rollups_equal_a_direct_recomputation_after_random_histories(app, factory, desk, actions):
    requester, agent = factory.user(), factory.user(role="agent_t3")
    now = berlin(2026, 3, 6, 15)
    tickets: list[int] = []
    for action, which, minutes, priority in actions:
        now += timedelta(minutes=minutes)
        if action == "create" or not tickets:
            tickets.append(desk.create(requester, now, impact="minor"))
            continue
        ticket_id = tickets[which % len(tickets)]
        with app.app_context():
            status = db.session.get(Ticket, ticket_id).status
        try:
            if action == "reply" and status != "closed":
                desk.reply(agent, ticket_id, now)
            elif action == "pending" and status in ("new", "open"):
                desk.reply(agent, ticket_id, now, status_after="pending")
            elif action == "customer" and status != "closed":
                desk.customer_reply(requester, ticket_id, now)
            elif action == "solve" and status not in ("closed", "solved"):
                desk.solve(requester, ticket_id, now)
            elif action == "reopen" and status == "solved":
                desk.reopen(requester, ticket_id, now)
            elif action == "priority" and status != "closed":
                desk.set(agent, ticket_id, now, priority=priority)
            elif action == "category" and status != "closed":
                desk.set(agent, ticket_id, now, category=["app", "bug", "billing"][minutes % 3])
            elif action == "escalate":
                with app.app_context():
                    tier = db.session.get(Ticket, ticket_id).tier
                if tier < 3:
                    desk.escalate(agent, ticket_id, tier + 1, now)
            elif action == "assign":
                desk.assign(agent, ticket_id, agent.id, now)
            elif action == "update":
                desk.update(now)
        finally:
            pass
    desk.update(now + timedelta(minutes=1))
    with app.app_context():
        incremental, facts = rollup_table(), fact_rows()
        assert incremental == direct_recomputation()
    desk.rebuild(now + timedelta(minutes=2))
    with app.app_context():
        assert rollup_table() == incremental
        assert fact_rows() == facts


def test_all_dimensions_at_once_equal_one_at_a_time(app, factory, desk):
    requester = factory.user()
    for number, impact in enumerate(["broken", "minor", "question", "minor"]):
        ticket_id = desk.create(requester, berlin(2026, 3, 2, 9 + number), impact=impact,
                                category=["app", "bug"][number % 2])  # fmt: skip
        if number % 2:
            desk.solve(requester, ticket_id, berlin(2026, 3, 3, 9))
    desk.update(berlin(2026, 3, 3, 10))
    with app.app_context():
        filters = queries.Filters(date(2026, 3, 1), date(2026, 3, 4))
        together = queries.by_dimensions(filters)
        for dimension in queries.DIMENSIONS:
            assert together[dimension] == queries.by_dimension(filters, dimension)
        assert together["category"] == [
            {"value": "app", "new": 2, "solved": 0}, {"value": "bug", "new": 2, "solved": 2},
        ]  # fmt: skip
