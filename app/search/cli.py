"""``flask search rebuild | check [--fix] | drain [--every N]``."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.models import utcnow
from app.outbox import commit
from app.search import services
from app.search.indexer import drain_all


@click.group("search", cls=AppGroup, help="Build, check and feed the search index.")
def search_cli() -> None:
    pass


@search_cli.command("rebuild", help="Build a fresh index beside the live one, then swap it in.")
def rebuild_command() -> None:
    started = time.perf_counter()
    count = services.rebuild_index()
    commit()
    elapsed = time.perf_counter() - started
    click.echo(f"indexed {count} document(s) in {elapsed:.1f} s")
    # Changes made during the rebuild waited in the outbox; apply them to the new index now.
    drained = drain_all(utcnow())
    if drained:
        click.echo(f"applied {drained} change(s) made during the rebuild")


@search_cli.command("check", help="Report documents missing, stale or extra in the index.")
@click.option("--fix", is_flag=True, help="Repair what is found.")
def check_command(fix: bool) -> None:
    report = services.check_index(fix=fix)
    commit()
    for label, keys in (("missing", report.missing), ("stale", report.stale),
                        ("extra", report.extra)):  # fmt: skip
        click.echo(f"{label}: {len(keys)}" + (f" ({', '.join(keys[:20])})" if keys else ""))
    if report.ok:
        click.echo("index is consistent with the database")
    elif fix:
        click.echo("fixed")
    else:
        raise SystemExit(1)


@search_cli.command("drain", help="Apply pending search changes to the index.")
@click.option("--every", type=float, default=None, help="Keep running, draining every N seconds.")
def drain_command(every: float | None) -> None:
    while True:
        handled = drain_all(utcnow())
        click.echo(f"applied {handled} change(s)")
        if every is None:
            return
        time.sleep(every)
