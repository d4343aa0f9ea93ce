"""``flask tickets tick``: apply every due timer action, safely from several hosts at once.

Only tickets with ``next_timer_at <= now`` are read, through the index, in batches. On
PostgreSQL each batch is locked with ``FOR UPDATE SKIP LOCKED`` so concurrent runners take
different tickets; on SQLite a runner claims a batch with one compare-and-swap UPDATE (bumping
``timer_version`` where the timer is still due), which also takes the database's write lock.
Every action is idempotent and logged with the rule that fired.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.outbox import commit
from app.tickets.models import Ticket
from app.tickets.sla import clock

log = logging.getLogger(__name__)

#: ``app.extensions["tick_jobs"]``: name → callable ``(now) -> {outcome: count}``. Features above
#: tickets (the satisfaction surveys) register their timed work here at start-up, so the one
#: timer process runs it and tickets never imports them.
TickJob = Callable[[datetime], dict[str, int]]


def register_tick_job(app, name: str, job: TickJob) -> None:
    """Run ``job`` on every ``flask tickets tick``, after the SLA actions, in its own
    transaction."""
    app.extensions.setdefault("tick_jobs", {})[name] = job


def run_tick_jobs(now: datetime) -> dict[str, dict[str, int]]:
    """Run every registered job once, each committed on its own: a failing job is logged and
    rolled back, and never stops the SLA timer or the other jobs."""
    results = {}
    for name, job in current_app.extensions.get("tick_jobs", {}).items():
        try:
            results[name] = job(now)
            commit()
        except Exception:  # one job's bug must not stop escalations
            log.exception("tick job %s failed", name)
            db.session.rollback()
            results[name] = {"failed": 1}
    return results


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


def _batch(now: datetime, size: int) -> tuple[list[Ticket], int]:
    """The next batch this runner owns, and how many due tickets it found to choose from.

    On SQLite another runner may take the tickets between our read and our claim: we then own
    none of them (they are no longer due) although due tickets were found, and the caller goes
    on to the next ones rather than stopping.
    """
    due = (
        select(Ticket).where(Ticket.next_timer_at <= now).order_by(Ticket.next_timer_at, Ticket.id)
    )
    if db.engine.dialect.name == "postgresql":
        tickets = list(db.session.scalars(due.limit(size).with_for_update(skip_locked=True)))
        return tickets, len(tickets)
    ids = list(db.session.scalars(due.with_only_columns(Ticket.id).limit(size)))
    owned = _claim_sqlite(ids, now) if ids else []
    if not owned:
        return [], len(ids)
    db.session.expire_all()
    return list(db.session.scalars(select(Ticket).where(Ticket.id.in_(owned)))), len(ids)


def run_tick(now: datetime, batch_size: int = 500, max_batches: int = 10_000) -> TickResult:
    """Apply all timer actions due at ``now`` and commit batch by batch.

    A runner stops when it finds no due ticket, or fewer than a batch (all of them were then
    in its last batch), never because another runner took the batch it read: if that runner
    dies afterwards, this one still does the rest.

    :param now: the injected current time.
    :param batch_size: tickets per transaction.
    :param max_batches: at most this many batches (a bound, never reached in practice).
    :returns: counts of tickets touched and actions applied, by rule.
    """
    result = TickResult()
    policy = clock.get_policy()
    for _ in range(max_batches):
        tickets, found = _batch(now, batch_size)
        if not found:
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
        if found < batch_size:
            break
    return result
