"""``flask privacy inventory`` and ``flask privacy retention [--dry-run]``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.models import utcnow
from app.outbox import commit


@click.group("privacy")
def privacy_cli() -> None:
    """The data inventory and retention."""


@privacy_cli.command("inventory")
@with_appcontext
def inventory_command() -> None:
    """Print the data inventory as Markdown (the table docs/privacy.md points to)."""
    from app.privacy.inventory import inventory

    for entry in inventory():
        owners = ", ".join(entry.owner_columns) or "-"
        click.echo(f"\n### `{entry.table}` (owner: {owners}; erasure: {entry.row_rule})")
        if entry.note:
            click.echo(f"{entry.note}\n")
        click.echo("| Column | Personal | Rule |\n| --- | --- | --- |")
        for column in entry.columns:
            rule = column.rule.value + (f" ({column.note})" if column.note else "")
            click.echo(f"| `{column.name}` | {'yes' if column.personal else 'no'} | {rule} |")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Delete what is past its retention period, listing each item."""
    from app.privacy.retention import run_retention

    items = run_retention(utcnow(), dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    for item in items:
        click.echo(f"{verb} {item.kind}: {item.label} (due {item.due_at:%Y-%m-%d})")
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"
    click.echo(f"{'Dry run: ' if dry_run else ''}{verb} {summary}.")
    if not dry_run:
        commit()
