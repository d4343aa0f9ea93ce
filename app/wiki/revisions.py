"""The append-only revision log of wiki pages: the page lock, the accepted revision that moves
the head, and the pending revision held for review. Every service that changes a page's text
(editing, page actions, moderation) writes through here.

Concurrency, in short: :func:`lock_page` starts each change with a write to the page row, which
serialises writers on that page (a row lock on PostgreSQL; on SQLite the database write lock,
taken as the transaction's first statement so ``busy_timeout`` waits for it instead of failing
with a stale snapshot). Everything read after it is current, so a merge is computed against the
true head. The compare-and-swap in :func:`append_revision` and the unique (page, number) pair are
the invariant checks behind it: if either ever fails, the transaction is refused rather than
forking the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from app.extensions import db
from app.outbox import record_search_change
from app.wiki import links, rules
from app.wiki.errors import ConcurrentChange
from app.wiki.models import WikiPage, WikiRevision
from app.wiki.watching import notify_watchers


def _new_revision(page: WikiPage, author, body: str, parent, now: datetime, *, number: int | None,
                  status: str, kind: str, summary: str, merged: bool,
                  edit_token: str | None):  # fmt: skip
    """A revision row after ``parent`` (rendered, sized), added and flushed."""
    rendered = links.render(body)
    size = len(body.encode("utf-8"))
    revision = WikiRevision(
        page_id=page.id, number=number, parent_id=parent.id if parent else None,
        author_id=author.id if author is not None else None, created_at=now, kind=kind,
        status=status, title=page.title, summary=summary[: rules.MAX_SUMMARY], body=body,
        html=rendered.html, body_text=rendered.text, size=size,
        size_delta=size - (parent.size if parent else 0), merged=merged,
        edit_token=edit_token, is_hidden=False,
    )  # fmt: skip
    db.session.add(revision)
    db.session.flush()
    return revision, rendered


def lock_page(page: WikiPage) -> None:
    """Serialise changes to ``page`` and re-read it (see the module docstring)."""
    db.session.execute(
        update(WikiPage)
        .where(WikiPage.id == page.id)
        .values(version=WikiPage.version)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(page)


def append_revision(
    page: WikiPage,
    author,
    body: str,
    now: datetime,
    *,
    kind: str,
    summary: str = "",
    merged: bool = False,
    edit_token: str | None = None,
) -> WikiRevision:
    """Add an accepted revision after the head and move the head to it, atomically.

    The caller holds the page lock (:func:`lock_page`).

    :raises ConcurrentChange: the head moved under us (the compare-and-swap failed).
    """
    head = page.head
    revision, rendered = _new_revision(
        page, author, body, head, now, number=(head.number if head else 0) + 1,
        status="accepted", kind=kind, summary=summary, merged=merged, edit_token=edit_token,
    )  # fmt: skip
    base_id = head.id if head else None
    swapped = db.session.execute(
        update(WikiPage)
        .where(
            WikiPage.id == page.id,
            WikiPage.current_revision_id.is_(None)
            if base_id is None
            else WikiPage.current_revision_id == base_id,
        )
        .values(current_revision_id=revision.id, version=WikiPage.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if swapped.rowcount != 1:
        raise ConcurrentChange("The page changed while saving. Please try again.")
    db.session.refresh(page)
    links.store_links(page, rendered.targets)
    record_search_change("wiki_page", page.id, now)
    notify_watchers(revision, now)
    return revision


def add_pending_revision(page, user, body, base, now, *, kind, summary, edit_token) -> WikiRevision:
    """A revision held for review: no number, the head does not move."""
    revision, _ = _new_revision(
        page, user, body, base, now, number=None, status="pending", kind=kind,
        summary=summary, merged=False, edit_token=edit_token,
    )  # fmt: skip
    return revision
