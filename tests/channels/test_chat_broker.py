"""The broker: notifications only after a commit, none after a rollback; Redis carries them
between two applications (two processes' worth of brokers) on the real Redis."""

from __future__ import annotations

import uuid

import pytest

from app.channels.chat.broker import LocalBroker, RedisBroker, current_broker, notify
from app.extensions import db
from app.outbox import commit


def test_published_after_commit_and_never_after_rollback(app):
    with app.app_context(), current_broker().subscribe("conversation:1") as subscription:
        notify("conversation:1", kind="message", seq=1)
        assert subscription.get(0.05) is None  # not before the commit
        db.session.rollback()
        notify("conversation:1", kind="message", seq=2)
        commit()
        assert subscription.get(1) == {"topic": "conversation:1", "kind": "message", "seq": 2}
        assert subscription.get(0.05) is None  # the rolled-back one never comes


def test_local_broker_wakes_only_subscribers_of_the_topic():
    broker = LocalBroker()
    with broker.subscribe("a") as on_a, broker.subscribe("b") as on_b:
        broker.publish("a", {"kind": "typing"})
        assert on_a.get(1)["kind"] == "typing"
        assert on_b.get(0.05) is None
    assert broker._subscribers == {}  # closed subscriptions leave nothing behind


def test_redis_carries_notifications_between_brokers():
    redis = pytest.importorskip("redis")
    redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    channel = f"test-chat-{uuid.uuid4().hex}"
    here, there = (RedisBroker("redis://127.0.0.1:6379/0", channel) for _ in range(2))
    try:
        with there.subscribe("conversation:9") as subscription:
            here.publish("conversation:9", {"kind": "message", "seq": 4})
            assert subscription.get(3) == {"topic": "conversation:9", "kind": "message", "seq": 4}
    finally:
        here.close()
        there.close()
