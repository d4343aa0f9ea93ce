"""``flask metrics ...``: keep the rollups current, or recompute them from the event log."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app import outbox
from app.metrics import services, sessions
from app.models import utcnow
from app.timers import every_option, run_timer


@click.group("metrics", cls=AppGroup, help="Support metrics: daily rollups.")
def metrics_cli() -> None:
    pass


@metrics_cli.command("update", help="Replay tickets changed since the last run.")
@every_option
def update_command(every: float | None) -> None:
    def step(now) -> None:
        started = time.monotonic()
        done = services.update(now)
        # Also here, so a day's session salt goes even when no one visits after midnight.
        sessions.forget_old_salts(now)
        outbox.commit()
        click.echo(f"{done} ticket(s) replayed in {time.monotonic() - started:.2f}s")

    run_timer(step, every=every)


@metrics_cli.command("rebuild", help="Recompute every ticket's figures and all rollups.")
def rebuild_command() -> None:
    started = time.monotonic()
    done = services.rebuild(utcnow())
    outbox.commit()
    seconds = time.monotonic() - started
    click.echo(f"{done} ticket(s) rebuilt in {seconds:.2f}s ({done / max(seconds, 1e-9):.0f}/s)")
