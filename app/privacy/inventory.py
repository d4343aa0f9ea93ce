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


def inventory() -> list[TableEntry]:
    """Every table of the application's metadata with its classified columns, sorted by name.

    :returns: one :class:`TableEntry` per table; a column nobody classified appears with
        ``rule`` :attr:`Rule.NOT_PERSONAL` and the note "UNCLASSIFIED" (and in
        :func:`unclassified_columns`).
    """
    raise NotImplementedError


def unclassified_columns() -> list[str]:
    """``"table.column"`` for every column of the models that the inventory does not classify.

    An empty list is the invariant the completeness test holds the code to.
    """
    raise NotImplementedError
