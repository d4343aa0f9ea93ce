"""``flask social``: key rotation for the connected accounts' tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.channels.social import services
from app.outbox import commit

social_cli = AppGroup("social", help="The social media channel (X, Facebook, Instagram).")


@social_cli.command(
    "reencrypt", help="Re-encrypt every stored token with the first key of SOCIAL_TOKEN_KEYS."
)
def reencrypt_command() -> None:
    try:
        count = services.reencrypt_tokens()
    except ValueError as exc:
        raise click.ClickException(str(exc))
    commit()
    click.echo(f"re-encrypted {count} token(s)")
