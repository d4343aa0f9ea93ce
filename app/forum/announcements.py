"""Announcement threads: pinned and locked at once, written by the support team (the crisis
switch posts its updates here). A staff-only announcement (a drill) is a hidden thread:
moderators see it, the public and followers never do."""

from __future__ import annotations

from datetime import datetime

from app.accounts.models import User
from app.accounts.permissions import can
from app.errors import DomainError
from app.extensions import db
from app.forum import notifications
from app.forum.audit import audit
from app.forum.follows import notify_new_post
from app.forum.models import HIDDEN, PUBLISHED, ForumCategory, ForumPost, ForumThread
from app.forum.screening import body_hash, clean_body
from app.forum.services import MAX_TITLE, slugify, touch_search


def _post(thread: ForumThread, author: User, body: str, now: datetime, *, opening: bool):
    post = ForumPost(
        thread_id=thread.id, author_id=author.id, is_opening=opening, is_staff_reply=True,
        body=body, body_html=notifications.render_post(body), body_hash=body_hash(body),
        status=PUBLISHED, created_at=now, like_count=0, moderation_note="",
    )  # fmt: skip
    db.session.add(post)
    db.session.flush()
    return post


def create_announcement(
    author: User, category: ForumCategory, title: str, body: str, now: datetime, *, staff_only=False
) -> ForumThread:
    """Start a pinned, locked thread; nobody but the support team can reply to it.

    :param staff_only: a hidden thread (moderators only), for drills.
    :raises DomainError: no permission, no title or body.
    """
    if not can(author, "forum.announce"):
        raise DomainError("Only the support team posts announcements.")
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise DomainError(f"Give the announcement a title of at most {MAX_TITLE} characters.")
    body = clean_body(body)
    thread = ForumThread(
        title=title, slug=slugify(title), category_id=category.id, author_id=author.id,
        created_at=now, last_activity_at=now, is_locked=True, is_pinned=True,
        status=HIDDEN if staff_only else PUBLISHED,
    )  # fmt: skip
    db.session.add(thread)
    db.session.flush()
    _post(thread, author, body, now, opening=True)
    audit(author, "announce", "thread", thread.id, "announcement", now)
    touch_search(thread, now)
    db.session.flush()
    return thread


def add_announcement(thread: ForumThread, author: User, body: str, now: datetime) -> ForumPost:
    """Add an update to an announcement thread; followers of a public one are told by mail."""
    if not can(author, "forum.announce"):
        raise DomainError("Only the support team posts announcements.")
    post = _post(thread, author, clean_body(body), now, opening=False)
    if thread.status == PUBLISHED:
        thread.last_activity_at = max(thread.last_activity_at, now)
        notify_new_post(post, now)
    touch_search(thread, now)
    db.session.flush()
    return post


def staff_reply_to_thread(thread: ForumThread, author: User, body: str, now: datetime):
    """A support-team reply to any visible thread, locked or not (an incident's resolution in a
    linked thread); its followers are told. ``None`` for a thread that takes no replies."""
    if not can(author, "forum.announce") or thread.status != PUBLISHED:
        return None
    post = _post(thread, author, clean_body(body), now, opening=False)
    thread.last_activity_at = max(thread.last_activity_at, now)
    notify_new_post(post, now)
    notifications.on_publish(post, now)
    touch_search(thread, now)
    db.session.flush()
    return post
