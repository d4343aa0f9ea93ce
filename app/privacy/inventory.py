"""The data inventory, generated from the models.

Every column of every table is classified: is it personal data, and which rule applies to it
(export, anonymise, delete, retain N months, not personal). Every table says how a row belongs
to a person (its owner columns). A column nobody classified is reported by
:func:`unclassified_columns`, and a test fails on it, so a new model cannot silently hold
personal data that export and erasure miss.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, has_app_context

from app.extensions import db
from app.privacy.classification import ROW_POINTERS, TABLES, TableSpec


class Rule(enum.StrEnum):
    """What export and erasure do with a column."""

    #: Personal, exported, and removed from the row on erasure (set to NULL / blank / redacted).
    ANONYMISE = "anonymise"
    #: Personal; the whole row is exported and then deleted on erasure.
    DELETE = "delete"
    #: Personal; exported, kept for the retention period with the person's data scrubbed.
    RETAIN = "retain"
    #: Exported as the person's own data, but not personal in itself (ids, timestamps, states).
    EXPORT = "export"
    #: Not personal data: not exported, not touched.
    NOT_PERSONAL = "not personal"


@dataclass(frozen=True)
class ColumnEntry:
    name: str
    personal: bool
    rule: Rule
    #: Why, for the admin page and docs/privacy.md.
    note: str = ""


@dataclass(frozen=True)
class TableEntry:
    #: The table's name in the database.
    table: str
    #: Columns that tie a row to a person (user ids); empty when no row belongs to anyone.
    owner_columns: tuple[str, ...]
    #: What erasure does with the person's rows: "delete", "anonymise", "retain" or "none".
    row_rule: str
    columns: tuple[ColumnEntry, ...] = field(default_factory=tuple)
    #: Retention in months for "retain" tables (None: kept).
    retain_months: int | None = None
    note: str = ""
    #: The export file the person's rows go into (None: not exported).
    kind: str | None = None
    #: ``(column, parent table)``: the rows of the person's parent rows are theirs too.
    via: tuple[str, str] | None = None
    #: Column values a row must have to be exported (internal notes are not).
    export_filter: tuple[tuple[str, object], ...] = ()
    #: Columns holding ids of people: moved to the placeholder (or cleared) on erasure.
    person_columns: tuple[str, ...] = ()

    def column(self, name: str) -> ColumnEntry:
        return next(entry for entry in self.columns if entry.name == name)

    def columns_with(self, rule: Rule, *, personal: bool | None = None) -> list[str]:
        return [
            c.name
            for c in self.columns
            if c.rule == rule and (personal is None or c.personal == personal)
        ]


UNCLASSIFIED = "UNCLASSIFIED"
PERSON_TABLE = "user_account"
_WORD_TYPES = (sa.String, sa.Text, sa.JSON, sa.LargeBinary)


def is_person_column(column: sa.Column) -> bool:
    """A foreign key to an account."""
    return any(fk.column.table.name == PERSON_TABLE for fk in column.foreign_keys)


def _needs_words(table: str, column: sa.Column) -> bool:
    """Columns whose type lets them hold personal data, or whose name says they may point at a
    person: they must be classified by hand."""
    if isinstance(column.type, _WORD_TYPES):
        return True
    pointer = column.name.endswith("_id") and not column.foreign_keys and not column.primary_key
    return pointer and column.name not in ROW_POINTERS.get(table, ())


def _personal_rule(rows: str) -> Rule:
    return {"delete": Rule.DELETE, "retain": Rule.RETAIN}.get(rows, Rule.ANONYMISE)


def _classify(spec: TableSpec, table: sa.Table, column: sa.Column) -> ColumnEntry:
    name = column.name
    structural = Rule.EXPORT if spec.kind else Rule.NOT_PERSONAL
    if is_person_column(column) or name in spec.link:
        if name in spec.owner:
            return ColumnEntry(name, True, _personal_rule(spec.rows), "the row's owner")
        return ColumnEntry(name, True, Rule.ANONYMISE, "a person: moved to the placeholder")
    if name in spec.owner:  # user_account.id
        return ColumnEntry(name, True, Rule.DELETE, "the person's id")
    if name in spec.personal:
        return ColumnEntry(name, True, _personal_rule(spec.rows))
    if name in spec.kept:
        return ColumnEntry(name, True, Rule.EXPORT, "kept under the placeholder")
    if name in spec.hidden:
        return ColumnEntry(name, False, Rule.DELETE, "never exported; goes with the row")
    if name in spec.plain or not _needs_words(table.name, column):
        return ColumnEntry(name, False, structural)
    return ColumnEntry(name, False, Rule.NOT_PERSONAL, UNCLASSIFIED)


def _retain_months(rows: str) -> int | None:
    if rows != "retain" or not has_app_context():
        return None
    return current_app.config["PRIVACY_CLOSED_TICKET_MONTHS"]


def table_entry(table: sa.Table) -> TableEntry:
    """The inventory entry of one table (every column :data:`UNCLASSIFIED` if the table is
    not in :data:`app.privacy.classification.TABLES`)."""
    spec = TABLES.get(table.name)
    if spec is None:
        columns = tuple(
            ColumnEntry(c.name, False, Rule.NOT_PERSONAL, UNCLASSIFIED) for c in table.columns
        )
        return TableEntry(table.name, (), "none", columns, note=UNCLASSIFIED)
    columns = tuple(_classify(spec, table, column) for column in table.columns)
    people = tuple(c.name for c in table.columns if is_person_column(c) or c.name in spec.link)
    return TableEntry(
        table.name, spec.owner, spec.rows, columns, _retain_months(spec.rows), spec.note,
        spec.kind, spec.via, spec.export_filter, people,
    )  # fmt: skip


def _tables(metadata: sa.MetaData | None) -> list[sa.Table]:
    return sorted((metadata or db.metadata).tables.values(), key=lambda table: table.name)


def inventory(metadata: sa.MetaData | None = None) -> list[TableEntry]:
    """Every table of the application's metadata with its classified columns, sorted by name.

    :param metadata: the tables to classify (default: the application's models).
    :returns: one :class:`TableEntry` per table; a column nobody classified appears with
        ``rule`` :attr:`Rule.NOT_PERSONAL` and the note :data:`UNCLASSIFIED` (and in
        :func:`unclassified_columns`).
    """
    return [table_entry(table) for table in _tables(metadata)]


def unclassified_columns(metadata: sa.MetaData | None = None) -> list[str]:
    """``"table.column"`` for every column of the models that the inventory does not classify.

    An empty list is the invariant the completeness test holds the code to.
    """
    return [
        f"{entry.table}.{column.name}"
        for entry in inventory(metadata)
        for column in entry.columns
        if column.note == UNCLASSIFIED
    ]


def stale_classifications(metadata: sa.MetaData | None = None) -> list[str]:
    """Names in the classification that no model has (a renamed or dropped column)."""
    tables = {table.name: table for table in _tables(metadata)}
    stale = [f"{name} (table)" for name in TABLES if name not in tables]
    for name, spec in TABLES.items():
        if name not in tables:
            continue
        named = {*spec.owner, *spec.personal, *spec.kept, *spec.hidden, *spec.plain, *spec.link}
        named |= {column for column, _value in spec.export_filter}
        if spec.via:
            named.add(spec.via[0])
        stale += [f"{name}.{column}" for column in sorted(named - set(tables[name].columns.keys()))]
    return stale
