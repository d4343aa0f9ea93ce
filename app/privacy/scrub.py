"""Removing a person's name, addresses and private texts from every text column.

After erasure the kept rows (agent replies, subjects, ticket events, moderation notes, outbox
payloads, other people's posts that mention them) must not name them. Every text and JSON
column of every table is searched (a ``LIKE`` per column and term, one query per table: a slow,
rare operation) and each occurrence replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Text, cast, delete, func, or_, select, update

from app.extensions import db
from app.privacy.rows import Deletion, chunks, keys_where

#: Shortest name or text that is scrubbed: shorter ones would match ordinary words.
MIN_TERM = 3
#: Shortest line of a private text searched for elsewhere.
MIN_PHRASE = 8
_TEXT_TYPES = (sa.String, sa.Text, sa.JSON)


@dataclass(frozen=True)
class Term:
    text: str
    replacement: str
    #: Match whole words only (names); addresses and texts match anywhere.
    words: bool = False

    def pattern(self) -> re.Pattern:
        escaped = re.escape(self.text)
        return re.compile(rf"(?<!\w){escaped}(?!\w)" if self.words else escaped, re.IGNORECASE)


def phrases_of(texts: list[str]) -> list[str]:
    """The lines of private texts worth looking for (long enough not to be common words)."""
    lines = {line.strip() for text in texts for line in text.splitlines()}
    return sorted((line for line in lines if len(line) >= MIN_PHRASE), key=len, reverse=True)


def _replace(value, patterns: list[tuple[re.Pattern, str]]):
    if isinstance(value, str):
        for pattern, replacement in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_replace(item, patterns) for item in value]
    if isinstance(value, dict):
        return {_replace(k, patterns): _replace(v, patterns) for k, v in value.items()}
    return value


def scrub_everywhere(terms: list[Term], deletion: Deletion) -> dict[str, set]:
    """Replace every term in every text and JSON column of every table.

    One query per table finds the rows where any text column holds any term; each such row is
    rewritten in Python. A row whose primary key itself holds a term (a search word) is
    deleted instead.

    :returns: the primary keys of the changed rows per table (for re-indexing).
    """
    terms = [term for term in terms if len(term.text) >= MIN_TERM]
    if not terms:
        return {}
    patterns = [(term.pattern(), term.replacement) for term in terms]
    changed: dict[str, set] = {}
    for table in db.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        columns = [c for c in table.columns if isinstance(c.type, _TEXT_TYPES)]
        if not columns:
            continue
        # All the row's text in one lower-cased string: one LIKE per term, not per column too.
        text = func.coalesce(cast(columns[0], Text), "")
        for column in columns[1:]:
            text = text + "\n" + func.coalesce(cast(column, Text), "")
        text = func.lower(text)
        matches = or_(*(text.contains(term.text.lower(), autoescape=True) for term in terms))
        for row in db.session.execute(select(*keys, *columns).where(matches)).all():
            key, values = tuple(row[: len(keys)]), row[len(keys) :]
            where = sa.and_(*(k == v for k, v in zip(keys, key, strict=True)))
            new = {
                column.name: _replace(value, patterns)
                for column, value in zip(columns, values, strict=True)
            }
            if any(new[c.name] != v for c, v in zip(columns, values, strict=True) if c.primary_key):
                gone = db.session.execute(delete(table).where(where)).rowcount
                deletion.add(table.name, "deleted", gone)
                continue
            new = {
                name: value
                for (name, value), old in zip(new.items(), values, strict=True)
                if value != old
            }
            if new:
                db.session.execute(update(table).where(where).values(new))
                deletion.add(table.name, "scrubbed", 1)
                changed.setdefault(table.name, set()).add(key[0] if len(key) == 1 else key)
    return changed


def ids_where(table: sa.Table, column: str, values: list) -> list:
    """Primary keys of the rows whose ``column`` is one of ``values``."""
    return [
        key
        for batch in chunks(list(values))
        for key in keys_where(table, table.c[column].in_(batch))
    ]
