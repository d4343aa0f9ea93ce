"""Moderator operations: hide a revision's content, roll back a user's consecutive edits, and
approve or reject edits held for review. Same conventions as ``services``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.accounts.permissions import can
from app.extensions import db
from app.outbox import record_search_change
from app.wiki import links
from app.wiki.errors import WikiError, WikiPermissionError
from app.wiki.merge import merge
from app.wiki.models import WikiPage, WikiRevision
from app.wiki.revisions import append_revision, lock_page


def _require_moderator(user) -> None:
    if not can(user, "wiki.moderate"):
        raise WikiPermissionError("Only moderators can do this.")


def set_revision_hidden(revision: WikiRevision, user, hidden: bool, now: datetime) -> None:
    """Hide (or show again) a revision's content and summary from everyone but moderators.

    When the current revision is hidden, readers and search get the latest visible one.

    :raises WikiPermissionError: not a moderator.
    :raises WikiError: it is already in that state.
    """
    _require_moderator(user)
    if revision.is_hidden == hidden:
        raise WikiError("The revision is already hidden." if hidden else "It isn't hidden.")
    revision.is_hidden = hidden
    revision.hidden_at = now if hidden else None
    revision.hidden_by_id = user.id if hidden else None
    revision.page.updated_at = now
    db.session.flush()
    record_search_change("wiki_page", revision.page_id, now)


def rollback_candidates(page: WikiPage) -> tuple[int | None, list[WikiRevision]]:
    """The author of the head and their consecutive accepted revisions at the top of history."""
    history = db.session.scalars(
        select(WikiRevision)
        .where(WikiRevision.page_id == page.id, WikiRevision.status == "accepted")
        .order_by(WikiRevision.number.desc())
    )
    streak: list[WikiRevision] = []
    author_id = None
    for revision in history:
        if not streak:
            author_id = revision.author_id
        elif revision.author_id != author_id:
            break
        streak.append(revision)
    return author_id, streak


def rollback_user(page: WikiPage, user, author_id: int, now: datetime) -> WikiRevision:
    """Undo, in one new revision, the consecutive edits ``author_id`` made at the top of the
    page's history (the text returns to the revision before them).

    :raises WikiPermissionError: not a moderator.
    :raises WikiError: the last edit isn't theirs, or there is nothing before it.
    """
    _require_moderator(user)
    lock_page(page)
    head_author, streak = rollback_candidates(page)
    if not streak or head_author != author_id:
        raise WikiError("The latest edit isn't by this user, so there is nothing to roll back.")
    target = streak[-1].parent
    if target is None:
        raise WikiError("These are the only edits of the page; delete the page instead.")
    visible = target
    while visible is not None and visible.is_hidden:
        visible = visible.parent
    if visible is None:
        raise WikiError("Every earlier revision is hidden; edit the page instead.")
    name = streak[0].author.display_name if streak[0].author else "a deleted account"
    summary = (
        f"Rolled back {len(streak)} edit{'s' if len(streak) != 1 else ''} by {name} "
        f"to revision {visible.number}"
    )
    return append_revision(page, user, visible.body, now, kind="rollback", summary=summary)


def pending_revisions(page_number: int = 1, per_page: int = 20):
    """Edits waiting for review, oldest first (a pagination object)."""
    return db.paginate(
        select(WikiRevision)
        .where(WikiRevision.status == "pending")
        .order_by(WikiRevision.created_at, WikiRevision.id),
        page=page_number,
        per_page=per_page,
        error_out=False,
    )


def approve_revision(revision: WikiRevision, user, now: datetime) -> WikiRevision:
    """Accept a held edit: merged into the current text like any late save.

    :raises WikiPermissionError: not a moderator.
    :raises WikiError: not pending, or it conflicts with later edits (reject it instead).
    """
    _require_moderator(user)
    if revision.status != "pending":
        raise WikiError("This edit isn't waiting for review.")
    page = revision.page
    lock_page(page)
    head = page.head
    body = revision.body
    if head is not None and revision.parent_id != head.id:
        base = revision.parent.body if revision.parent is not None else ""
        result = merge(base, head.body, body)
        if not result.clean:
            raise WikiError(
                "This edit conflicts with changes saved since; reject it and ask the author "
                "to edit the current page."
            )
        body = result.text
    # The accepted revision is a new row in the chain, credited to the author; the held row
    # stays, marked approved, so what was proposed and what was merged can both be seen.
    accepted = append_revision(
        page,
        revision.author,
        body,
        now,
        kind=revision.kind,
        summary=revision.summary,
        merged=body != revision.body,
    )
    accepted.reviewed_at, accepted.reviewed_by_id = now, user.id
    revision.status = "approved"
    revision.reviewed_at, revision.reviewed_by_id = now, user.id
    links.refresh_linking_pages({page.slug})
    db.session.flush()
    return accepted


def reject_revision(revision: WikiRevision, user, now: datetime) -> None:
    """Turn down a held edit; it stays visible to moderators and its author only.

    :raises WikiPermissionError: not a moderator.
    :raises WikiError: not pending.
    """
    _require_moderator(user)
    if revision.status != "pending":
        raise WikiError("This edit isn't waiting for review.")
    revision.status = "rejected"
    revision.reviewed_at, revision.reviewed_by_id = now, user.id
    db.session.flush()
