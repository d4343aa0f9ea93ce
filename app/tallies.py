"""Counts taken while serving a page (article views, logged searches), written to the database
every few seconds instead of inside the request.

A page that only reads must not write: a write per view serialises readers on SQLite, holds a
row lock on PostgreSQL and makes an anonymous page as slow as the database's commit. So a view
adds one to a tally (:func:`add`), and the background machinery (each web process's indexer
thread, ``flask outbox drain``, a gunicorn worker on its way out) calls :func:`flush`, which
hands each kind's counts to the flusher its feature registered and commits them together.

Where tallies live:
- in the process (default, or whenever ``CACHE_REDIS_URL`` is empty): a killed process loses what
  it counted since its last flush, at most ``TALLY_FLUSH_SECONDS`` of that one process;
- in Redis (``CACHE_REDIS_URL``): counts survive a killed worker and are flushed by whichever
  process comes first. A flush renames the kind's hash to a batch key and records the batch id in
  ``tally_batch`` in the same transaction as the counts, so a flusher killed between its commit
  and deleting the batch never makes another flusher add that batch twice.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

log = logging.getLogger(__name__)

#: A Redis batch older than this was left by a flusher that died; another one takes it over.
ORPHAN_SECONDS = 60
#: Applied batch ids are kept this long (far longer than any flush could take).
BATCH_RECORD_DAYS = 2

Key = tuple
Flusher = Callable[[dict[Key, int], datetime], None]


class TallyBatch(db.Model):
    """A Redis batch of counts already written: its id commits with the counts themselves."""

    __tablename__ = "tally_batch"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    applied_at: Mapped[datetime]


class MemoryTallies:
    """Counts of this process only, under a lock (gthread workers count from several threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter] = {}

    def add(self, kind: str, key: Key, amount: int = 1) -> None:
        with self._lock:
            self._counts.setdefault(kind, Counter())[key] += amount

    def flush(self, kind: str, apply: Callable[[dict[Key, int], str | None], None]) -> int:
        with self._lock:
            taken = self._counts.pop(kind, None)
        if not taken:
            return 0
        try:
            apply(dict(taken), None)
        except BaseException:
            with self._lock:  # not written: counted again at the next flush
                self._counts.setdefault(kind, Counter()).update(taken)
            raise
        return sum(taken.values())


class RedisTallies:
    """Counts in one Redis hash per kind, shared by every process and host."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def add(self, kind: str, key: Key, amount: int = 1) -> None:
        self.client.hincrby(f"{self.prefix}:{kind}", json.dumps(list(key)), amount)

    def flush(self, kind: str, apply: Callable[[dict[Key, int], str | None], None]) -> int:
        live = f"{self.prefix}:{kind}"
        batch = f"{self.prefix}:{kind}:batch:{int(time.time())}:{uuid.uuid4().hex}"
        try:
            self.client.rename(live, batch)
        except Exception as exc:  # redis.ResponseError "no such key": nothing counted
            if "no such key" not in str(exc).lower():
                raise
        total = 0
        cutoff = time.time() - ORPHAN_SECONDS
        for name in self.client.scan_iter(f"{self.prefix}:{kind}:batch:*"):
            name = name.decode()
            if name != batch and int(name.split(":")[-2]) > cutoff:
                continue  # another flusher's batch, still being written
            raw = self.client.hgetall(name)
            counts = {tuple(json.loads(k)): int(v) for k, v in raw.items()}
            if counts:
                apply(counts, name)
                total += sum(counts.values())
            self.client.delete(name)
        return total


def _store(app: Flask):
    return app.extensions["tallies"]


def add(kind: str, key: Key, amount: int = 1) -> None:
    """Count ``amount`` for ``key`` (a tuple of JSON-able values) of ``kind``; never raises."""
    try:
        _store(current_app).add(kind, key, amount)
    except Exception:  # a lost count must never cost the reader the page
        log.warning("tally %s could not be counted", kind, exc_info=True)


def register_flusher(app: Flask, kind: str, flusher: Flusher) -> None:
    """Say who writes counts of ``kind``: ``flusher(counts, now)`` adds them to the session."""
    app.extensions.setdefault("tally_flushers", {})[kind] = flusher


def flush(now: datetime) -> int:
    """Write every kind's counts, one transaction per batch.

    :returns: how many counts were written.
    """
    app = current_app._get_current_object()
    total = 0
    for kind, flusher in app.extensions.get("tally_flushers", {}).items():

        def apply(counts: dict[Key, int], batch: str | None, flusher=flusher) -> None:
            try:
                if batch is not None:
                    db.session.add(TallyBatch(id=batch[-80:], applied_at=now))
                    db.session.flush()
                flusher(counts, now)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                if batch is None:
                    raise
                # This batch was written by a flusher that died before deleting it.
                log.info("tally batch %s was already written", batch)
            except BaseException:
                db.session.rollback()
                raise

        total += _store(app).flush(kind, apply)
    db.session.execute(
        delete(TallyBatch).where(TallyBatch.applied_at < now - timedelta(days=BATCH_RECORD_DAYS))
    )
    db.session.commit()
    return total


_last_flush = {"at": 0.0}


def flush_if_due(now: datetime) -> int:
    """:func:`flush` when ``TALLY_FLUSH_SECONDS`` have passed since this process's last one
    (the web processes' background indexer calls this on each of its rounds)."""
    if time.monotonic() - _last_flush["at"] < current_app.config["TALLY_FLUSH_SECONDS"]:
        return 0
    _last_flush["at"] = time.monotonic()
    return flush(now)


def init_app(app: Flask) -> None:
    app.config.setdefault("TALLY_FLUSH_SECONDS", 5.0)
    url = app.config.get("CACHE_REDIS_URL") or ""
    prefix = f"{app.config.get('CACHE_KEY_PREFIX') or 'helpcenter:'}tally"
    app.extensions["tallies"] = RedisTallies(url, prefix) if url else MemoryTallies()
