"""Keeping the metric tables current: replay changed tickets, apply the change to the rollups.

``update`` reads the ticket event log past its cursor (plus a look-back window, because on
PostgreSQL a transaction can commit an event with a smaller id after a larger one was read),
replays each touched ticket (:func:`app.metrics.ticket_rules.ticket_facts`) and adds the
difference between its old and new contributions to ``metrics_day``. Replaying is idempotent,
so reading a ticket twice changes nothing. ``rebuild`` recomputes everything from the log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, func, select, tuple_

from app.extensions import db
from app.metrics import bulk, event_queries, ticket_rules
from app.metrics.models import DailyRollup, MetricsCursor, TicketMetrics
from app.metrics.ticket_rules import TicketFacts, Wait
from app.tickets.models import Ticket, TicketEvent
from app.tickets.sla.clock import get_policy

CURSOR = "ticket_events"
#: A rollup key's columns and its count (bulk inserts).
ROLLUP_COLUMNS = ("day", "category", "priority", "channel", "tier", "agent_id", "measure", "count")


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def row_from_facts(facts: TicketFacts, zone: ZoneInfo) -> dict:
    """The ``metrics_ticket`` row of a ticket's facts."""
    first = facts.first_response
    return {
        "ticket_id": facts.ticket_id,
        "created_at": facts.created_at,
        "created_day": ticket_rules.local_day(facts.created_at, zone),
        "category": facts.category,
        "priority": facts.priority,
        "channel": facts.channel,
        "tier": facts.tier,
        "agent_id": facts.agent_id or 0,
        "first_response_business": first.business if first else None,
        "first_response_calendar": first.calendar if first else None,
        "first_response_met": facts.first_response_met,
        "next_replies": [[wait.business, wait.calendar] for wait in facts.next_replies],
        "resolved_at": facts.resolved_at,
        "resolution_seconds": facts.resolution_seconds,
        "resolution_active_seconds": facts.resolution_active_seconds,
        "resolutions": [_iso(moment) for moment in facts.resolutions],
        "reopens": [_iso(moment) for moment in facts.reopens],
        "escalations": [[_iso(moment), low, high] for moment, low, high in facts.escalations],
    }


def facts_from_row(row: TicketMetrics) -> TicketFacts:
    """The stored facts back (what the ticket contributed to the rollups last time)."""
    first = None
    if row.first_response_business is not None:
        first = Wait(row.first_response_business, row.first_response_calendar or 0.0)
    return TicketFacts(
        ticket_id=row.ticket_id,
        created_at=row.created_at,
        category=row.category,
        priority=row.priority,
        channel=row.channel,
        tier=row.tier,
        agent_id=row.agent_id or None,
        first_response=first,
        first_response_met=row.first_response_met,
        next_replies=tuple(Wait(b, c) for b, c in row.next_replies or ()),
        resolved_at=row.resolved_at,
        resolution_seconds=row.resolution_seconds,
        resolution_active_seconds=row.resolution_active_seconds,
        resolutions=tuple(_parse(value) for value in row.resolutions or ()),
        reopens=tuple(_parse(value) for value in row.reopens or ()),
        escalations=tuple((_parse(at), low, high) for at, low, high in row.escalations or ()),
    )


def support_zone() -> ZoneInfo:
    return ZoneInfo(get_policy().timezone)


def facts_of(histories: Sequence[event_queries.History]) -> list[TicketFacts]:
    """Replay read histories (pure, per ticket: :func:`ticket_rules.ticket_facts`)."""
    policy = get_policy()
    return [
        ticket_rules.ticket_facts(
            policy, ticket_id=tid, created_at=created, category=category, channel=channel,
            agent_id=assignee, events=events,
        )
        for tid, created, category, channel, assignee, events in histories
    ]  # fmt: skip


def compute_facts(ticket_ids: Sequence[int]) -> list[TicketFacts]:
    """Replay the given tickets from the event log (one query)."""
    return facts_of(event_queries.histories_of(ticket_ids))


def _apply_delta(delta: dict[tuple, int]) -> None:
    """Add ``delta`` to the rollup rows (creating missing ones)."""
    if not delta:
        return
    key_columns = (
        DailyRollup.day, DailyRollup.category, DailyRollup.priority, DailyRollup.channel,
        DailyRollup.tier, DailyRollup.agent_id, DailyRollup.measure,
    )  # fmt: skip
    keys = list(delta)
    existing = {}
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        for row in db.session.scalars(
            select(DailyRollup).where(tuple_(*key_columns).in_(chunk)).with_for_update()
        ):
            existing[(row.day, row.category, row.priority, row.channel, row.tier,
                      row.agent_id, row.measure)] = row  # fmt: skip
    for key, amount in delta.items():
        row = existing.get(key)
        if row is None:
            day, category, priority, channel, tier, agent, measure = key
            db.session.add(DailyRollup(
                day=day, category=category, priority=priority, channel=channel, tier=tier,
                agent_id=agent, measure=measure, count=amount,
            ))  # fmt: skip
        else:
            row.count += amount


def refresh_tickets(ticket_ids: Iterable[int]) -> int:
    """Replay these tickets and move the rollups by the difference. :returns: tickets done."""
    ids = sorted(set(ticket_ids))
    zone = support_zone()
    done = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stored = {
            row.ticket_id: row
            for row in db.session.scalars(
                select(TicketMetrics).where(TicketMetrics.ticket_id.in_(chunk))
            )
        }
        delta: Counter = Counter()
        for facts in compute_facts(chunk):
            row = stored.get(facts.ticket_id)
            old = facts_from_row(row) if row is not None else None
            delta.update(ticket_rules.rollup_delta(old, facts, zone))
            values = row_from_facts(facts, zone)
            if row is None:
                db.session.add(TicketMetrics(**values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
            done += 1
        _apply_delta({key: amount for key, amount in delta.items() if amount})
        db.session.flush()
    return done


def update(now: datetime) -> int:
    """Bring the metric tables up to the event log. :returns: tickets replayed."""
    cursor = db.session.get(MetricsCursor, CURSOR)
    if cursor is None:
        cursor = MetricsCursor(name=CURSOR, last_event_id=0, updated_at=now)
        db.session.add(cursor)
    lookback = now - timedelta(minutes=current_app.config["METRICS_UPDATE_LOOKBACK_MINUTES"])
    rows = db.session.execute(
        select(TicketEvent.id, TicketEvent.ticket_id).where(
            (TicketEvent.id > cursor.last_event_id) | (TicketEvent.created_at >= lookback)
        )
    ).all()
    if not rows:
        return 0
    done = refresh_tickets(ticket_id for _, ticket_id in rows)
    cursor.last_event_id = max(cursor.last_event_id, max(event_id for event_id, _ in rows))
    cursor.updated_at = now
    db.session.flush()
    return done


def rebuild(now: datetime, batch: int = 5000) -> int:
    """Recompute every ticket's facts and every rollup row from the event log.

    :returns: tickets replayed.
    """
    zone = support_zone()
    db.session.execute(delete(DailyRollup))
    db.session.execute(delete(TicketMetrics))
    totals: Counter = Counter()
    done = 0
    last_ticket = db.session.scalar(select(func.max(Ticket.id))) or 0
    # Chunks of ticket ids: one statement reads a chunk's tickets and events together.
    for after_id in range(0, last_ticket, batch):
        facts = facts_of(event_queries.histories_between(after_id, after_id + batch))
        if not facts:
            continue
        rows = [row_from_facts(item, zone) for item in facts]
        bulk.insert_rows(
            TicketMetrics.__table__, tuple(rows[0]), [tuple(row.values()) for row in rows]
        )
        for item in facts:
            totals.update(ticket_rules.contributions(item, zone))
        done += len(facts)
    # In key order: each index of metrics_day then grows at its end instead of everywhere
    # (measured: about 40 % less time for the insert at 20,000 tickets, under load).
    bulk.insert_rows(
        DailyRollup.__table__, ROLLUP_COLUMNS,
        ((*key, count) for key, count in sorted(totals.items()) if count),
    )  # fmt: skip
    last_event = db.session.scalar(select(TicketEvent.id).order_by(TicketEvent.id.desc()))
    cursor = db.session.get(MetricsCursor, CURSOR)
    if cursor is None:
        cursor = MetricsCursor(name=CURSOR, updated_at=now)
        db.session.add(cursor)
    cursor.last_event_id = last_event or 0
    cursor.updated_at = now
    db.session.flush()
    return done
