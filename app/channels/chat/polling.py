"""Answering a client that waits for news (long-poll, each round of Server-Sent Events, the
site's and the API's): shared by ``views``, ``console_views`` and ``app.api``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app

from app.channels.chat import protocol, queries, services, waiting
from app.channels.chat.models import OPEN_STATUSES, ChatConversation
from app.extensions import db
from app.models import utcnow


def poll(
    row: ChatConversation, after: int, seconds: float, tag: str | None, *, staff: bool,
    clock: Callable[[], datetime] = utcnow,
) -> dict:  # fmt: skip
    """The lines after ``after`` and the conversation's state, once there are new lines, the
    state differs from ``tag`` (what the client has), or ``seconds`` pass. ``woken`` says a
    typing notice ended the wait.

    When news ended the wait, the last check's reads are the answer (no second round of
    queries per wake); after a quiet wait they are read again."""
    model, checked = type(row), {}

    def ready():
        fresh = db.session.get(model, row.id)
        lines = queries.lines_after(fresh, after, staff=staff)
        checked.update(row=fresh, lines=lines, state=None)
        # The person's wait also ends with the chat; the console shows an ended chat's lines.
        if lines or (not staff and fresh.status not in OPEN_STATUSES):
            return True
        if tag is None:
            return False
        checked["state"] = protocol.state_dict(fresh, clock(), staff=staff)
        return protocol.state_tag(checked["state"]) != tag

    topics = (services.topic(row.id),) if staff else (services.topic(row.id), services.QUEUE_TOPIC)
    woke, notes = waiting.wait_for(topics, ready, seconds)
    if not woke and not notes:
        ready()  # a quiet wait closed the session (and a notification may have been lost)
    other = "customer" if staff else "agent"
    typing = sorted({n["side"] for n in notes if n.get("kind") == "typing" and n["side"] == other})
    payload = protocol.events_dict(checked["row"], checked["lines"], clock(), staff=staff,
                                   typing=typing, state=checked["state"])  # fmt: skip
    payload["woken"] = bool(typing)
    return payload


def long_poll(
    row: ChatConversation, after: int, tag: str | None, *, wait: bool, staff: bool
) -> dict:
    """One long-poll answer: it waits up to ``CHAT_WAIT_SECONDS`` when ``wait`` and this process
    has a free waiting slot; without a slot it answers at once with ``retry_ms`` (poll again)."""
    with waiting.Slot() as slot:
        seconds = float(current_app.config["CHAT_WAIT_SECONDS"]) if wait and slot.held else 0
        payload = poll(row, after, seconds, tag, staff=staff)
    payload.pop("woken")
    payload["retry_ms"] = 0 if slot.held or not wait else waiting.BUSY_RETRY_MS
    return payload
