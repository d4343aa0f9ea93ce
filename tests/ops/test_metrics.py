"""``/metrics``: who may scrape it, and the figures it carries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.outbox import OutboxEvent, commit, record

REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


def sample(text: str, name: str, **labels) -> float | None:
    """The value of one sample in Prometheus' text format, or None when it is absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{([^}]*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = ",".join(sorted((match.group(2) or "").split(","))) if match.group(2) else ""
        if found == wanted:
            return float(match.group(3))
    return None


def scrape(client, **kwargs) -> str:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


class TestAccess:
    def test_loopback_may_scrape(self, client):
        assert client.get("/metrics").status_code == 200

    def test_others_are_refused_by_default(self, client):
        assert client.get("/metrics", environ_base=REMOTE).status_code == 403

    def test_loopback_through_a_proxy_is_refused(self, client):
        # A proxy on the same host makes every visitor look local.
        for header in ("X-Forwarded-For", "Forwarded"):
            response = client.get("/metrics", headers={header: "for=203.0.113.9"})
            assert response.status_code == 403, header

    def test_loopback_can_be_switched_off(self, app, client):
        app.config["METRICS_ALLOW_LOOPBACK"] = False
        assert client.get("/metrics").status_code == 403

    def test_the_token_opens_it_from_anywhere(self, app, client):
        app.config["METRICS_TOKEN"] = "scrape-secret-123"
        good = {"Authorization": "Bearer scrape-secret-123"}
        bad = {"Authorization": "Bearer scrape-secret-124"}
        assert client.get("/metrics", environ_base=REMOTE, headers=good).status_code == 200
        assert client.get("/metrics", environ_base=REMOTE, headers=bad).status_code == 403
        assert client.get("/metrics", environ_base=REMOTE).status_code == 403


def test_request_latency_by_endpoint(client):
    def count(text):
        return sample(
            text, "helpcenter_request_seconds_count", endpoint="kb.home", method="GET", status="2xx"
        )

    before = count(scrape(client)) or 0
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert count(scrape(client)) == before + 3
    # An unknown path is counted under one label, never under its own raw path.
    client.get("/no/such/page/12345")
    assert "12345" not in scrape(client)


def test_unusual_methods_share_one_label(client):
    client.open("/", method="BREW")
    text = scrape(client)
    assert "BREW" not in text
    assert 'method="other"' in text


def test_search_latency(client):
    def count(text):
        return sample(text, "helpcenter_search_seconds_count", endpoint="search.index")

    before = count(scrape(client)) or 0
    assert client.get("/search/?q=basil").status_code == 200
    assert count(scrape(client)) == before + 1


def test_outbox_backlog_and_failures(app, client):
    now = datetime.now(UTC)
    with app.app_context():
        for number in range(3):
            record("test-kind", {"n": number}, now - timedelta(minutes=10))
        record("test-kind", {"n": 9}, now).processed_at = now
        commit()
        failed = db.session.scalars(
            db.select(OutboxEvent).where(OutboxEvent.kind == "test-kind").limit(1)
        ).one()
        failed.attempts = 2
        commit()
    text = scrape(client)
    assert sample(text, "helpcenter_outbox_pending", kind="test-kind") == 3
    assert sample(text, "helpcenter_outbox_failing", kind="test-kind") == 1
    assert 600 <= sample(text, "helpcenter_outbox_oldest_pending_seconds") < 900


def test_ticket_timers_due_and_late(app, client, factory):
    requester = factory.user()
    text = scrape(client)
    assert sample(text, "helpcenter_ticket_timers_due") == 0
    assert sample(text, "helpcenter_ticket_timers_late") == 0
    factory.ticket(requester, datetime.now(UTC))  # its first timer is in the future
    factory.ticket(requester, datetime.now(UTC) - timedelta(days=3))  # due long ago: late
    text = scrape(client)
    assert sample(text, "helpcenter_ticket_timers_due") == 1
    assert sample(text, "helpcenter_ticket_timers_late") == 1


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_are_not_counted(client, path):
    client.get(path)
    assert 'endpoint="ops.' not in scrape(client)
