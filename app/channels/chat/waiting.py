"""Holding a request open until something happens (long-poll and Server-Sent Events).

A waiting request holds one of gunicorn's threads, so each process lets at most
``CHAT_STREAMS_PER_PROCESS`` wait at once; the rest answer at once with what there is and the
client asks again a little later (``retry_ms``). Page requests therefore always find a thread.
The database session is closed while waiting: an open chat holds no database connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Flask, current_app

from app.channels.chat.broker import current_broker
from app.extensions import db

#: How long a client that got no waiting slot waits before asking again.
BUSY_RETRY_MS = 2000


def stopping() -> bool:
    """This process is stopping (SIGTERM): nothing waits any more, so a graceful stop takes as
    long as the slowest page, not a long-poll's CHAT_WAIT_SECONDS."""
    return current_app.extensions["chat_stopping"].is_set()


def stop_waiting(app: Flask) -> None:
    """End every wait of this process now (the clients ask again, of another process); called
    from gunicorn's SIGTERM handler (``gunicorn.conf.py``)."""
    app.extensions["chat_stopping"].set()
    app.extensions["chat_broker"].wake_all({"kind": "stopping"})


def init_app(app: Flask) -> None:
    app.extensions["chat_wait_slots"] = threading.BoundedSemaphore(
        app.config["CHAT_STREAMS_PER_PROCESS"] or 1
    )
    app.extensions["chat_wait_enabled"] = app.config["CHAT_STREAMS_PER_PROCESS"] > 0
    app.extensions["chat_stopping"] = threading.Event()


class Slot:
    """One waiting slot of this process, if one is free."""

    def __init__(self) -> None:
        self.held = current_app.extensions["chat_wait_enabled"] and current_app.extensions[
            "chat_wait_slots"
        ].acquire(blocking=False)

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *exc) -> None:
        if self.held:
            current_app.extensions["chat_wait_slots"].release()


def wait_for(
    topics: tuple[str, ...], ready: Callable[[], object], seconds: float
) -> tuple[object, list[dict]]:
    """Call ``ready()`` now and after each notification on ``topics`` until it returns
    something truthy or ``seconds`` pass. Returns its last result and the other notifications
    seen meanwhile (typing, read up to, queue changes), which end the wait too."""
    broker = current_broker()
    with broker.subscribe(*topics) as subscription:
        result = ready()
        deadline = time.monotonic() + (0 if stopping() else seconds)
        while not result:
            db.session.close()  # no connection held while nobody writes
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return result, []
            note = subscription.get(remaining)
            if note is None:
                return result, []
            notes = [note, *subscription.drain()]
            ephemeral = [n for n in notes if n.get("kind") != "message"]
            result = ready()
            if ephemeral and not result:
                return result, ephemeral
        return result, []
