"""``flask incidents ...``: the update-due timer and the template import."""

from __future__ import annotations

import time
from datetime import UTC

import click
from flask.cli import AppGroup

from app.incidents.templates import sync_templates
from app.incidents.timer import run_timer
from app.models import utcnow
from app.outbox import commit

incidents_cli = AppGroup("incidents", help="Crisis management: update timer and templates.")


@incidents_cli.command(
    "tick", help="Remind owners of due updates; record misses (run each minute)."
)
@click.option("--every", type=float, default=None, help="Keep running, every N seconds.")
@click.option(
    "--at", "at", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]), default=None,
    help="Run once as if it were this UTC time (drills and tests).",
)  # fmt: skip
def tick_command(every: float | None, at) -> None:
    if at is not None and every is not None:
        raise click.UsageError("--at runs once; it can't be combined with --every.")
    while True:
        started = time.monotonic()
        result = run_timer(at.replace(tzinfo=UTC) if at is not None else utcnow())
        commit()
        click.echo(
            f"{result.reminders} reminder(s), {result.misses} missed update(s), "
            f"{result.breach_overdue} authority deadline(s) passed"
        )
        if every is None:
            return
        time.sleep(max(0.0, every - (time.monotonic() - started)))


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
