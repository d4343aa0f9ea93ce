"""``flask chat tick``: chats that waited too long become ordinary requests."""

from __future__ import annotations

import time
from datetime import UTC

import click
from flask.cli import AppGroup

from app.channels.chat import delivery
from app.models import utcnow
from app.outbox import commit

chat_cli = AppGroup("chat", help="Live chat.")


@chat_cli.command("tick", help="Hand over chats nobody accepted within CHAT_WAIT_TIMEOUT_MINUTES.")
@click.option("--every", type=float, default=None, help="Keep running, every N seconds.")
@click.option(
    "--at",
    "at",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    hidden=True,
    help="Run once as if it were this UTC time (drills and browser tests).",
)
def tick(every: float | None, at) -> None:
    if at is not None and every is not None:
        raise click.UsageError("--at runs once; it can't be combined with --every.")
    while True:
        handed = delivery.tick(at.replace(tzinfo=UTC) if at is not None else utcnow())
        commit()
        click.echo(f"{handed} chat(s) handed over to requests.")
        if every is None or at is not None:
            return
        time.sleep(every)
