"""Writes that two requests may make at the same moment (a double click, two tabs, many people
liking at once). A read-then-insert lets both requests insert, so these insert with ``ON
CONFLICT DO NOTHING`` against the table's unique key: the database decides who was first, and
the loser learns it from the row count instead of a unique-constraint error."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db

_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def insert_once(model, values: dict, unique: list[str]) -> bool:
    """Insert a row unless one with the same ``unique`` columns exists or is being inserted.

    :param unique: the columns of a unique constraint (or the primary key) of ``model``.
    :returns: whether this call inserted the row.
    """
    insert = _INSERTS[db.session.get_bind().dialect.name]
    table = model.__table__
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique)
        # A row comes back only when inserted (row counts are not reported by every driver).
        .returning(*table.primary_key.columns)
    )
    return db.session.execute(statement).first() is not None
