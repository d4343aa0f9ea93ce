"""``flask chat tick``: chats that waited too long become ordinary requests."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.channels.chat import delivery
from app.models import utcnow
from app.outbox import commit

chat_cli = AppGroup("chat", help="Live chat.")


@chat_cli.command("tick")
@click.option("--every", type=float, default=None, help="Repeat every N seconds.")
def tick(every: float | None) -> None:
    """Hand over chats nobody accepted within CHAT_WAIT_TIMEOUT_MINUTES."""
    while True:
        handed = delivery.tick(utcnow())
        commit()
        click.echo(f"{handed} chat(s) handed over to requests.")
        if every is None:
            return
        time.sleep(every)
