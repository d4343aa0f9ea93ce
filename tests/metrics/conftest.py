"""Metrics test helpers: ticket histories made through the real ticket services."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.outbox import commit

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args) -> datetime:
    """A Berlin wall time as an aware UTC datetime."""
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


class Desk:
    """A support desk acting through the ticket services, one committed step at a time."""

    def __init__(self, app, factory):
        self.app = app
        self.factory = factory

    def _run(self, action):
        from app.accounts.models import User
        from app.tickets.models import Ticket

        with self.app.app_context():

            def load(user, ticket_id):
                return db.session.get(User, user.id), db.session.get(Ticket, ticket_id)

            result = action(load)
            commit()
            return result

    def create(self, requester, now, **fields) -> int:
        return self.factory.ticket(requester, now, **fields)

    def reply(self, agent, ticket_id, now, status_after=None):
        from app.tickets import workspace

        self._run(lambda load: workspace.agent_reply(
            *load(agent, ticket_id), "Try restarting the app.", now, status_after=status_after,
        ))  # fmt: skip

    def customer_reply(self, requester, ticket_id, now):
        from app.tickets import services

        self._run(lambda load: services.add_requester_reply(
            *load(requester, ticket_id), "Still broken.", now,
        ))  # fmt: skip

    def solve(self, requester, ticket_id, now):
        from app.tickets import services

        self._run(lambda load: services.mark_solved(*load(requester, ticket_id), now))

    def reopen(self, requester, ticket_id, now):
        from app.tickets import services

        self._run(lambda load: services.reopen(*load(requester, ticket_id), now))

    def set(self, agent, ticket_id, now, **changes):
        from app.tickets import workspace

        self._run(lambda load: workspace.change_properties(*load(agent, ticket_id), now, **changes))

    def escalate(self, agent, ticket_id, tier, now):
        from app.tickets import workspace

        self._run(
            lambda load: workspace.escalate(*load(agent, ticket_id), tier, "Needs Tier 2.", now)
        )

    def assign(self, agent, ticket_id, assignee_id, now):
        from app.tickets import workspace

        self._run(lambda load: workspace.assign(*load(agent, ticket_id), assignee_id, now))

    def update(self, now):
        from app.metrics import services

        with self.app.app_context():
            done = services.update(now)
            commit()
            return done

    def rebuild(self, now):
        from app.metrics import services

        with self.app.app_context():
            done = services.rebuild(now)
            commit()
            return done


@pytest.fixture
def desk(app, factory) -> Desk:
    return Desk(app, factory)


@pytest.fixture
def app_config(tmp_path):
    return {"TICKET_ATTACHMENT_DIR": str(tmp_path / "attachments")}
