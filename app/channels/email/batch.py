"""Importing received messages in batches: what ``flask mail fetch`` and the spool drain share.

One transaction per batch instead of one per message: a commit (with its fsync) costs more than
importing a 20 KB message. Each message still runs in its own savepoint
(:func:`~app.channels.email.receiving.import_message`), so an odd message is quarantined without
spoiling the others, and nothing is lost or doubled whatever stops the batch:

- the source keeps a message (unflagged in IMAP, its file in the spool) until the batch that
  imported it committed, so a crash before the commit leaves it for the next run;
- a crash after the commit but before the source forgot it imports it again, and the
  insert-on-conflict claim on its Message-ID (:func:`app.channels.inbound.claim`) makes that a
  duplicate that changes nothing.

The receipts the batch records go out through ``flask outbox drain``, not inline after the
commit: a batch is never held up by the mail server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError

from app.channels.email import spool
from app.channels.email.receiving import import_message, spool_dir
from app.extensions import db
from app.models import utcnow
from app.outbox import commit

log = logging.getLogger(__name__)
#: Messages per transaction, and the most bytes a batch holds in memory at once (a 25 MB
#: message makes a batch of its own).
BATCH_MESSAGES = 50
BATCH_BYTES = 20 * 1024 * 1024
#: Look-ups that stay the same for a batch's second or two, made once per batch.
_batch_cache: ContextVar[dict[str, Any] | None] = ContextVar("email_batch_cache", default=None)


def once_per_batch(key: str, load: Callable[[], Any]) -> Any:
    """``load()``, made once per batch (every time outside a batch)."""
    cache = _batch_cache.get()
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]


def batches(sizes: Iterable[tuple[Hashable, int]]) -> Iterator[list[Hashable]]:
    """Group keys (in order) into batches of at most :data:`BATCH_MESSAGES` messages and,
    unless one message is larger, :data:`BATCH_BYTES`."""
    batch: list[Hashable] = []
    total = 0
    for key, size in sizes:
        if batch and (len(batch) == BATCH_MESSAGES or total + size > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(key)
        total += size
    if batch:
        yield batch


def import_batch(
    messages: Sequence[tuple[Hashable, bytes]], source: str, clock: Callable[[], datetime]
) -> tuple[list[Hashable], list[Hashable]]:
    """Import ``(key, raw)`` messages in one transaction.

    :returns: the keys that are safe now (imported, duplicates, bounces, quarantined: the
        source may forget them) and the keys left for later (a transient failure).
    """
    token = _batch_cache.set({})
    try:
        _begin()
        for _key, raw in messages:
            import_message(raw, source, clock())
        commit(deliver=False)
        return [key for key, _raw in messages], []
    except (DBAPIError, OSError) as error:
        db.session.rollback()
        if len(messages) == 1:
            log.warning("message %s left for later: %s", messages[0][0], error)
            return [], [messages[0][0]]
    finally:
        _batch_cache.reset(token)
    # One message's failure (its attachment filling the disk, a lock) must not hold the rest
    # back: each alone, in its own transaction.
    done: list[Hashable] = []
    left: list[Hashable] = []
    for item in messages:
        safe, later = import_batch([item], source, clock)
        done += safe
        left += later
    return done, left


def _begin() -> None:
    """Start the batch's transaction in the database itself on SQLite.

    pysqlite begins a transaction only before a write, so the first message's savepoint
    would be the outermost transaction and its release a commit: an fsync per message, and a
    batch that is no transaction. ``BEGIN IMMEDIATE`` also takes SQLite's write lock at once
    (waiting out other writers as any write does), so no other writer can slip in between
    the batch's reads and its writes.
    """
    if db.session.get_bind().dialect.name != "sqlite":
        return
    driver = db.session.connection().connection.dbapi_connection
    if not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")


def drain_spool(clock: Callable[[], datetime] = utcnow) -> tuple[int, int]:
    """Import what the MTA's pipe spooled (``scripts/mail-receive``), a batch at a time; a
    message's file is deleted once its batch committed.

    :returns: how many were handled, and how many were left for later.
    """
    handled = left = 0
    for paths in batches(spool.waiting(spool_dir())):
        messages = []
        for path in paths:
            try:
                messages.append((path, path.read_bytes()))
            except FileNotFoundError:
                continue  # another drain imported it
        done, later = import_batch(messages, "pipe", clock)
        for path in done:
            path.unlink(missing_ok=True)
        handled, left = handled + len(done), left + len(later)
    return handled, left
