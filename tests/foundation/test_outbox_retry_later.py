"""A handler that was told when to come back (``RetryLater``) is not retried before then, even
past the outbox's own back-off cap; a vendor asking for days is capped at 24 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.outbox import MAX_BACKOFF, OutboxEvent, RetryLater, drain, record, register_handler

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("asked", "waits"),
    [
        (timedelta(hours=2), timedelta(hours=2)),  # longer than MAX_BACKOFF: honoured
        (timedelta(seconds=5), timedelta(seconds=60)),  # shorter: the back-off still applies
        (timedelta(days=3), RetryLater.MAX_DELAY),
        (timedelta(seconds=-30), timedelta(seconds=60)),
    ],
)
def test_retry_later_sets_when_the_event_is_tried_again(app, asked, waits):
    assert timedelta(hours=2) > MAX_BACKOFF
    calls = []

    def handler(payload):
        calls.append(payload)
        if len(calls) == 1:
            raise RetryLater("HTTP 429", asked)

    register_handler(app, "retry_later_test", handler, inline=False)
    with app.app_context():
        event = record("retry_later_test", {"n": 1}, NOW)
        db.session.commit()
        assert drain(["retry_later_test"], NOW) == 0
        db.session.refresh(event)
        assert event.attempts == 1 and event.parked_at is None
        assert event.available_at.replace(tzinfo=UTC) == NOW + waits
        assert drain(["retry_later_test"], NOW + waits - timedelta(seconds=1)) == 0
        assert drain(["retry_later_test"], NOW + waits) == 1
        assert db.session.get(OutboxEvent, event.id).processed_at is not None
    assert len(calls) == 2
