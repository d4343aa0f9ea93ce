"""Ticket test helpers: make tickets through the real services, move an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args) -> datetime:
    """A Berlin wall time as an aware UTC datetime."""
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


class Tickets:
    """Create and reload tickets inside the app, committed like a request would."""

    def __init__(self, app, factory):
        self.app = app
        self.factory = factory

    def create(self, requester, now, **fields) -> int:
        return self.factory.ticket(requester, now, **fields)

    def get(self, ticket_id):
        from app.tickets.models import Ticket

        return db.session.get(Ticket, ticket_id)

    def events(self, ticket_id):
        from sqlalchemy import select

        from app.tickets.models import TicketEvent

        return list(
            db.session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.id)
            )
        )

    def tick(self, now):
        from app.tickets.sla.tick import run_tick

        with self.app.app_context():
            return run_tick(now)


@pytest.fixture
def app_config(tmp_path):
    """Attachments of each test go to its own folder, never to the real ``instance/``."""
    return {"TICKET_ATTACHMENT_DIR": str(tmp_path / "attachments")}


@pytest.fixture
def tickets(app, factory) -> Tickets:
    return Tickets(app, factory)
