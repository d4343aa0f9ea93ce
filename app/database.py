"""Engine settings per database: SQLite gets foreign keys, WAL and a busy timeout so that a
development server, the CLI and the ticket timer can share one file. Also: files written for rows
of a transaction that never commits are removed with it (:func:`file_pending_commit`)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


_PENDING_FILES = "files_pending_commit"


def file_pending_commit(path: Path) -> None:
    """Note a file just written for rows of the current transaction.

    If the transaction ends without a commit (an error, a rollback, a request that fails
    later), the file is deleted, so no file on disk is left without its row.
    """
    db.session.info.setdefault(_PENDING_FILES, []).append(path)


def _files_committed(session: Session) -> None:
    session.info.pop(_PENDING_FILES, None)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the list is gone (after_commit runs first); only the outermost
    # transaction counts, a savepoint's end says nothing about the rows.
    if transaction.parent is None:
        for path in session.info.pop(_PENDING_FILES, []):
            path.unlink(missing_ok=True)


def init_app(app: Flask) -> None:
    # On the Session class, once for every app (like the search indexer's listeners).
    if not event.contains(Session, "after_commit", _files_committed):
        event.listen(Session, "after_commit", _files_committed)
        event.listen(Session, "after_transaction_end", _transaction_ended)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
