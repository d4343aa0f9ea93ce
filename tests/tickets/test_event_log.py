"""The ticket history is append-only: no code path updates or deletes it, and the database
refuses it as well."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.tickets.models import TicketEvent

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "tickets"


def test_no_code_in_the_package_updates_or_deletes_events():
    offending = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            # update(TicketEvent) / delete(TicketEvent) statements
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") in {"update", "delete"}
                and any(getattr(arg, "id", "") == "TicketEvent" for arg in node.args)
            ):
                offending.append(f"{path.name}:{node.lineno}")
            # session.delete(event) on something named like an event
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") == "delete"
                and any("event" in ast.unparse(arg).lower() for arg in node.args)
            ):
                offending.append(f"{path.name}:{node.lineno}")
        # Assigning attributes of a loaded event ("event.kind = ...").
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and ast.unparse(target.value) in {
                        "event", "ticket_event",
                    }:  # fmt: skip
                        offending.append(f"{path.name}:{node.lineno}")
    assert offending == []


def test_database_refuses_update_and_delete(app, factory, tickets, now):
    ticket_id = tickets.create(factory.user(), now)
    with app.app_context():
        event_id = tickets.events(ticket_id)[0].id
        for statement in (
            sa.update(TicketEvent).where(TicketEvent.id == event_id).values(kind="forged"),
            sa.delete(TicketEvent).where(TicketEvent.id == event_id),
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.get(TicketEvent, event_id).kind == "created"


def test_every_change_is_an_event_with_before_and_after(app, factory, tickets, now):
    from app.outbox import commit
    from app.tickets import workspace

    agent = factory.user("agent_t2")
    ticket_id = tickets.create(factory.user(), now)
    with app.app_context():
        me = db.session.merge(agent)
        workspace.change_properties(me, tickets.get(ticket_id), now, priority="high",
                                    category="bug", status="open")  # fmt: skip
        workspace.assign(me, tickets.get(ticket_id), me.id, now)
        commit()
        changes = {e.kind: (e.before, e.after, e.actor_id) for e in tickets.events(ticket_id)[1:]}
        assert changes["priority"] == ({"priority": "medium"}, {"priority": "high"}, agent.id)
        assert changes["category"] == ({"category": "app"}, {"category": "bug"}, agent.id)
        assert changes["status"] == ({"status": "new"}, {"status": "open"}, agent.id)
        assert changes["assigned"] == ({"assignee_id": None}, {"assignee_id": agent.id}, agent.id)
