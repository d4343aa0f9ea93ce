"""The ticket event log read in bulk for the replay: one SQL statement per chunk of tickets,
rows taken as the driver gives them (no ORM objects, no per-value type processing), and the
JSON of an event decoded only when the replay reads it.

This is what makes ``flask metrics rebuild`` fast: turning millions of rows into ORM-typed
values (JSON decoding of every ``before``/``after``, parsing every timestamp through
SQLAlchemy's processors) cost more than the replay itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import bindparam, text

from app.extensions import db
from app.metrics.ticket_rules import Event

#: Event kinds whose ``before``/``after`` the replay reads; the others' JSON is never decoded.
DETAILED_KINDS = frozenset({"created", "priority", "escalated", "status"})

# ``before``/``after`` as text: PostgreSQL's driver would decode every document of every row,
# when the replay reads only those of a few kinds (decoded once each, below).
_HISTORY_SQL = """
SELECT t.id, t.created_at, t.category, t.channel, t.assignee_id,
       e.kind, e.created_at, CAST(e.before AS TEXT), CAST(e.after AS TEXT)
FROM ticket AS t LEFT OUTER JOIN ticket_event AS e ON e.ticket_id = t.id
WHERE {condition}
ORDER BY t.id, e.id
"""
_BY_IDS = text(_HISTORY_SQL.format(condition="t.id IN :ids")).bindparams(
    bindparam("ids", expanding=True)
)


def _instant_reader() -> Callable[[object], datetime]:
    """Raw timestamps as aware UTC datetimes: SQLite gives the text SQLAlchemy stored (naive
    UTC), PostgreSQL aware datetimes."""
    if db.engine.dialect.name == "sqlite":
        # One call instead of parsing and then setting the zone.
        return lambda value: datetime.fromisoformat(value + "+00:00")
    return lambda value: value.astimezone(UTC)


@lru_cache(maxsize=4096)
def _decoded(value: str):
    # The replay only reads these small documents ({"status": "open"}, {"tier": 2}); a log
    # holds few distinct ones, so each is decoded once and shared.
    return json.loads(value)


def _document(value):
    return _decoded(value) if isinstance(value, str) else value


#: ``(ticket id, created at, category, channel, assignee id, events in log order)``.
History = tuple[int, datetime, str, str, int | None, list[Event]]


def _histories(rows) -> list[History]:
    instant, detailed = _instant_reader(), DETAILED_KINDS
    histories: list[History] = []
    events: list[Event] = []
    last = None
    for ticket_id, created, category, channel, assignee, kind, at, before, after in rows:
        if ticket_id != last:
            last, events = ticket_id, []
            histories.append((ticket_id, instant(created), category, channel, assignee, events))
        if kind is None:
            continue  # a ticket without events (the outer join's empty row)
        if kind in detailed:
            events.append(Event(kind, instant(at), _document(before), _document(after)))
        else:
            events.append(Event(kind, instant(at)))
    return histories


def histories_between(after_id: int, last_id: int) -> list[History]:
    """Every ticket with ``after_id < id <= last_id`` and its events.

    Read with the driver's own cursor, in the session's transaction: SQLAlchemy's result rows
    took twice as long as the query itself on a rebuild's hundreds of thousands of rows.
    """
    connection = db.session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = _HISTORY_SQL.format(condition=f"t.id > {marker} AND t.id <= {marker}")
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement, (after_id, last_id))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return _histories(rows)


def histories_of(ticket_ids: Sequence[int]) -> list[History]:
    """These tickets (those that exist) and their events."""
    return _histories(db.session.execute(_BY_IDS, {"ids": list(ticket_ids)}).all())
