"""A durable outbox: side effects recorded in the request's own transaction, run after commit.

A service calls :func:`record` next to the change it makes. If the transaction rolls back, the
event goes with it, so no mail is sent and no index is touched for a change that never happened.
After the commit, :func:`commit` runs the handlers of "inline" kinds at once (mail); other kinds
(search indexing) are drained by their own worker. An event whose handler fails stays pending and
is retried with back-off by ``flask outbox drain``, so a crash between commit and handling loses
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import JSON, Index, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.mail import OutgoingMail
from app.models import utcnow

log = logging.getLogger(__name__)

#: How long a worker may hold a claimed event before another may take it over.
CLAIM_SECONDS = 300
MAX_BACKOFF = timedelta(hours=1)


class OutboxEvent(db.Model):
    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_pending", "processed_at", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What to do: ``mail``, ``search`` ... one handler per kind.
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]
    #: Not before this time (retries back off).
    available_at: Mapped[datetime]
    #: A worker holds the event until this time; lets several processes drain safely.
    claimed_until: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


@dataclass
class _Handler:
    run: Callable[[dict], None]
    inline: bool


def _handlers(app: Flask | None = None) -> dict[str, _Handler]:
    return (app or current_app).extensions.setdefault("outbox_handlers", {})


def register_handler(
    app: Flask, kind: str, handler: Callable[[dict], None], *, inline: bool
) -> None:
    """Say who handles events of ``kind``; inline handlers run right after each commit."""
    _handlers(app)[kind] = _Handler(handler, inline)


def record(kind: str, payload: dict[str, Any], now: datetime) -> OutboxEvent:
    """Add an event to the current transaction (no flush, no commit)."""
    event = OutboxEvent(kind=kind, payload=payload, created_at=now, available_at=now, attempts=0)
    db.session.add(event)
    return event


def record_mail(mail: OutgoingMail, now: datetime) -> OutboxEvent:
    """Queue one e-mail; it is sent after the commit."""
    return record(
        "mail",
        {
            "to": mail.to,
            "subject": mail.subject,
            "body": mail.body,
            "headers": [list(pair) for pair in mail.headers],
        },
        now,
    )


def record_search_change(doc_type: str, object_id: int, now: datetime) -> OutboxEvent:
    """Say that a searchable object was created, changed, hidden or deleted.

    The search package (which sits above the features) rebuilds or removes the document from the
    feature's own models when it handles the event, so features never import search.

    :param doc_type: ``article``, ``wiki_page``, ``forum_thread`` ...
    """
    return record("search", {"type": doc_type, "id": object_id}, now)


def commit() -> None:
    """Commit the request's (or command's) one transaction, then run the inline handlers."""
    db.session.commit()
    inline = [kind for kind, handler in _handlers().items() if handler.inline]
    if inline:
        drain(inline, utcnow())


def _claim(event_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(OutboxEvent)
        .where(
            OutboxEvent.id == event_id,
            OutboxEvent.processed_at.is_(None),
            or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    db.session.commit()
    return claimed.rowcount == 1


def drain(kinds: Iterable[str], now: datetime, limit: int = 200) -> int:
    """Handle pending events of ``kinds``, oldest first; safe to run in several processes.

    :returns: how many events were handled successfully.
    """
    handlers = _handlers()
    kinds = [kind for kind in kinds if kind in handlers]
    if not kinds:
        return 0
    pending = db.session.scalars(
        select(OutboxEvent.id)
        .where(
            OutboxEvent.processed_at.is_(None),
            OutboxEvent.kind.in_(kinds),
            OutboxEvent.available_at <= now,
        )
        .order_by(OutboxEvent.id)
        .limit(limit)
    ).all()
    done = 0
    for event_id in pending:
        if not _claim(event_id, now):
            continue
        event = db.session.get(OutboxEvent, event_id)
        try:
            handlers[event.kind].run(event.payload)
        except Exception as exc:  # any failure: keep the event and retry later
            log.warning("outbox event %s (%s) failed: %s", event.id, event.kind, exc)
            event.attempts += 1
            event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            event.available_at = now + min(timedelta(seconds=30 * 2**event.attempts), MAX_BACKOFF)
            event.claimed_until = None
        else:
            event.processed_at = now
            event.claimed_until = None
            done += 1
        db.session.commit()
    return done


def _send_mail(payload: dict) -> None:
    app = current_app
    mail = OutgoingMail(
        payload["to"],
        payload["subject"],
        payload["body"],
        tuple(tuple(pair) for pair in payload.get("headers", [])),
    )
    app.extensions["mailer"].send(mail.to_message(app.config["MAIL_DEFAULT_SENDER"], utcnow()))


outbox_cli = AppGroup("outbox", help="Inspect and drain the outbox of side effects.")


@outbox_cli.command("drain", help="Handle pending events now (all kinds).")
@click.option("--every", type=float, default=None, help="Keep running, draining every N seconds.")
def drain_command(every: float | None) -> None:
    import time

    from app import tallies

    while True:
        handled = drain(list(_handlers()), utcnow())
        # Counts kept in Redis by the web processes (app.tallies): any process may write them.
        counted = tallies.flush(utcnow())
        click.echo(f"handled {handled} event(s), wrote {counted} count(s)")
        if every is None:
            return
        time.sleep(every)


@outbox_cli.command("status", help="Count pending and failing events by kind.")
def status_command() -> None:
    rows = db.session.execute(
        select(OutboxEvent.kind, OutboxEvent.attempts > 0, db.func.count())
        .where(OutboxEvent.processed_at.is_(None))
        .group_by(OutboxEvent.kind, OutboxEvent.attempts > 0)
    ).all()
    if not rows:
        click.echo("outbox empty")
    for kind, failing, count in rows:
        click.echo(f"{kind}: {count} {'failing' if failing else 'pending'}")


def init_app(app: Flask) -> None:
    register_handler(app, "mail", _send_mail, inline=True)
    app.cli.add_command(outbox_cli)
