"""``flask markup rerender``: render every stored Markdown text again.

Features keep the HTML of what people wrote, rendered once on save. After the renderer or its
allowlist changes (``app.markup.RENDERER_VERSION``), or ``MARKUP_IMAGE_HOSTS`` changes, this
brings every page in line: KB articles and tooltips, wiki revisions (and their link rows),
forum posts, ticket descriptions and messages. The source text never changes; the search index
is told about every document whose text changed. ``flask content sync`` re-renders the KB on
its own when its stored renderer version is stale.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.markup import render
from app.models import utcnow
from app.outbox import commit, record_search_change

markup_cli = AppGroup("markup", help="The Markdown renderer's stored output.")


def rerender_all(now: datetime) -> Counter:
    """Render every stored text again (flushes; the caller commits).

    :returns: how many rows changed, by kind.
    """
    from app.forum.models import ForumPost
    from app.forum.notifications import render_post
    from app.kb.services import rerender_stale
    from app.tickets.models import Ticket, TicketMessage
    from app.wiki import links
    from app.wiki.models import WikiPage, WikiRevision

    changed: Counter = Counter()
    changed.update(kind for kind, _name in rerender_stale(now, force=True))
    for revision in db.session.scalars(select(WikiRevision).order_by(WikiRevision.id)):
        rendered = links.render(revision.body)
        if rendered.html != revision.html:
            revision.html, revision.body_text = rendered.html, rendered.text
            changed["wiki revision"] += 1
    for page in db.session.scalars(select(WikiPage)):
        if page.current_revision is not None:
            links.store_links(page, links.render(page.current_revision.body).targets)
        record_search_change("wiki_page", page.id, now)
    threads = set()
    for post in db.session.scalars(select(ForumPost).order_by(ForumPost.id)):
        html = render_post(post.body)  # mentions linked, as on save
        if html != post.body_html:
            post.body_html = html
            threads.add(post.thread_id)
            changed["forum post"] += 1
    for thread_id in sorted(threads):
        record_search_change("forum_thread", thread_id, now)
    for ticket in db.session.scalars(select(Ticket).order_by(Ticket.id)):
        html = render(ticket.description)
        if html != ticket.description_html:
            ticket.description_html = html
            changed["ticket description"] += 1
    for message in db.session.scalars(select(TicketMessage).order_by(TicketMessage.id)):
        html = render(message.body)
        if html != message.body_html:
            message.body_html = html
            changed["ticket message"] += 1
    db.session.flush()
    return changed


@markup_cli.command("rerender", help="Render every stored Markdown text again (after an upgrade).")
def rerender_command() -> None:
    changed = rerender_all(utcnow())
    commit()
    if not changed:
        click.echo("everything was already rendered with the current renderer")
    for kind, count in sorted(changed.items()):
        click.echo(f"re-rendered {count} {kind}(s)")


def init_app(app: Flask) -> None:
    app.cli.add_command(markup_cli)
