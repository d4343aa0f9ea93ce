"""``flask incidents ...``: the update-due timer and the template import."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import timers
from app.incidents.templates import sync_templates
from app.incidents.timer import run_timer
from app.models import utcnow
from app.outbox import commit
from app.timers import at_option, every_option

incidents_cli = AppGroup("incidents", help="Crisis management: update timer and templates.")


@incidents_cli.command(
    "tick", help="Remind owners of due updates; record misses (run each minute)."
)
@every_option
@at_option
def tick_command(every: float | None, at) -> None:
    def step(now) -> None:
        result = run_timer(now)
        commit()
        click.echo(
            f"{result.reminders} reminder(s), {result.misses} missed update(s), "
            f"{result.breach_overdue} authority deadline(s) passed"
        )

    timers.run_timer(step, every=every, at=at)


@incidents_cli.command("templates", help="Import changed template files from content/incidents/.")
@click.option("--accept-file", multiple=True, help="Type whose file replaces a browser edit.")
def templates_command(accept_file: tuple[str, ...]) -> None:
    report = sync_templates(utcnow(), accept_file=set(accept_file))
    commit()
    for action, kind in report.actions:
        click.echo(f"{action}: {kind}")
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if report.errors:
        raise SystemExit(1)
    if not report.actions:
        click.echo("templates up to date")
