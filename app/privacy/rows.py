"""Deleting rows together with what depends on them, and the files that belong to rows.

Erasure and retention both delete rows that other tables point at (a ticket's messages, events,
surveys, chat, links). The foreign keys of the models say what depends on what: a nullable
reference is cleared, a required one means the dependent row goes too. Files on disk are only
deleted after the commit (an outbox event), so a rolled-back erasure keeps its files and a
crash after the commit still deletes them when the drain runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import delete, select, update

from app import outbox
from app.extensions import db

log = logging.getLogger(__name__)

#: Rows whose column names a file on disk: ``table: (file kind, column)``.
FILE_COLUMNS = {
    "ticket_attachment": ("attachment", "stored_name"),
    "channel_inbound": ("raw_mail", "raw_path"),
}
#: The outbox event that deletes files after the commit.
FILES_EVENT = "privacy_files"
_CHUNK = 500


@dataclass
class Deletion:
    """What a deletion did: rows per table and action, and the files to delete after commit."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)

    def add(self, table: str, action: str, n: int) -> None:
        if n:
            per_table = self.counts.setdefault(table, {})
            per_table[action] = per_table.get(action, 0) + n


def table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def keys_where(of: sa.Table, *conditions) -> list:
    """Primary keys of the rows matching ``conditions`` (a tuple per row where the key has
    several columns)."""
    columns = list(of.primary_key.columns)
    rows = db.session.execute(select(*columns).where(*conditions)).all()
    return [row[0] if len(columns) == 1 else tuple(row) for row in rows]


def key_in(of: sa.Table, ids: list) -> sa.ColumnElement[bool]:
    """The condition "the row's primary key is one of ``ids``"."""
    columns = list(of.primary_key.columns)
    return columns[0].in_(ids) if len(columns) == 1 else sa.tuple_(*columns).in_(ids)


def chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def referencing(target: sa.Table) -> list[tuple[sa.Table, sa.Column]]:
    """Every (table, column) with a foreign key to ``target``."""
    return [
        (other, column)
        for other in db.metadata.sorted_tables
        for column in other.columns
        if any(fk.column.table is target for fk in column.foreign_keys)
    ]


def delete_rows(target: sa.Table, ids: list, deletion: Deletion, *, depth: int = 0) -> None:
    """Delete the rows ``ids`` of ``target`` and, first, what depends on them: nullable
    references to them are cleared, rows that require them are deleted the same way.

    :raises RuntimeError: a dependency chain deeper than the schema can have (a cycle of
        required references).
    """
    ids = list(dict.fromkeys(ids))
    if not ids:
        return
    if depth > 12:
        raise RuntimeError(f"dependency chain too deep at {target.name}")
    if target.name in FILE_COLUMNS:
        kind, column_name = FILE_COLUMNS[target.name]
        for batch in chunks(ids):
            names = db.session.scalars(
                select(target.c[column_name]).where(
                    key_in(target, batch), target.c[column_name] != ""
                )
            )
            deletion.files += [(kind, name) for name in names if name]
    required = []
    for other, column in referencing(target):
        if column.nullable:
            for batch in chunks(ids):
                cleared = db.session.execute(
                    update(other).where(column.in_(batch)).values({column.name: None})
                ).rowcount
                deletion.add(other.name, "unlinked", cleared)
        elif other is not target:
            required.append((other, column))
    for other, column in required:
        dependent = [key for batch in chunks(ids) for key in keys_where(other, column.in_(batch))]
        delete_rows(other, dependent, deletion, depth=depth + 1)
    for batch in chunks(ids):
        gone = db.session.execute(delete(target).where(key_in(target, batch))).rowcount
        deletion.add(target.name, "deleted", gone)


def delete_files_after_commit(files: list[tuple[str, str]], now: datetime) -> None:
    """Record the files to delete once this transaction commits (see :func:`delete_files`)."""
    if files:
        outbox.record(FILES_EVENT, {"files": [list(item) for item in files]}, now)


def delete_files(payload: dict) -> None:
    """Outbox handler: delete the files of rows that are gone. An original e-mail is shared by
    every delivery of the same bytes, so it stays while any inbound row still names it."""
    from app.channels.email.receiving import raw_dir
    from app.tickets.attachments import path_of

    inbound = table("channel_inbound")
    for kind, name in payload["files"]:
        if kind == "attachment":
            path_of(name).unlink(missing_ok=True)
        elif kind == "raw_mail":
            if db.session.scalar(select(inbound.c.id).where(inbound.c.raw_path == name).limit(1)):
                continue
            path = (raw_dir() / name).resolve()
            if path.is_relative_to(raw_dir().resolve()):
                path.unlink(missing_ok=True)
        else:
            log.warning("unknown file kind %s in %s", kind, FILES_EVENT)
