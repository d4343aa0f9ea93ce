"""The single writer: drains ``search`` outbox events into the index, in batches, after commit.

A feature's change and its outbox event commit together. Afterwards, one writer at a time (the
backend's lock: ``flock`` on the Whoosh folder, an advisory lock on PostgreSQL) reads the pending
events, rebuilds each named document from the database *as it is now*, applies the batch in one
index commit and marks the events done. Applying is idempotent, so a crash anywhere in between
only means the events are applied again at the next drain: nothing is lost.

Who drains:
- web processes: a daemon thread started on the first request, every ``SEARCH_DRAIN_SECONDS``
  and at once when a request commits a search event (it is woken, the request never waits);
- ``flask search drain [--every N]`` from the command line;
- ``flask outbox drain`` through the registered handler (one event at a time, same lock).

The same thread writes the process's counted page views and searches (``app.tallies``) every
``TALLY_FLUSH_SECONDS``.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import event as sa_event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app import pagecache, tallies
from app.extensions import db
from app.models import utcnow
from app.outbox import MAX_BACKOFF, OutboxEvent, register_handler
from app.search.backend import get_backend
from app.search.documents import document_for

log = logging.getLogger(__name__)

BATCH = 500


def _pending(now: datetime, limit: int) -> list[OutboxEvent]:
    return list(
        db.session.scalars(
            select(OutboxEvent)
            .where(
                OutboxEvent.kind == "search",
                OutboxEvent.processed_at.is_(None),
                OutboxEvent.available_at <= now,
                or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
            )
            .order_by(OutboxEvent.id)
            .limit(limit)
        )
    )


def drain_search_outbox(now: datetime, *, limit: int = BATCH, blocking: bool = False) -> int:
    """Apply pending search events to the index in one batch.

    :param now: the time events are marked processed at (and retried after).
    :param blocking: wait for the writer lock instead of leaving the work to its holder.
    :returns: how many events were applied (0 also when another writer holds the lock).
    """
    backend = get_backend()
    with backend.writer_lock(blocking=blocking) as acquired:
        if not acquired:
            return 0
        try:
            return _drain_batch(backend, now, limit)
        except BaseException:
            db.session.rollback()
            raise


def _drain_batch(backend, now: datetime, limit: int) -> int:
    events = _pending(now, limit)
    if not events:
        db.session.rollback()
        return 0
    upserts, deletes, failed = {}, set(), {}
    for key in dict.fromkeys((e.payload.get("type"), e.payload.get("id")) for e in events):
        try:
            index_key, document = document_for(*key)
        except Exception as exc:  # one broken document must not block the others
            log.warning("search document %s failed: %s", key, exc)
            failed[key] = f"{type(exc).__name__}: {exc}"[:2000]
            continue
        if document is None:
            deletes.add(index_key)
            upserts.pop(index_key, None)
        else:
            upserts[index_key] = document
            deletes.discard(index_key)
    # An erasure asks for a purge: the index files must not keep the old documents either.
    purge = any(event.payload.get("purge") for event in events)
    backend.apply(upserts.values(), deletes, purge=purge)
    _results_changed()
    done = 0
    for outbox_event in events:
        error = failed.get((outbox_event.payload.get("type"), outbox_event.payload.get("id")))
        if error is None:
            outbox_event.processed_at = now
            done += 1
        else:
            outbox_event.attempts += 1
            outbox_event.last_error = error
            backoff = timedelta(seconds=30 * 2**outbox_event.attempts)
            outbox_event.available_at = now + min(backoff, MAX_BACKOFF)
        outbox_event.claimed_until = None
    db.session.commit()
    return done


def drain_all(now: datetime, *, blocking: bool = True) -> int:
    """Drain batch after batch until no event is pending (CLI, tests)."""
    total = 0
    while handled := drain_search_outbox(now, blocking=blocking):
        total += handled
    return total


def _handle_one(payload: dict) -> None:
    """Outbox handler for ``flask outbox drain``: one document, under the same writer lock."""
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        key, document = document_for(payload["type"], payload["id"])
        purge = bool(payload.get("purge"))
        backend.apply([document] if document else [], [] if document else [key], purge=purge)
        _results_changed()


def _results_changed() -> None:
    """The index changed after the commit that bumped the content version: bump it again, so
    no search result (or page) cached in between outlives the index it came from."""
    if current_app.extensions.get("page_cache_on"):
        pagecache.bump_content_version(current_app._get_current_object())


class BackgroundIndexer:
    """A daemon thread per process that drains the search outbox soon after each commit."""

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid: int | None = None
        self._start_lock = threading.Lock()

    def ensure_started(self) -> None:
        # A forked worker (gunicorn --preload) inherits the object but not the thread.
        if self.thread is not None and self.pid == os.getpid() and self.thread.is_alive():
            return
        with self._start_lock:
            if self.thread is not None and self.pid == os.getpid() and self.thread.is_alive():
                return
            self.pid = os.getpid()
            self.stopping.clear()
            self.thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)
            self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        interval = self.app.config["SEARCH_DRAIN_SECONDS"]
        while not self.stopping.is_set():
            self.wake.wait(interval)
            self.wake.clear()
            if self.stopping.is_set():
                break
            try:
                with self.app.app_context():
                    while drain_search_outbox(utcnow()) >= BATCH:
                        pass
                    # Page views and searches counted since the last round (app.tallies).
                    tallies.flush_if_due(utcnow())
                    db.session.remove()
            except Exception:  # keep the thread alive; the events stay pending
                log.exception("search indexer failed; retrying")


def _note_search_event(session: Session, _context, _instances) -> None:
    if any(isinstance(o, OutboxEvent) and o.kind == "search" for o in session.new):
        session.info["search_changed"] = True


def _after_commit(session: Session) -> None:
    if session.info.pop("search_changed", False):
        try:
            indexer = current_app.extensions.get("search_indexer")
        except RuntimeError:  # no application context: nothing to wake
            return
        if indexer is not None:
            # Also starts it in a process that has served no site page (the API skips the
            # site's request hooks, where it is otherwise started).
            indexer.ensure_started()
            indexer.wake.set()


def _after_rollback(session: Session) -> None:
    session.info.pop("search_changed", None)


_listening = False


def init_app(app: Flask) -> None:
    """Register the outbox handler and, unless switched off, the background indexer."""
    global _listening
    register_handler(app, "search", _handle_one, inline=False)
    if not _listening:
        # Listens on the Session class, so it is shared by every app; it looks up the app's own
        # indexer from the application context.
        sa_event.listen(Session, "before_flush", _note_search_event)
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_rollback", _after_rollback)
        _listening = True
    if not app.config["SEARCH_BACKGROUND_INDEXER"]:
        return
    indexer = app.extensions["search_indexer"] = BackgroundIndexer(app)
    app.before_request(indexer.ensure_started)
