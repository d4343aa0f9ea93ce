"""Wiki operations: create, edit (with three-way merge), revert, rename, delete, restore and
protect. Every change of the page's text goes through :mod:`app.wiki.revisions`: the page lock
first, then an accepted revision that moves the head with a compare-and-swap in the same
transaction (or a pending one held for review).

Services flush and never commit; views and commands commit once with ``app.outbox.commit()``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select

from app.accounts.permissions import can, can_delete_wiki_page, can_edit_wiki_page
from app.extensions import db
from app.models import is_row_id
from app.wiki import links, rules
from app.wiki.errors import (
    EditConflict,
    WikiError,
    WikiNotFound,
    WikiPermissionError,
)
from app.wiki.merge import merge
from app.wiki.models import WikiPage, WikiRedirect, WikiRevision
from app.wiki.revisions import add_pending_revision, append_revision, lock_page


@dataclass
class SaveResult:
    """What a save did. ``outcome`` is saved, merged, unchanged, duplicate or pending."""

    page: WikiPage
    revision: WikiRevision | None
    outcome: str
    notes: list[str] = field(default_factory=list)


def new_edit_token() -> str:
    """A random token for an edit form (its resubmission saves nothing twice)."""
    return secrets.token_urlsafe(24)


def _by_token(edit_token: str | None) -> WikiRevision | None:
    if not edit_token:
        return None
    return db.session.scalar(select(WikiRevision).where(WikiRevision.edit_token == edit_token))


def _visible_body(revision: WikiRevision | None, page: WikiPage, user) -> str:
    """The text of ``revision`` as ``user`` may see it (a hidden head shows the public text)."""
    if revision is None:
        return ""
    if revision.is_hidden and not can(user, "wiki.moderate"):
        public = page.current_revision
        return public.body if public else ""
    return revision.body


def _held_for_review(user, now: datetime) -> bool:
    config = current_app.config
    accepted = db.session.scalar(
        select(func.count())
        .select_from(WikiRevision)
        .where(WikiRevision.author_id == user.id, WikiRevision.status == "accepted")
    )
    return rules.needs_review(
        trusted=can(user, "wiki.edit_semi_protected"),
        account_age=now - user.created_at,
        accepted_edits=accepted,
        review_first_edits=config["WIKI_REVIEW_FIRST_EDITS"],
        new_account_days=config["WIKI_NEW_ACCOUNT_DAYS"],
    )


def _check_body(body: str) -> str:
    body = rules.normalise_body(body)
    if not body:
        raise WikiError("Write something on the page.", field="body")
    return _check_length(body)


def _check_length(body: str) -> str:
    if len(body) > rules.MAX_BODY:
        raise WikiError(f"Keep the page under {rules.MAX_BODY:,} characters.", field="body")
    return body


def preview_html(body: str) -> str:
    """Sanitised HTML of unsaved text (the Preview button and the live preview).

    :raises WikiError: the text is longer than a page may be; checked before rendering.
    """
    return links.render(_check_length(rules.normalise_body(body))).html


def check_new_title(title: str, *, page: WikiPage | None = None, field_name: str = "title") -> str:
    """The slug for a new or renamed page's title. A title another page left by a rename is
    free (its redirect yields, see :func:`take_title`) unless a moderator kept it.

    :raises WikiError: the title is invalid, or another page (or a kept redirect) has it.
    """
    problem = rules.title_problem(title)
    if problem:
        raise WikiError(problem, field=field_name)
    slug = rules.slugify(title)
    other = db.session.scalar(select(WikiPage).where(WikiPage.slug == slug))
    if other is not None and other is not page:
        if other.is_deleted:
            raise WikiError(
                "A deleted page has this title; ask a moderator to restore it.", field=field_name
            )
        raise WikiError("A page with this title already exists.", field=field_name)
    redirect = db.session.scalar(select(WikiRedirect).where(WikiRedirect.slug == slug))
    if redirect is not None and redirect.kept and redirect.page_id != (page.id if page else None):
        raise WikiError(
            f"This title already leads to the page “{redirect.page.title}”.", field=field_name
        )
    return slug


def take_title(slug: str) -> bool:
    """Remove the redirect a rename left on ``slug`` (a page is taking the title).

    :returns: whether there was one (links to the title then lead to the new page).
    """
    result = db.session.execute(
        delete(WikiRedirect)
        .where(WikiRedirect.slug == slug)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def create_page(
    user, title: str, body: str, summary: str, now: datetime, *, edit_token: str | None = None
) -> SaveResult:
    """Create a page with its first revision (held for review under the new-account rule).

    :raises WikiPermissionError: the user may not edit the wiki.
    :raises WikiError: bad title or empty text.
    """
    if not can_edit_wiki_page(user, None):
        raise WikiPermissionError("You can't create wiki pages.")
    existing = _by_token(edit_token)
    if existing is not None:
        return SaveResult(existing.page, existing, "duplicate")
    title = rules.normalise_title(title)
    slug = check_new_title(title)
    body = _check_body(body)
    summary = rules.normalise_title(summary) or "Created the page"
    page = WikiPage(
        slug=slug,
        title=title,
        protection="none",
        is_deleted=False,
        version=0,
        created_at=now,
        updated_at=now,
        created_by_id=user.id,
    )
    took_title = take_title(slug)
    db.session.add(page)
    db.session.flush()
    if _held_for_review(user, now):
        revision = add_pending_revision(
            page, user, body, None, now, kind="create", summary=summary, edit_token=edit_token
        )
        if took_title:  # links to the title no longer lead to the renamed page
            links.refresh_linking_pages({slug})
        return SaveResult(page, revision, "pending")
    revision = append_revision(
        page, user, body, now, kind="create", summary=summary, edit_token=edit_token
    )
    links.refresh_linking_pages({slug})
    return SaveResult(page, revision, "saved")


def find_revision(page: WikiPage, revision_id: object) -> WikiRevision | None:
    """The revision ``revision_id`` of ``page``; None for anything else (typed ids included)."""
    revision = db.session.get(WikiRevision, revision_id) if is_row_id(revision_id) else None
    return revision if revision is not None and revision.page_id == page.id else None


def get_revision(page: WikiPage, revision_id: int | None) -> WikiRevision:
    """:raises WikiNotFound: no such revision of this page."""
    revision = find_revision(page, revision_id)
    if revision is None:
        raise WikiNotFound("That revision doesn't exist.")
    return revision


def edit_page(
    page: WikiPage,
    user,
    body: str,
    summary: str,
    base_revision_id: int | None,
    now: datetime,
    *,
    edit_token: str | None = None,
) -> SaveResult:
    """Save an edit made from revision ``base_revision_id``.

    If the page moved on since, the edit is merged three-way (base, current, yours); a clean
    merge is saved and marked as merged, overlapping changes raise :class:`EditConflict`. A
    page with text needs a base revision of its own: without one (missing, malformed or of
    another page) nothing is saved and :class:`EditConflict` (``unknown_base``) is raised.
    Identical text saves nothing; a resubmitted ``edit_token`` returns the revision it saved.

    :raises WikiPermissionError: the page is protected (or deleted) for this user.
    :raises EditConflict: overlapping changes; nothing saved.
    :raises WikiError: empty or too long text, a base that is not an accepted revision.
    """
    existing = _by_token(edit_token)
    if existing is not None:
        return SaveResult(page, existing, "duplicate")
    if not can_edit_wiki_page(user, page):
        raise WikiPermissionError("This page is protected: you can't edit it.")
    body = _check_body(body)
    summary = rules.normalise_title(summary)
    lock_page(page)
    existing = _by_token(edit_token)  # a twin request may have saved while we waited
    if existing is not None:
        return SaveResult(page, existing, "duplicate")
    head = page.head
    base = find_revision(page, base_revision_id)
    if head is not None and base is None:
        # Saving over the head without knowing what the editor saw would silently drop any
        # edit made meanwhile: they compare with the current text first, as in a conflict.
        if body == head.body and not head.is_hidden:
            return SaveResult(page, head, "unchanged")
        raise EditConflict(head, _visible_body(head, page, user), [], unknown_base=True)
    if base is not None and base.status != "accepted":
        raise WikiError("You can only edit from a saved revision.")
    notes: list[str] = []
    merged = False
    if head is not None and base is not None and base.id != head.id:
        theirs = _visible_body(head, page, user)
        result = merge(_visible_body(base, page, user), theirs, body)
        if not result.clean:
            raise EditConflict(head, theirs, result.conflicts)
        body, merged = result.text, True
        notes.append("Your changes were merged with an edit saved while you were editing.")
    if head is not None and body == head.body and not head.is_hidden:
        return SaveResult(page, head, "unchanged")
    if _held_for_review(user, now):
        revision = add_pending_revision(
            page, user, body, head, now, kind="edit", summary=summary, edit_token=edit_token
        )
        return SaveResult(page, revision, "pending")
    if merged:
        summary = (summary + " " if summary else "") + "(merged automatically)"
    revision = append_revision(
        page, user, body, now, kind="edit", summary=summary, merged=merged, edit_token=edit_token
    )
    return SaveResult(page, revision, "merged" if merged else "saved", notes)


def revert_page(page: WikiPage, user, revision: WikiRevision, summary: str, now: datetime):
    """Make the text of an earlier ``revision`` current again, as a new revision.

    :raises WikiPermissionError: protected page.
    :raises WikiError: the revision is hidden, pending or already the current text.
    """
    if not can_edit_wiki_page(user, page):
        raise WikiPermissionError("This page is protected: you can't edit it.")
    if revision.page_id != page.id or revision.status != "accepted":
        raise WikiNotFound("That revision doesn't exist.")
    if revision.is_hidden:
        raise WikiError("This revision's content is hidden, so it can't be restored.")
    lock_page(page)
    if page.head is not None and page.head.body == revision.body and not page.head.is_hidden:
        raise WikiError("The page already has this text.")
    note = rules.normalise_title(summary)
    text = f"Reverted to revision {revision.number}" + (f": {note}" if note else "")
    return append_revision(page, user, revision.body, now, kind="revert", summary=text)


# Page actions other than editing the text. Each records a revision carrying the public text,
# so the actions show in the history and recent changes and go through the same lock.


def _log_action(page: WikiPage, user, now: datetime, *, kind: str, summary: str) -> WikiRevision:
    """A revision recording a page action; it carries the public text (never hidden text)."""
    public = page.current_revision
    return append_revision(
        page, user, public.body if public else "", now, kind=kind, summary=summary
    )


def rename_page(
    page: WikiPage, user, new_title: str, summary: str, now: datetime, *, keep_redirect=False
):
    """Give the page a new title; the old slug redirects to it until a new page takes that
    title. ``keep_redirect`` (moderators) keeps the old title for this page instead.

    :raises WikiPermissionError: the user can't edit this page, or keep a title.
    :raises WikiError: invalid or taken title, or the same title.
    """
    if not can_edit_wiki_page(user, page) or page.is_deleted:
        raise WikiPermissionError("You can't rename this page.")
    if keep_redirect and not can(user, "wiki.moderate"):
        # A kept title is reserved for good: that is a moderator's call, not every editor's.
        raise WikiPermissionError("Only moderators can keep the old title.")
    new_title = rules.normalise_title(new_title)
    if new_title == page.title:
        raise WikiError("That is already the page's title.", field="title")
    slug = check_new_title(new_title, page=page)
    lock_page(page)
    old_slug, old_title = page.slug, page.title
    take_title(slug)
    if slug != old_slug:
        db.session.add(
            WikiRedirect(slug=old_slug, page_id=page.id, created_at=now, kept=keep_redirect)
        )
        page.slug = slug
    page.title = new_title
    db.session.flush()
    note = rules.normalise_title(summary)
    text = f"Renamed from “{old_title}” to “{new_title}”" + (f": {note}" if note else "")
    revision = _log_action(page, user, now, kind="rename", summary=text)
    links.refresh_linking_pages({old_slug, slug})
    return revision


def delete_page(page: WikiPage, user, reason: str, now: datetime) -> WikiRevision:
    """Soft-delete: hidden from readers and search, history kept, restorable by moderators.

    :raises WikiPermissionError: the user may not delete this page.
    """
    if not can_delete_wiki_page(user, page):
        raise WikiPermissionError("You can't delete this page.")
    if page.is_deleted:
        raise WikiError("The page is already deleted.")
    lock_page(page)
    page.is_deleted = True
    note = rules.normalise_title(reason)
    revision = _log_action(
        page, user, now, kind="delete", summary="Deleted" + (f": {note}" if note else "")
    )
    links.refresh_linking_pages(_slugs_of(page))
    return revision


def restore_page(page: WikiPage, user, now: datetime) -> WikiRevision:
    """Undo a deletion (moderators).

    :raises WikiPermissionError: not a moderator.
    """
    if not can(user, "wiki.moderate"):
        raise WikiPermissionError("Only moderators can restore pages.")
    if not page.is_deleted:
        raise WikiError("The page isn't deleted.")
    lock_page(page)
    page.is_deleted = False
    revision = _log_action(page, user, now, kind="restore", summary="Restored the page")
    links.refresh_linking_pages(_slugs_of(page))
    return revision


def protect_page(page: WikiPage, user, level: str, reason: str, now: datetime) -> WikiRevision:
    """Set who may edit: ``none``, ``semi`` (contributors and up) or ``full`` (moderators).

    :raises WikiPermissionError: not a moderator.
    :raises WikiError: unknown or unchanged level.
    """
    if not can(user, "wiki.moderate"):
        raise WikiPermissionError("Only moderators can protect pages.")
    if level not in rules.PROTECTION_LEVELS:
        raise WikiError("Choose a protection level.", field="level")
    if level == page.protection:
        raise WikiError("The page already has this protection.", field="level")
    lock_page(page)
    page.protection = level
    note = rules.normalise_title(reason)
    label = rules.PROTECTION_LABELS[level]
    return _log_action(
        page, user, now, kind="protect", summary=label + (f": {note}" if note else "")
    )


def _slugs_of(page: WikiPage) -> set[str]:
    old = db.session.scalars(select(WikiRedirect.slug).where(WikiRedirect.page_id == page.id))
    return {page.slug, *old}
