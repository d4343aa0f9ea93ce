"""``flask content ...``: import and check the knowledge base's files."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.kb.content import read_content
from app.models import utcnow
from app.outbox import commit

content_cli = AppGroup("content", help="Import and check the Help Center content in CONTENT_DIR.")


@content_cli.command("sync", help="Import content/ into the database (idempotent).")
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.option(
    "--accept-file",
    "accept_file",
    multiple=True,
    metavar="SLUG",
    help="For this article, import the file over a browser edit (the edit stays in history).",
)
@click.option(
    "--keep-db",
    "keep_db",
    multiple=True,
    metavar="SLUG",
    help="For this article, keep the browser edit although the file changed.",
)
@click.option("--quiet", is_flag=True, help="Print only the summary, conflicts and errors.")
def sync_command(
    dry_run: bool, accept_file: tuple[str, ...], keep_db: tuple[str, ...], quiet: bool
):
    from app.kb.sync import sync_content

    content_dir = current_app.config["CONTENT_DIR"]
    report = sync_content(content_dir, utcnow(), accept_file=accept_file, keep_db=keep_db)
    prefix = "would be " if dry_run else ""
    for action, kind, name in report.actions:
        if not quiet:
            click.echo(f"{prefix}{action}: {kind} {name}")
    click.echo(
        f"{'Dry run: ' if dry_run else ''}{len(report.actions)} change(s), "
        f"{report.unchanged} unchanged, {len(report.conflicts)} conflict(s), "
        f"{len(report.errors)} error(s) in {content_dir}"
    )
    for slug, message in report.conflicts:
        click.echo(f"CONFLICT {slug}: {message}", err=True)
    refused = []
    if not dry_run:
        # Video files beside the Markdown are queued for processing (app/kb/media).
        from app.kb.media.services import queue_content_files

        queued, refused = queue_content_files(content_dir, utcnow())
        for slug, name in queued:
            click.echo(f"video queued: {slug} ({name}); the outbox drain processes it")
    for path, message in [*report.errors, *refused]:
        click.echo(f"ERROR {path}: {message}", err=True)
    if dry_run:
        db.session.rollback()
    else:
        commit()
    if not report.ok or refused:
        sys.exit(1)


@content_cli.command("check", help="Validate the content files without touching the database.")
def check_command() -> None:
    found = read_content(current_app.config["CONTENT_DIR"])
    click.echo(
        f"{len(found.articles)} articles, {len(found.snippets)} snippets, {len(found.tours)} tours"
    )
    slugs = {article.slug for article in found.articles}
    problems = list(found.errors)
    for article in found.articles:
        for slug in article.related:
            if slug not in slugs:
                problems.append((article.path, f"related article {slug!r} does not exist"))
    for snippet in found.snippets:
        if snippet.article and snippet.article not in slugs:
            problems.append((snippet.path, f"article {snippet.article!r} does not exist"))
    for path, message in problems:
        click.echo(f"ERROR {path}: {message}", err=True)
    if problems:
        sys.exit(1)
