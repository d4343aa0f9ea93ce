"""A person's data as a machine-readable archive (GDPR Art. 15 and 20).

Driven by the inventory: every table with owner columns contributes the person's rows, so a new
table is not silently missed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import pathlib
import re
import secrets
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.privacy.inventory import PERSON_TABLE, Rule, TableEntry, inventory
from app.privacy.rows import chunks, key_in, keys_where, table
from app.privacy.scrub import ids_where

#: Archive layout version, in manifest.json.
FORMAT = 1


def owned_rows(user_id: int, entries: list[TableEntry] | None = None) -> dict[str, list]:
    """Primary keys of every row the inventory says is the person's, per table: rows whose
    owner column names them, and rows of those rows' children (``via``), filtered by the
    table's export filter."""
    entries = entries if entries is not None else inventory()
    owned: dict[str, list] = {}
    for entry in entries:
        target = table(entry.table)
        if entry.owner_columns:
            owners = [target.c[name] == user_id for name in entry.owner_columns]
            owned[entry.table] = keys_where(target, sa.or_(*owners))
    pending = [entry for entry in entries if entry.via]
    # Parents first: a child's parent may itself be reached through its own parent.
    for _round in range(3):
        for entry in pending:
            parent_ids = owned.get(entry.via[1]) or []
            found = ids_where(table(entry.table), entry.via[0], parent_ids)
            owned[entry.table] = list(dict.fromkeys([*owned.get(entry.table, []), *found]))
    for entry in entries:
        if entry.export_filter and owned.get(entry.table):
            target = table(entry.table)
            conditions = [target.c[name] == value for name, value in entry.export_filter]
            owned[entry.table] = [
                key
                for batch in chunks(owned[entry.table])
                for key in keys_where(target, key_in(target, batch), *conditions)
            ]
    return {name: sorted(ids) for name, ids in owned.items() if ids}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _exported_columns(entry: TableEntry) -> list[str]:
    """Everything but the hidden columns (hashes, nonces, encrypted tokens)."""
    return [c.name for c in entry.columns if not (c.rule == Rule.DELETE and not c.personal)]


def _rows(entry: TableEntry, ids: list) -> list[dict]:
    target = table(entry.table)
    columns = [target.c[name] for name in _exported_columns(entry)]
    rows = []
    for batch in chunks(ids):
        statement = select(*columns).where(key_in(target, batch))
        for row in db.session.execute(statement.order_by(*target.primary_key.columns)):
            rows.append({name: _plain(value) for name, value in row._mapping.items()})
    return rows


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:80] or "file"


def _add_files(archive: zipfile.ZipFile, kinds: dict[str, dict[str, list]], user_id: int) -> None:
    """Attachments as files, the person's own wiki Markdown as .md, kept .eml originals."""
    from app.channels.email.receiving import read_original
    from app.tickets.attachments import path_of

    for row in kinds.get("tickets", {}).get("ticket_attachment", []):
        path = path_of(row["stored_name"])
        if path.exists():
            archive.write(path, f"attachments/{row['id']}-{_safe_name(row['filename'])}")
    for row in kinds.get("wiki", {}).get("wiki_revision", []):
        if row["author_id"] == user_id:
            archive.writestr(f"wiki/page-{row['page_id']}-revision-{row['number']}.md", row["body"])
    for row in kinds.get("channels", {}).get("channel_inbound", []):
        if row.get("raw_path"):
            # The original may not be kept (or retention removed it).
            with contextlib.suppress(NotFound):
                archive.writestr(f"mail/{row['id']}.eml", read_original(row["raw_path"]))


def build_export(
    user_id: int,
    dest_dir: pathlib.Path,
    progress: Callable[[int, int], None] | None = None,
) -> pathlib.Path:
    """Write the person's data to a new .zip in ``dest_dir`` and return its path.

    The archive holds one JSON file per kind (account, tickets with messages and events, forum,
    wiki, kb, chat, channels, social, surveys, search, api tokens without secrets, sessions,
    follows/watches, team), the ticket attachments as files, the person's own wiki Markdown as
    ``.md`` files, and the original ``.eml`` of inbound mail where it is kept. Which rows go in
    is decided by the inventory (:func:`owned_rows`), so a new table is not silently missed.

    Reads only; the caller's transaction is left untouched.

    :param user_id: the person whose data is exported.
    :param dest_dir: an existing directory the archive is written into.
    :param progress: called with ``(done, total)`` kinds as the archive grows.
    :raises app.errors.NotFound: no account with that id.
    """
    entries = [entry for entry in inventory() if entry.kind]
    owned = owned_rows(user_id, entries)
    if not owned.get(PERSON_TABLE):
        raise NotFound("There is no account with that id.")
    kinds: dict[str, dict[str, list]] = {}
    for entry in entries:
        kinds.setdefault(entry.kind, {})
    total = len(kinds) + 1
    path = dest_dir / f"data-export-{user_id}-{secrets.token_hex(8)}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, kind in enumerate(sorted(kinds), start=1):
            for entry in entries:
                if entry.kind == kind:
                    kinds[kind][entry.table] = _rows(entry, owned.get(entry.table, []))
            archive.writestr(f"{kind}.json", json.dumps(kinds[kind], indent=2, sort_keys=True))
            if progress is not None:
                progress(done, total)
        _add_files(archive, kinds, user_id)
        manifest = {
            "format": FORMAT,
            "user_id": user_id,
            "kinds": sorted(kinds),
            "rows": {name: len(ids) for name, ids in sorted(owned.items())},
            # Personal data that names nobody (anonymous search logs...): not exportable.
            "not_linkable": {
                entry.table: entry.note
                for entry in inventory()
                if not entry.owner_columns
                and not entry.via
                and any(c.personal for c in entry.columns)
            },
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    if progress is not None:
        progress(total, total)
    return path
