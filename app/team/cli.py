"""``flask team``: load the training paths from ``content/training/``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.errors import DomainError
from app.models import utcnow
from app.outbox import commit
from app.team import training

team_cli = AppGroup("team", help="The support team's training paths and meetings.")


@team_cli.command("load-training")
def load_training() -> None:
    """Create or update the training paths from CONTENT_DIR/training/*.yaml."""
    try:
        changes = training.load_paths(current_app.config["CONTENT_DIR"], utcnow())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    commit()
    for line in changes:
        click.echo(line)
    click.echo(f"Training paths loaded ({len(changes)} changes).")
