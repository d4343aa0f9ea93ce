"""Bulk inserts of the derived metric tables, straight to the database driver.

A rebuild writes a row per ticket and several rollup rows per ticket; SQLAlchemy's per-value
type processing (JSON encoding, the UTC timestamp type, dates) cost more than computing them.
The values are converted here once, the way the column types would store them, and handed to
the driver's ``executemany``. Only for tables whose every row the caller builds itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import JSON, Date, Table

from app.extensions import db
from app.models import UTCDateTime

#: What SQLAlchemy's SQLite DATETIME stores (naive UTC, microseconds always written).
SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%f"


def _sqlite_instant(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime(SQLITE_INSTANT)


def _sqlite_day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_json(value) -> str | None:
    # Most documents of a rebuild are the same few (``[]``): encoded once each.
    if not value:
        return _EMPTY.get(type(value)) if value is not None else None
    return json.dumps(value)


_EMPTY = {list: "[]", dict: "{}"}


def _converters(table: Table, columns: Sequence[str], dialect: str) -> list[tuple[int, object]]:
    """``(position, function)`` for each column whose values the driver can't take as they
    are; plain numbers, text and booleans pass through."""
    result = []
    for position, name in enumerate(columns):
        kind = table.columns[name].type
        if isinstance(kind, JSON):
            if dialect == "sqlite":
                result.append((position, _sqlite_json))
            else:
                from psycopg.types.json import Json

                result.append((position, lambda value: None if value is None else Json(value)))
        elif dialect == "sqlite" and isinstance(kind, UTCDateTime):
            result.append((position, _sqlite_instant))
        elif dialect == "sqlite" and isinstance(kind, Date):
            result.append((position, _sqlite_day))
    return result


def insert_rows(table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (value tuples in ``columns`` order) into ``table``.

    :returns: rows inserted.
    """
    unknown = set(columns) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name} has no columns {sorted(unknown)}")
    connection = db.session.connection()
    dialect = connection.dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    # Names from our own table definition (checked above), never from input.
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    converters = _converters(table, columns, dialect.name)
    values = []
    for row in rows:
        if converters:
            row = list(row)
            for position, convert in converters:
                row[position] = convert(row[position])
        values.append(tuple(row))
    if not values:
        return 0
    if dialect.name == "postgresql":
        # COPY: one stream instead of a statement per row (psycopg adapts each value).
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return len(values)
    connection.exec_driver_sql(statement, values)
    return len(values)
