"""Notifications between the web processes: "conversation 7 has news", "the queue changed",
"the customer is typing". The database is the record; a notification only wakes the requests
waiting for it, which then read the database. A lost notification costs at most one wait
(``CHAT_WAIT_SECONDS``), never a message.

Two implementations with one interface:
- :class:`LocalBroker` wakes waiters in this process only (the one-command start, tests);
- :class:`RedisBroker` publishes to one Redis pub/sub channel and runs one listener thread per
  process that hands each notification to this process's waiters, so any number of processes
  and hosts see each other's messages over a single subscription per process.

Services queue notifications with :func:`notify`; they are published after the transaction
commits (an SQLAlchemy ``after_commit`` hook), so nobody is woken for a change that rolled back.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections import defaultdict

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)
_PENDING = "chat_notifications"


class Subscription:
    """Notifications for some topics, from the moment of subscribing (subscribe, then read the
    database, then wait: nothing that happens in between is missed)."""

    def __init__(self, broker: LocalBroker, topics: tuple[str, ...]) -> None:
        self.broker = broker
        self.topics = topics
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()

    def get(self, timeout: float) -> dict | None:
        """The next notification, or ``None`` after ``timeout`` seconds."""
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def drain(self) -> list[dict]:
        items = []
        while True:
            try:
                items.append(self.inbox.get_nowait())
            except queue.Empty:
                return items

    def close(self) -> None:
        self.broker.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LocalBroker:
    """Fan-out inside one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    def subscribe(self, *topics: str) -> Subscription:
        subscription = Subscription(self, topics)
        with self._lock:
            for topic in topics:
                self._subscribers[topic].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            for topic in subscription.topics:
                waiting = self._subscribers.get(topic)
                if waiting is not None:
                    waiting.discard(subscription)
                    if not waiting:
                        del self._subscribers[topic]

    def deliver(self, topic: str, payload: dict) -> None:
        with self._lock:
            waiting = list(self._subscribers.get(topic, ()))
        for subscription in waiting:
            subscription.inbox.put({"topic": topic, **payload})

    def publish(self, topic: str, payload: dict) -> None:
        self.deliver(topic, payload)

    def wake_all(self, payload: dict) -> None:
        """Hand ``payload`` to every waiter of this process (the process is stopping)."""
        with self._lock:
            waiting = {s for subscribers in self._subscribers.values() for s in subscribers}
        for subscription in waiting:
            subscription.inbox.put({"topic": "", **payload})

    def close(self) -> None:
        pass


class RedisBroker(LocalBroker):
    """Fan-out across processes and hosts through Redis pub/sub."""

    def __init__(self, url: str, channel: str = "helpcenter:chat") -> None:
        super().__init__()
        import redis

        self.channel = channel
        self._redis = redis.Redis.from_url(url, socket_timeout=5, health_check_interval=30)
        self._stopped = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="chat-broker", daemon=True)
        self._thread.start()
        # The first notifications after start must not be lost to a subscription not yet made.
        self._ready.wait(5)

    def publish(self, topic: str, payload: dict) -> None:
        try:
            self._redis.publish(self.channel, json.dumps({"topic": topic, "payload": payload}))
        except Exception:  # Redis down: waiters here still hear it; others catch up by timeout.
            log.warning("chat notification not published to Redis", exc_info=True)
            self.deliver(topic, payload)

    def _listen(self) -> None:
        while not self._stopped.is_set():
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self._ready.set()
                while not self._stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "message":
                        data = json.loads(message["data"])
                        self.deliver(data["topic"], data["payload"])
            except Exception:
                log.warning("chat broker lost Redis; reconnecting", exc_info=True)
                self._ready.set()
                self._stopped.wait(1.0)

    def close(self) -> None:
        self._stopped.set()
        self._thread.join(3)


def current_broker() -> LocalBroker:
    return current_app.extensions["chat_broker"]


def notify(topic: str, **payload) -> None:
    """Publish after the current transaction commits (dropped if it rolls back)."""
    # Tie it to a real transaction, so a rollback (which clears it) cannot pass unnoticed.
    db.session.connection()
    db.session.info.setdefault(_PENDING, []).append((topic, payload))


def init_app(app: Flask) -> None:
    url = app.config["CHAT_REDIS_URL"]
    broker = RedisBroker(url, app.config["CHAT_REDIS_CHANNEL"]) if url else LocalBroker()
    app.extensions["chat_broker"] = broker

    if getattr(init_app, "hooked", False):
        return
    init_app.hooked = True

    @event.listens_for(Session, "after_commit")
    def _publish(session: Session) -> None:
        pending = session.info.pop(_PENDING, None)
        if not pending:
            return
        target = current_app.extensions.get("chat_broker") if has_app_context() else None
        if target is None:
            return
        for topic, payload in pending:
            target.publish(topic, payload)

    # "soft": also a rollback of a transaction that never touched the database; a savepoint's
    # rollback (insert_once's) keeps what the outer transaction will still commit.
    @event.listens_for(Session, "after_soft_rollback")
    def _forget(session: Session, previous_transaction) -> None:
        if not previous_transaction.nested:
            session.info.pop(_PENDING, None)
