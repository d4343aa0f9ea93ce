"""Database backups: SQLite through its online backup API (a consistent copy while the site
keeps writing), PostgreSQL through ``pg_dump`` / ``pg_restore`` in their custom format.

The search index is not backed up: it is derived, and ``flask search rebuild`` makes it again
from the restored database.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from app.extensions import db


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


def default_path(folder: Path, dialect: str, now: datetime) -> Path:
    suffix = "sqlite3" if dialect == "sqlite" else "pgdump"
    return folder / f"helpcenter-{now:%Y%m%dT%H%M%SZ}.{suffix}"


def create(url: str, target: Path) -> Path:
    """Write a consistent copy of the database at ``url`` to ``target``."""
    parsed = make_url(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(f"{target} already exists; choose another path.")
    partial = target.with_name(target.name + ".partial")
    try:
        if parsed.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_file(parsed), partial)
        elif parsed.get_backend_name() == "postgresql":
            _run(pg_tool("pg_dump", _server_major()), ["--format=custom", "--file", str(partial)],
                 parsed)  # fmt: skip
        else:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {parsed.drivername}.")
        partial.replace(target)  # a file at the final name is always a whole backup
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(url: str, source: Path) -> None:
    """Replace the contents of the database at ``url`` with the backup ``source``."""
    parsed = make_url(url)
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep pages of the old database
    if parsed.get_backend_name() == "sqlite":
        if not _is_sqlite_backup(source):
            raise BackupError(f"{source} is not an SQLite backup of the Help Center.")
        _sqlite_copy(source, _sqlite_file(parsed))
    elif parsed.get_backend_name() == "postgresql":
        if source.read_bytes()[:5] != b"PGDMP":
            raise BackupError(f"{source} is not a pg_dump custom-format backup.")
        arguments = ["--clean", "--if-exists", "--single-transaction", "--exit-on-error"]
        _run(pg_tool("pg_restore", _server_major()), [*arguments, str(source)], parsed)
    else:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {parsed.drivername}.")


def _sqlite_file(parsed: URL) -> Path:
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("An in-memory SQLite database can't be backed up.")
    return Path(parsed.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    # The online backup API copies page by page under SQLite's own locking: writers may go on,
    # and the copy is one consistent state (it restarts by itself when a page changes).
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as origin:
        destination = sqlite3.connect(target)
        try:
            origin.backup(destination)
        finally:
            destination.close()
    origin.close()


def _is_sqlite_backup(path: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        connection.close()
    except sqlite3.DatabaseError:
        return False
    return found is not None


def _server_major() -> int:
    number = db.session.scalar(text("SHOW server_version_num"))
    db.session.rollback()
    return int(number) // 10000


def pg_tool(name: str, server_major: int) -> str:
    """The ``pg_dump`` / ``pg_restore`` made for the server's major version.

    A pg_dump older than the server refuses to dump it; Debian installs each version's tools
    under ``/usr/lib/postgresql/<major>/bin``, so that one is preferred to the one on PATH.
    """
    versioned = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    found = str(versioned) if versioned.is_file() else shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"(\d+)(?:\.\d+)?", version.stdout)
    if match is None or int(match.group(1)) < server_major:
        raise BackupError(
            f"{found} is version {version.stdout.strip()}, older than the server "
            f"(PostgreSQL {server_major}); install postgresql-client-{server_major}."
        )
    return found


def _run(tool: str, arguments: list[str], parsed: URL) -> None:
    # The password goes through the environment, never the command line (visible in ps).
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    target = parsed.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False
    )
    command = [tool, "--no-owner", "--no-privileges", *arguments, f"--dbname={target}"]
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise BackupError(f"{Path(tool).name} failed: {result.stderr.strip()[-2000:]}")
