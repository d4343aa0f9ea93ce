"""Watching pages: who is e-mailed on change, the e-mail itself and its unsubscribe link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select

from app.accounts.permissions import can
from app.extensions import db
from app.mail import OutgoingMail, site_path_link
from app.outbox import record_mail
from app.wiki.errors import WikiError, WikiPermissionError
from app.wiki.models import WikiPage, WikiRevision, WikiWatch

_SALT = "wiki-unwatch"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unwatch_token(user_id: int, page_id: int) -> str:
    """A signed token for the unsubscribe link of one watcher of one page."""
    return _serializer().dumps([user_id, page_id])


def is_watching(user, page: WikiPage) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(WikiWatch.id).where(WikiWatch.page_id == page.id, WikiWatch.user_id == user.id)
        )
        is not None
    )


def watched_pages(user_id: int, page: int = 1, per_page: int = 20):
    """The pages ``user_id`` watches, most recently changed first (deleted ones included:
    the watcher sees that they were deleted and can stop watching)."""
    query = (
        select(WikiPage)
        .join(WikiWatch, WikiWatch.page_id == WikiPage.id)
        .where(WikiWatch.user_id == user_id)
        .order_by(WikiPage.updated_at.desc(), WikiPage.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def watch(user, page: WikiPage, now: datetime) -> bool:
    """Start watching. :returns: False when already watching.

    :raises WikiPermissionError: the user may not watch pages.
    """
    if not can(user, "wiki.watch"):
        raise WikiPermissionError("Sign in to watch pages.")
    if is_watching(user, page):
        return False
    db.session.add(WikiWatch(page_id=page.id, user_id=user.id, created_at=now))
    db.session.flush()
    return True


def unwatch(user_id: int, page_id: int) -> bool:
    """Stop watching. :returns: False when not watching."""
    result = db.session.execute(
        delete(WikiWatch).where(WikiWatch.page_id == page_id, WikiWatch.user_id == user_id)
    )
    return result.rowcount > 0


def unwatch_by_token(token: str) -> WikiPage:
    """Stop watching from an e-mail's link (no sign-in needed: the token is signed).

    :raises WikiError: the link is not valid.
    """
    try:
        user_id, page_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise WikiError("This unsubscribe link isn't valid.")
    page = db.session.get(WikiPage, page_id)
    if page is None:
        raise WikiError("This unsubscribe link isn't valid.")
    unwatch(user_id, page_id)
    return page


def site_url(path: str) -> str:
    """An absolute URL for a site path, on the configured ``SITE_URL`` (in a request or not)."""
    return site_path_link(path)


def notify_watchers(
    revision: WikiRevision, now: datetime, url_for_path: Callable[[str], str] = site_url
) -> int:
    """Queue an e-mail about an accepted revision to every watcher except its author.

    :param url_for_path: makes an absolute URL of a site path (the caller knows the host).
    :returns: how many e-mails were queued.
    """
    page = revision.page
    watchers = db.session.scalars(
        select(WikiWatch).where(
            WikiWatch.page_id == page.id,
            WikiWatch.user_id != (revision.author_id or 0),
        )
    ).all()
    who = revision.author.display_name if revision.author else "Someone"
    sent = 0
    for watch_row in watchers:
        user = watch_row.user
        if user.is_suspended:
            continue
        unsubscribe = url_for_path("/wiki/unwatch/" + unwatch_token(user.id, page.id))
        diff = f"/wiki/{page.slug}/diff?from={revision.parent_id or ''}&to={revision.id}"
        body = (
            f"Hello {user.display_name},\n\n"
            f"{who} changed the wiki page “{page.title}” that you watch.\n\n"
            f"Summary: {revision.summary or '(none)'}\n\n"
            f"See the page: {url_for_path('/wiki/' + page.slug)}\n"
            f"See the changes: {url_for_path(diff)}\n\n"
            "To stop these e-mails for this page, open:\n"
            f"{unsubscribe}\n\n"
            "GrowgrEbuddy Help Center\n"
        )
        record_mail(
            OutgoingMail(
                user.email,
                f"[Wiki] “{page.title}” was changed by {who}",
                body,
                (("List-Unsubscribe", f"<{unsubscribe}>"),),
            ),
            now,
        )
        sent += 1
    return sent
