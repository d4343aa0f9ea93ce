"""The done-when test of issue 24: export a person with data in every feature, check the archive
against the database, erase them, then find their e-mail, name and private words nowhere."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import select

from app.extensions import db
from app.outbox import commit
from app.privacy.erasure import PLACEHOLDER_NAME, erase_person
from app.privacy.export import build_export
from app.privacy.inventory import inventory
from app.search.backend import get_backend
from app.search.indexer import drain_all

from .conftest import MARKERS

#: Tables the person has rows in (the fixture fills every feature).
EXPECTED_IN_ARCHIVE = {
    "user_account", "login_session", "api_token", "ticket", "ticket_message",
    "ticket_attachment", "ticket_event", "ticket_deflection", "forum_thread", "forum_post",
    "forum_like", "forum_flag", "forum_subscription", "wiki_revision", "wiki_watch", "kb_vote",
    "kb_guide_outcome", "tour_progress", "chat_conversation", "chat_message",
    "channel_identity", "channel_inbound", "social_conversation", "csat_survey", "csat_answer",
    "nps_invitation", "feedback_preference",
}  # fmt: skip


def _theirs_in_database(user_id: int) -> dict[str, set]:
    """What the inventory says is theirs, read straight from the tables (owner columns, then
    children through ``via``), independent of the export's own code."""
    rows: dict[str, set] = {}
    entries = [entry for entry in inventory() if entry.kind]
    for entry in entries:
        table = db.metadata.tables[entry.table]
        key = next(iter(table.primary_key.columns))
        found = set()
        for owner in entry.owner_columns:
            found |= set(db.session.scalars(select(key).where(table.c[owner] == user_id)))
        rows[entry.table] = found
    for _ in range(3):
        for entry in entries:
            if entry.via and rows.get(entry.via[1]):
                table = db.metadata.tables[entry.table]
                key = next(iter(table.primary_key.columns))
                column = table.c[entry.via[0]]
                rows[entry.table] |= set(
                    db.session.scalars(select(key).where(column.in_(rows[entry.via[1]])))
                )
    for entry in entries:
        table = db.metadata.tables[entry.table]
        key = next(iter(table.primary_key.columns))
        for name, value in entry.export_filter:
            rows[entry.table] = {
                row_id for row_id in rows[entry.table]
                if db.session.scalar(select(table.c[name]).where(key == row_id)) == value
            }  # fmt: skip
    return {name: ids for name, ids in rows.items() if ids}


def _archive_rows(archive: zipfile.ZipFile) -> dict[str, set]:
    rows: dict[str, set] = {}
    for name in archive.namelist():
        if name.endswith(".json") and name != "manifest.json":
            for table, items in json.loads(archive.read(name)).items():
                key = next(iter(db.metadata.tables[table].primary_key.columns)).name
                rows.setdefault(table, set()).update(item[key] for item in items)
    return {name: ids for name, ids in rows.items() if ids}


def _needles(person) -> list[str]:
    return [person.email.lower(), person.name.lower(), "zorblaxq", *MARKERS.values()]


def _database_hits(needles: list[str]) -> list[str]:
    """Every text value of every table (the schema as the database has it) that holds one."""
    reflected = sa.MetaData()
    reflected.reflect(bind=db.engine)
    hits = []
    with db.engine.connect() as connection:
        for table in reflected.tables.values():
            for row in connection.execute(table.select()):
                for column, value in row._mapping.items():
                    text = json.dumps(value) if isinstance(value, dict | list) else str(value)
                    hits += [f"{table.name}.{column}: {n}" for n in needles if n in text.lower()]
    return hits


def _folder_hits(folder: Path, needles: list[str]) -> list[str]:
    hits = []
    for path in folder.rglob("*") if folder.exists() else []:
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace").lower() + path.name.lower()
            hits += [f"{path.name}: {n}" for n in needles if n in text]
    return hits


def _index_hits(needles: list[str]) -> list[str]:
    """Every stored field of every live document of the real Whoosh index."""
    hits = []
    with get_backend().store.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            text = json.dumps(fields, default=str).lower()
            hits += [f"{fields.get('key')}: {n}" for n in needles if n in text]
    return hits


def test_export_has_everything_then_erasure_leaves_nothing(app, client, person, now, tmp_path,
                                                           caplog):  # fmt: skip
    caplog.set_level(logging.DEBUG)
    needles = _needles(person)
    with app.app_context():
        # The fixture really put the person everywhere (or this test proves nothing).
        assert _database_hits(needles) and _index_hits([person.name.lower()])
        progress = []
        path = build_export(person.user_id, tmp_path, lambda done, total: progress.append(done))
        expected = _theirs_in_database(person.user_id)
    assert progress[-1] == len(progress)
    with zipfile.ZipFile(path) as archive:
        assert _archive_rows(archive) == expected
        assert set(expected) >= EXPECTED_IN_ARCHIVE
        names = archive.namelist()
        everything = b"".join(archive.read(name) for name in names).decode("utf-8", "replace")
    assert f"attachments/{person.ids['attachment']}-{MARKERS['attachment']}.pdf" in names
    assert any(name.startswith("wiki/") and name.endswith(".md") for name in names)
    assert any(name.startswith("mail/") and name.endswith(".eml") for name in names)
    assert [marker for marker in MARKERS.values() if marker not in everything] == []
    assert "password_hash" not in everything and "token_hash" not in everything

    with app.app_context():
        report = erase_person(person.user_id, now=now)
        commit()
        drain_all(now)
        assert report.changed and report.counts["user_account"]["deleted"] == 1
        assert _database_hits(needles) == []
        assert _index_hits(needles) == []
    assert _folder_hits(Path(app.config["TICKET_ATTACHMENT_DIR"]), needles) == []
    assert _folder_hits(Path(app.config["EMAIL_RAW_DIR"]), needles) == []
    # The index files too: the old versions of the documents are merged away.
    assert _folder_hits(Path(app.config["SEARCH_INDEX_DIR"]), needles) == []
    logged = "\n".join(record.getMessage().lower() for record in caplog.records)
    assert [n for n in needles if n in logged] == []

    page = client.get(f"/community/t/{person.ids['thread']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert person.public_post_text in html and PLACEHOLDER_NAME in html
    assert person.name not in html
