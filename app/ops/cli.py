"""``flask backup create`` and ``flask backup restore`` (see ``docs/deploy.md``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.models import utcnow
from app.ops import backup

backup_cli = AppGroup("backup", help="Back up the database and restore a backup.")


@backup_cli.command("create", help="Write a consistent copy of the database.")
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: BACKUP_DIR/helpcenter-<UTC time>.sqlite3 or .pgdump).",
)
def create_command(target: Path | None) -> None:
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if target is None:
        configured = current_app.config["BACKUP_DIR"]
        folder = Path(configured) if configured else Path(current_app.instance_path) / "backups"
        target = backup.default_path(folder, db.engine.dialect.name, utcnow())
    try:
        written = backup.create(url, target)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"backup written to {written} ({written.stat().st_size} bytes)")


@backup_cli.command("restore", help="Replace the database's contents with a backup.")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Don't ask for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    url = db.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {url} with {source}?", abort=True)
    try:
        backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"restored {source}; now run `flask search rebuild` (the index is not in a backup)")
