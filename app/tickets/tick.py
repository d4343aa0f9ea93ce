"""``flask tickets tick``: apply every due timer action, safely from several hosts at once.

Only tickets with ``next_timer_at <= now`` are read, through the index, in batches. On
PostgreSQL each batch is locked with ``FOR UPDATE SKIP LOCKED`` so concurrent runners take
different tickets; on SQLite a runner claims a batch with one compare-and-swap UPDATE (bumping
``timer_version`` where the timer is still due), which also takes the database's write lock.
Every action is idempotent and logged with the rule that fired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update

from app.extensions import db
from app.outbox import commit
from app.tickets import clock
from app.tickets.models import Ticket


@dataclass
class TickResult:
    """What one run did."""

    tickets: int = 0
    actions: int = 0
    skipped: int = 0
    rules: dict[str, int] = field(default_factory=dict)


def _claim_sqlite(ids: list[int], now: datetime) -> list[int]:
    """Take the still-due tickets among ``ids`` in one compare-and-swap statement.

    The UPDATE takes SQLite's write lock, which this transaction keeps until its commit, so a
    second runner either finished before us (its tickets are no longer due and the condition
    skips them) or waits for us and then finds ours no longer due.
    """
    db.session.execute(
        update(Ticket)
        .where(Ticket.id.in_(ids), Ticket.next_timer_at <= now)
        .values(timer_version=Ticket.timer_version + 1)
        .execution_options(synchronize_session=False)
    )
    return list(
        db.session.scalars(select(Ticket.id).where(Ticket.id.in_(ids), Ticket.next_timer_at <= now))
    )


def _batch(now: datetime, size: int) -> list[Ticket]:
    due = (
        select(Ticket).where(Ticket.next_timer_at <= now).order_by(Ticket.next_timer_at, Ticket.id)
    )
    if db.engine.dialect.name == "postgresql":
        return list(db.session.scalars(due.limit(size).with_for_update(skip_locked=True)))
    ids = list(db.session.scalars(due.with_only_columns(Ticket.id).limit(size)))
    owned = _claim_sqlite(ids, now) if ids else []
    if not owned:
        return []
    db.session.expire_all()
    return list(db.session.scalars(select(Ticket).where(Ticket.id.in_(owned))))


def run_tick(now: datetime, batch_size: int = 500, max_batches: int = 10_000) -> TickResult:
    """Apply all timer actions due at ``now`` and commit batch by batch.

    :param now: the injected current time.
    :param batch_size: tickets per transaction.
    :returns: counts of tickets touched and actions applied, by rule.
    """
    result = TickResult()
    policy = clock.get_policy()
    for _ in range(max_batches):
        tickets = _batch(now, batch_size)
        if not tickets:
            db.session.rollback()
            break
        for ticket in tickets:
            applied = clock.apply_due_actions(ticket, now, policy)
            if applied:
                result.tickets += 1
            else:
                result.skipped += 1
            for action in applied:
                result.actions += 1
                result.rules[action.rule] = result.rules.get(action.rule, 0) + 1
        commit()
        if len(tickets) < batch_size:
            break
    return result
