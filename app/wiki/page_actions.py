"""Page actions other than editing the text: rename, delete, restore and protect. Each records
a revision (carrying the public text) through ``services._append``, so the actions show in the
history and recent changes and go through the same compare-and-swap."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.accounts.permissions import can, can_delete_wiki_page, can_edit_wiki_page
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.wiki import links, rules
from app.wiki.models import WikiPage, WikiRedirect, WikiRevision
from app.wiki.services import _append, _lock_page, check_new_title, take_title


def _log(page: WikiPage, user, now: datetime, *, kind: str, summary: str) -> WikiRevision:
    """A revision recording a page action; it carries the public text (never hidden text)."""
    public = page.current_revision
    return _append(page, user, public.body if public else "", now, kind=kind, summary=summary)


def rename_page(
    page: WikiPage, user, new_title: str, summary: str, now: datetime, *, keep_redirect=False
):
    """Give the page a new title; the old slug redirects to it until a new page takes that
    title. ``keep_redirect`` (moderators) keeps the old title for this page instead.

    :raises PermissionDenied: the user can't edit this page, or keep a title.
    :raises DomainError: invalid or taken title, or the same title.
    """
    if not can_edit_wiki_page(user, page) or page.is_deleted:
        raise PermissionDenied("You can't rename this page.")
    if keep_redirect and not can(user, "wiki.moderate"):
        # A kept title is reserved for good: that is a moderator's call, not every editor's.
        raise PermissionDenied("Only moderators can keep the old title.")
    new_title = rules.normalise_title(new_title)
    if new_title == page.title:
        raise DomainError("That is already the page's title.", field="title")
    slug = check_new_title(new_title, page=page)
    _lock_page(page)
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
    revision = _log(page, user, now, kind="rename", summary=text)
    links.refresh_linking_pages({old_slug, slug})
    return revision


def delete_page(page: WikiPage, user, reason: str, now: datetime) -> WikiRevision:
    """Soft-delete: hidden from readers and search, history kept, restorable by moderators.

    :raises PermissionDenied: the user may not delete this page.
    """
    if not can_delete_wiki_page(user, page):
        raise PermissionDenied("You can't delete this page.")
    if page.is_deleted:
        raise DomainError("The page is already deleted.")
    _lock_page(page)
    page.is_deleted = True
    note = rules.normalise_title(reason)
    revision = _log(
        page, user, now, kind="delete", summary="Deleted" + (f": {note}" if note else "")
    )
    links.refresh_linking_pages(_slugs_of(page))
    return revision


def restore_page(page: WikiPage, user, now: datetime) -> WikiRevision:
    """Undo a deletion (moderators).

    :raises PermissionDenied: not a moderator.
    """
    if not can(user, "wiki.moderate"):
        raise PermissionDenied("Only moderators can restore pages.")
    if not page.is_deleted:
        raise DomainError("The page isn't deleted.")
    _lock_page(page)
    page.is_deleted = False
    revision = _log(page, user, now, kind="restore", summary="Restored the page")
    links.refresh_linking_pages(_slugs_of(page))
    return revision


def protect_page(page: WikiPage, user, level: str, reason: str, now: datetime) -> WikiRevision:
    """Set who may edit: ``none``, ``semi`` (contributors and up) or ``full`` (moderators).

    :raises PermissionDenied: not a moderator.
    :raises DomainError: unknown or unchanged level.
    """
    if not can(user, "wiki.moderate"):
        raise PermissionDenied("Only moderators can protect pages.")
    if level not in rules.PROTECTION_LEVELS:
        raise DomainError("Choose a protection level.", field="level")
    if level == page.protection:
        raise DomainError("The page already has this protection.", field="level")
    _lock_page(page)
    page.protection = level
    note = rules.normalise_title(reason)
    label = rules.PROTECTION_LABELS[level]
    return _log(page, user, now, kind="protect", summary=label + (f": {note}" if note else ""))


def _slugs_of(page: WikiPage) -> set[str]:
    old = db.session.scalars(select(WikiRedirect.slug).where(WikiRedirect.page_id == page.id))
    return {page.slug, *old}
