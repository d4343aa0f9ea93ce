"""``flask wiki ...``: maintenance commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models import utcnow
from app.outbox import commit, record_search_change
from app.wiki import links
from app.wiki.models import WikiPage, WikiRevision


@click.group("wiki", cls=AppGroup, help="Community wiki maintenance.")
def wiki_cli() -> None:
    pass


@wiki_cli.command("rerender", help="Render every revision's HTML again (after markup changes).")
def rerender_command() -> None:
    now = utcnow()
    changed = 0
    for revision in db.session.scalars(select(WikiRevision).order_by(WikiRevision.id)):
        rendered = links.render(revision.body)
        if rendered.html != revision.html:
            revision.html, revision.body_text = rendered.html, rendered.text
            changed += 1
    for page in db.session.scalars(select(WikiPage)):
        revision = page.current_revision
        if revision is not None:
            links.store_links(page, links.render(revision.body).targets)
        record_search_change("wiki_page", page.id, now)
    commit()
    click.echo(f"re-rendered {changed} revision(s)")


@wiki_cli.command("pending", help="List edits waiting for review.")
def pending_command() -> None:
    rows = db.session.scalars(
        select(WikiRevision).where(WikiRevision.status == "pending").order_by(WikiRevision.id)
    ).all()
    if not rows:
        click.echo("no edits waiting for review")
    for revision in rows:
        who = revision.author.display_name if revision.author else "?"
        click.echo(f"{revision.id}\t{revision.page.title}\t{who}\t{revision.created_at:%Y-%m-%d}")
