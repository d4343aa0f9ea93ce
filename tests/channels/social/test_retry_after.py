"""A 429 that says when to come back (``Retry-After``, or X's ``x-rate-limit-reset``) holds
the outbox event until then, not just for the outbox's own back-off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.channels.social import rules
from app.extensions import db
from app.models import utcnow
from app.outbox import OutboxEvent, drain
from tests.channels.social.fake_platform import META_RATE_LIMIT, X_TOO_MANY
from tests.channels.social.test_sending import (
    deliveries,
    last_inbound,
    reply,
    social_ticket,
)


@pytest.fixture
def agent(factory):
    return factory.user(role="agent_t1")


def pending_event(app) -> OutboxEvent:
    with app.app_context():
        event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "social_send"))
        db.session.expunge(event)
        return event


def test_meta_retry_after_seconds_holds_the_event_past_the_back_off(
    app,
    webhooks,
    connected,
    agent,
    fake_platform,
):
    ticket_id = social_ticket(app, webhooks, "facebook_message")
    fake_platform.fail_next(*META_RATE_LIMIT, {"Retry-After": "900"})
    before = utcnow()
    reply(app, agent, ticket_id, "Coming back later.", last_inbound(app, ticket_id))
    event = pending_event(app)
    assert event.attempts == 1 and event.parked_at is None
    # The outbox alone would wait 60 s after the first failure; the platform asked for 900.
    assert event.available_at >= before + timedelta(seconds=900)
    with app.app_context():
        assert drain(["social_send"], before + timedelta(minutes=10)) == 0
        assert len(fake_platform.requests) == 1
        assert drain(["social_send"], utcnow() + timedelta(minutes=16)) == 1
    assert [d.status for d in deliveries(app)] == ["sent"]
    assert len(fake_platform.requests) == 2


def test_x_rate_limit_reset_is_honoured(app, webhooks, connected, agent, fake_platform):
    ticket_id = social_ticket(app, webhooks, "x_direct_message", "x")
    reset = int(datetime.now(UTC).timestamp()) + 1200
    fake_platform.fail_next(*X_TOO_MANY, {"x-rate-limit-reset": str(reset)})
    before = utcnow()
    reply(app, agent, ticket_id, "Checking.", last_inbound(app, ticket_id))
    event = pending_event(app)
    assert event.available_at >= before + timedelta(seconds=1190)
    with app.app_context():
        assert drain(["social_send"], before + timedelta(minutes=15)) == 0
        assert drain(["social_send"], utcnow() + timedelta(minutes=21)) == 1
    assert [d.status for d in deliveries(app)] == ["sent"]


def test_a_short_retry_after_never_shortens_the_back_off(
    app,
    webhooks,
    connected,
    agent,
    fake_platform,
):
    ticket_id = social_ticket(app, webhooks, "facebook_message")
    fake_platform.fail_next(*META_RATE_LIMIT, {"Retry-After": "1"})
    before = utcnow()
    reply(app, agent, ticket_id, "Soon.", last_inbound(app, ticket_id))
    assert pending_event(app).available_at >= before + timedelta(seconds=60)


NOW = datetime(2026, 12, 7, 12, 0, 0)


def test_retry_after_forms():
    assert rules.retry_after({"Retry-After": "120"}, NOW) == timedelta(seconds=120)
    assert rules.retry_after({"Retry-After": "Mon, 07 Dec 2026 12:05:00 GMT"}, NOW) == timedelta(
        minutes=5
    )
    # A date in the past: come back now (the outbox's back-off still applies).
    assert rules.retry_after({"Retry-After": "Mon, 07 Dec 2026 11:00:00 GMT"}, NOW) == timedelta(0)
    reset = int(NOW.replace(tzinfo=UTC).timestamp()) + 300
    assert rules.retry_after({"x-rate-limit-reset": str(reset)}, NOW) == timedelta(seconds=300)
    for junk in ("soon", "-5", "\uff11\uff12", "9" * 40, ""):
        assert rules.retry_after({"Retry-After": junk}, NOW) is None
    assert rules.retry_after({}, NOW) is None
