"""Incident test helpers: declare and run incidents through the real services, committed like
a request, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.extensions import db

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


class Incidents:
    def __init__(self, app, factory):
        self.app = app
        self.factory = factory

    def lead(self, **kw):
        return self.factory.user("agent_t2", **kw)

    def declare(self, lead, now=T0, **fields):
        from app.forum.cli import seed_categories
        from app.incidents import services
        from app.outbox import commit

        values = {
            "kind": "outage", "severity": "critical", "title": "Plant sync is down",
            "categories": ["app"], "screens": ["sync"], "affected_features": "plant sync",
            "workaround_url": "https://help.test/articles/sync-by-hand", "message": "",
            "detected_at": None, "aware_at": None, "is_drill": False, **fields,
        }  # fmt: skip
        with self.app.app_context():
            seed_categories()
            incident = services.declare(self.factory._row(lead), now=now, **values)
            incident_id = incident.id
            commit()
        return incident_id

    def run(self, function, *args, **kw):
        """Call a service inside an app context and commit; returns its result's id if any."""
        from app.outbox import commit

        with self.app.app_context():
            result = function(*args, **kw)
            value = getattr(result, "id", result)
            commit()
        return value

    def get(self, incident_id):
        from app.incidents.models import Incident

        return db.session.get(Incident, incident_id)


@pytest.fixture
def incidents(app, factory) -> Incidents:
    return Incidents(app, factory)
