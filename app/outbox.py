"""A durable outbox: side effects recorded in the request's own transaction, run after commit.

A service calls :func:`record` next to the change it makes. If the transaction rolls back, the
event goes with it, so no mail is sent and no index is touched for a change that never happened.
After the commit, :func:`commit` runs the handlers of "inline" kinds (mail) for the events that
commit itself recorded, and only those, within ``OUTBOX_INLINE_SECONDS`` in all: a request never
delivers another request's backlog, and a slow or silent mail server never holds a page. Other
kinds (search indexing) are drained by their own worker. An event whose handler fails stays
pending and is retried with back-off by ``flask outbox drain``, so a crash between commit and
handling loses nothing; one that can never succeed (:class:`PermanentError`, or
``OUTBOX_MAX_ATTEMPTS`` failures) is *parked* with its error for an admin to see
(``flask outbox status``) and, once the cause is fixed, to retry (``flask outbox retry``).
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import JSON, Index, String, Text, case, inspect, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.mail import OutgoingMail, deliverable, new_message_id
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
    #: Set when the event can never succeed: no longer retried, listed by ``outbox status``.
    parked_at: Mapped[datetime | None]


class PermanentError(Exception):
    """Raised by a handler for a failure no retry can mend (a refused recipient, a message
    that cannot be built): the event is parked at once."""


class RetryLater(Exception):
    """Raised by a handler when the other side said when to come back (HTTP ``Retry-After``
    on a 429): the event waits at least ``delay``, longer if its back-off is longer. A
    retry before the vendor's time would only be refused again and count against us."""

    #: The longest wait honoured: a vendor's "come back tomorrow" must not hide an event.
    MAX_DELAY = timedelta(hours=24)

    def __init__(self, message: str, delay: timedelta) -> None:
        super().__init__(message)
        self.delay = min(max(delay, timedelta(0)), self.MAX_DELAY)


#: The monotonic time by which the current delivery must be over (inline delivery), or None.
_deadline: ContextVar[float | None] = ContextVar("outbox_deadline", default=None)


def seconds_left(default: float) -> float:
    """What a handler may still wait on the network: ``default``, less in a request."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return max(0.05, min(default, deadline - time.monotonic()))


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
    # Remembered so that the commit delivers the events of its own transaction, and only those.
    db.session.info.setdefault("outbox_recorded", []).append(event)
    return event


def record_mail(mail: OutgoingMail, now: datetime) -> OutboxEvent | None:
    """Queue one e-mail; it is sent after the commit. Mail to an address that can never
    receive it (a contact known only by a platform handle) is not queued: ``None``."""
    if not deliverable(mail.to):
        return None
    payload = {
        "to": mail.to,
        "subject": mail.subject,
        "body": mail.body,
        "headers": [list(pair) for pair in mail.headers],
        # Fixed now: a retry after a lost answer is recognisably the same message.
        "message_id": mail.message_id or new_message_id(_message_id_domain()),
    }
    if mail.html:
        payload["html"] = mail.html
    if mail.attachments:
        payload["attachments"] = [list(item) for item in mail.attachments]
    return record("mail", payload, now)


def record_search_change(doc_type: str, object_id: int, now: datetime) -> OutboxEvent:
    """Say that a searchable object was created, changed, hidden or deleted.

    The search package (which sits above the features) rebuilds or removes the document from the
    feature's own models when it handles the event, so features never import search.

    :param doc_type: ``article``, ``wiki_page``, ``forum_thread`` ...
    """
    return record("search", {"type": doc_type, "id": object_id}, now)


def _message_id_domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(current_app.config["SITE_URL"]).hostname or "growgrebuddy.help"


def commit(*, deliver: bool = True) -> None:
    """Commit the request's (or command's) one transaction, then run the inline handlers on
    the events this transaction recorded, within ``OUTBOX_INLINE_SECONDS`` in all.

    Delivery never fails the caller: what is not delivered in time stays for the drain.

    :param deliver: ``False`` for a batch job (a mail import): its events are all left to the
        drain, which sends them as fast without holding the batch up.
    """
    recorded = db.session.info.pop("outbox_recorded", [])
    db.session.commit()
    if not deliver:
        return
    handlers = _handlers()
    own = [
        event.id
        for event in recorded
        if inspect(event).persistent and handlers.get(event.kind, _NOT_INLINE).inline
    ]
    if not own:
        return
    budget = current_app.config["OUTBOX_INLINE_SECONDS"]
    token = _deadline.set(time.monotonic() + budget)
    try:
        drain(list({kind for kind, h in handlers.items() if h.inline}), utcnow(), ids=own)
    except Exception:  # the change is committed; the drain delivers what is left
        log.exception("inline delivery after commit failed")
        db.session.rollback()
    finally:
        _deadline.reset(token)


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


_NOT_INLINE = _Handler(lambda payload: None, inline=False)


def drain(
    kinds: Iterable[str], now: datetime, limit: int = 200, *, ids: list[int] | None = None
) -> int:
    """Handle pending events of ``kinds``, oldest first; safe to run in several processes.

    :param ids: only these events (a commit's own); stops when the inline deadline passes.
    :returns: how many events were handled successfully.
    """
    handlers = _handlers()
    kinds = [kind for kind in kinds if kind in handlers]
    if not kinds:
        return 0
    query = select(OutboxEvent.id).where(
        OutboxEvent.processed_at.is_(None),
        OutboxEvent.parked_at.is_(None),
        OutboxEvent.kind.in_(kinds),
        OutboxEvent.available_at <= now,
    )
    if ids is not None:
        query = query.where(OutboxEvent.id.in_(ids))
    pending = db.session.scalars(query.order_by(OutboxEvent.id).limit(limit)).all()
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    done = 0
    for event_id in pending:
        deadline = _deadline.get()
        if deadline is not None and time.monotonic() >= deadline:
            break  # out of time: the rest is the drain's
        if not _claim(event_id, now):
            continue
        event = db.session.get(OutboxEvent, event_id)
        try:
            handlers[event.kind].run(event.payload)
        except Exception as exc:  # any failure: keep the event and retry later, or park it
            log.warning("outbox event %s (%s) failed: %s", event.id, event.kind, exc)
            event.attempts += 1
            event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            backoff = min(timedelta(seconds=30 * 2**event.attempts), MAX_BACKOFF)
            if isinstance(exc, RetryLater):
                backoff = max(backoff, exc.delay)
            event.available_at = now + backoff
            event.claimed_until = None
            if isinstance(exc, PermanentError) or event.attempts >= max_attempts:
                event.parked_at = now
        else:
            event.processed_at = now
            event.claimed_until = None
            done += 1
        db.session.commit()
    return done


def _send_mail(payload: dict) -> None:
    app = current_app
    try:
        mail = OutgoingMail(
            payload["to"],
            payload["subject"],
            payload["body"],
            tuple(tuple(pair) for pair in payload.get("headers", [])),
            payload.get("message_id", ""),
            payload.get("html", ""),
            tuple(tuple(item) for item in payload.get("attachments", [])),
        )
        message = mail.to_message(app.config["MAIL_DEFAULT_SENDER"], utcnow())
    except (KeyError, TypeError, ValueError, FileNotFoundError) as exc:
        raise PermanentError(f"the message cannot be built: {exc}") from exc
    timeout = seconds_left(app.config["MAIL_TIMEOUT"])
    try:
        app.extensions["mailer"].send(message, timeout=timeout)
    except smtplib.SMTPRecipientsRefused as exc:
        if all(code >= 500 for code, _ in exc.recipients.values()):
            raise PermanentError(f"recipient refused: {exc.recipients}") from exc
        raise
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:  # 5xx: the server will answer the same on every retry
            raise PermanentError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise


def parked_events(limit: int = 200) -> list[OutboxEvent]:
    """Events that will not be retried (newest first), for ``outbox status`` and admins."""
    return db.session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.processed_at.is_(None), OutboxEvent.parked_at.is_not(None))
        .order_by(OutboxEvent.id.desc())
        .limit(limit)
    ).all()


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


@outbox_cli.command("status", help="Count pending, failing and parked events; list parked ones.")
def status_command() -> None:
    # One labelled expression, grouped by its label: PostgreSQL refuses a GROUP BY whose
    # expression differs from the selected one only by a bind parameter.
    state = case(
        (OutboxEvent.parked_at.is_not(None), "parked"),
        (OutboxEvent.attempts > 0, "failing"),
        else_="pending",
    ).label("state")
    rows = db.session.execute(
        select(OutboxEvent.kind, state, db.func.count())
        .where(OutboxEvent.processed_at.is_(None))
        .group_by(OutboxEvent.kind, state)
        .order_by(OutboxEvent.kind, state)
    ).all()
    if not rows:
        click.echo("outbox empty")
    for kind, name, count in rows:
        click.echo(f"{kind}: {count} {name}")
    for event in reversed(parked_events(limit=10_000)):
        click.echo(
            f"  parked #{event.id} {event.kind} at {event.parked_at:%Y-%m-%d %H:%M} "
            f"after {event.attempts} attempt(s): {event.last_error}"
        )


@outbox_cli.command("retry", help="Put parked events back in the queue (once the cause is fixed).")
@click.argument("event_ids", type=int, nargs=-1)
@click.option("--all-parked", is_flag=True, help="Every parked event.")
def retry_command(event_ids: tuple[int, ...], all_parked: bool) -> None:
    if not event_ids and not all_parked:
        raise click.UsageError("Name the events to retry, or pass --all-parked.")
    query = update(OutboxEvent).where(
        OutboxEvent.processed_at.is_(None), OutboxEvent.parked_at.is_not(None)
    )
    if not all_parked:
        query = query.where(OutboxEvent.id.in_(event_ids))
    result = db.session.execute(
        query.values(parked_at=None, attempts=0, available_at=utcnow(), claimed_until=None)
    )
    commit()
    click.echo(f"{result.rowcount} event(s) back in the queue")


def init_app(app: Flask) -> None:
    register_handler(app, "mail", _send_mail, inline=True)
    app.cli.add_command(outbox_cli)
