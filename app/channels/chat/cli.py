"""``flask chat tick``: chats that waited too long become ordinary requests."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.channels.chat import delivery
from app.outbox import commit
from app.timers import at_option, every_option, run_timer

chat_cli = AppGroup("chat", help="Live chat.")


@chat_cli.command("tick", help="Hand over chats nobody accepted within CHAT_WAIT_TIMEOUT_MINUTES.")
@every_option
@at_option
def tick(every: float | None, at) -> None:
    def step(now) -> None:
        handed = delivery.tick(now)
        commit()
        click.echo(f"{handed} chat(s) handed over to requests.")

    run_timer(step, every=every, at=at)
