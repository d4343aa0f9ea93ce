"""Two agents claiming at once: exactly one wins. Two timer hosts at once: each action once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import event, func, select

from app.accounts.models import User
from app.extensions import db
from app.outbox import commit
from app.tickets import workspace
from app.tickets.models import Ticket, TicketEvent
from app.tickets.sla.tick import run_tick


def _in_threads(app, count, work):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def runner(index):
        try:
            with app.app_context():
                barrier.wait()
                results[index] = work(index)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_two_agents_claim_at_once_one_wins(app, factory, tickets, now):
    ticket_id = tickets.create(factory.user(), now)
    agents = [factory.user("agent_t1"), factory.user("agent_t1")]

    def claim(index):
        agent = db.session.get(User, agents[index].id)
        won = workspace.claim(agent, db.session.get(Ticket, ticket_id), now)
        commit()
        return won

    for _ in range(3):  # several rounds: a race that only sometimes shows is still a race
        with app.app_context():
            db.session.get(Ticket, ticket_id).assignee_id = None
            db.session.commit()
        results = _in_threads(app, 2, claim)
        assert sorted(results) == [False, True]
        with app.app_context():
            winner = agents[results.index(True)].id
            assert db.session.get(Ticket, ticket_id).assignee_id == winner


def test_concurrent_ticks_apply_each_action_once(app, factory, tickets, now):
    member = factory.user()
    ids = [tickets.create(member, now) for _ in range(30)]
    later = now + timedelta(days=3)

    results = _in_threads(app, 3, lambda _index: run_tick(later, batch_size=7).actions)
    with app.app_context():
        fired = db.session.execute(
            select(TicketEvent.rule, func.count())
            .where(TicketEvent.actor_id.is_(None), TicketEvent.ticket_id.in_(ids))
            .group_by(TicketEvent.rule)
        ).all()
        # Per ticket: Tier 1 flag, Tier 2, Tier 2 flag, first-response breach, Tier 3.
        assert dict(fired) == {
            "tier1_attempt_exceeded": 30, "tier1_to_tier2": 30, "tier2_attempt_exceeded": 30,
            "first_response_target_missed": 30, "tier2_to_tier3": 30,
        }  # fmt: skip
        assert sum(results) == 150
        assert {t.tier for t in db.session.scalars(select(Ticket))} == {3}


def test_a_ticker_that_finds_its_batch_taken_carries_on(app, factory, tickets, now):
    """Two tickers: the other takes the batch this one just read, then dies after it. This one
    must go on to the remaining due tickets instead of stopping until the next run."""
    member = factory.user()
    ids = [tickets.create(member, now) for _ in range(20)]
    later = now + timedelta(days=3)
    state = {"ticker": None, "done": False}

    def other_ticker_takes_the_batch():
        with app.app_context():
            run_tick(later, batch_size=7, max_batches=1)  # one batch, then it is killed

    def before_claim(_conn, _cursor, statement, *_args):
        # This ticker has read its batch and is about to claim it (SQLite's compare-and-swap,
        # PostgreSQL's locking read): the other ticker gets there first.
        claiming = statement.startswith("UPDATE ticket SET timer_version") or (
            "FOR UPDATE SKIP LOCKED" in statement
        )
        if claiming and not state["done"] and threading.get_ident() == state["ticker"]:
            state["done"] = True
            other = threading.Thread(target=other_ticker_takes_the_batch)
            other.start()
            other.join(60)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", before_claim)
        try:
            state["ticker"] = threading.get_ident()
            run_tick(later, batch_size=7)
        finally:
            event.remove(engine, "before_cursor_execute", before_claim)
        assert state["done"]
        due = db.session.scalars(
            select(Ticket.id).where(Ticket.id.in_(ids), Ticket.next_timer_at <= later)
        ).all()
        assert due == []
        assert {t.tier for t in db.session.scalars(select(Ticket))} == {3}
