"""Editing a post, and edits held for review.

An edit whose text would wait for a moderator as a new post (an author still under
pre-moderation, or spam checks that now match) is held when the post is already public: the
approved text stays what everyone sees, the new text waits in the review queue (reason
``edit``), and only the author and moderators see that it waits. Approving applies it,
rejecting drops it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import can_edit_forum_post, is_moderator
from app.errors import DomainError
from app.extensions import db
from app.forum import notifications, trust
from app.forum.models import PUBLISHED, ForumPost, ForumPostRevision, ForumReviewItem
from app.forum.screening import (
    body_hash,
    check_can_post,
    check_images,
    clean_body,
    review_reason,
    thread_links,
)
from app.forum.services import touch_search

HELD = "edit"


def edit_post(post: ForumPost, editor: User, body: str, now: datetime) -> ForumPost:
    """Replace a post's text; the previous text is kept as a revision for moderators.

    A member's edit goes through the checks of a new post again: if it would wait for review,
    a public post keeps its approved text and the edit is held (:func:`hold_edit`); a post not
    yet public simply gets the new text (it waits in the queue already).

    :raises DomainError: not allowed, an empty body, or images from a new member.
    """
    if not can_edit_forum_post(editor, post):
        raise DomainError("You can only edit your own posts.")
    body = clean_body(body)
    if not is_moderator(editor):
        check_can_post(editor, now)
        level = trust.trust_level_for(editor, now)
        limits = trust.limits_for_level(level)
        check_images(editor, body, limits)
        if body == post.body:
            drop_held_edit(post, editor, now)
            return post
        reason, detail = review_reason(editor, body, now, level, limits, thread_links(post.thread))
        if reason and post.status == PUBLISHED:
            hold_edit(post, body, f"Edit held: {detail}", now)
            return post
        drop_held_edit(post, editor, now)
    elif body == post.body:
        return post
    apply_edit(post, editor, body, now)
    return post


def _open_edit_item(post: ForumPost) -> ForumReviewItem | None:
    return db.session.scalar(
        select(ForumReviewItem).where(
            ForumReviewItem.post_id == post.id,
            ForumReviewItem.reason == HELD,
            ForumReviewItem.resolved_at.is_(None),
        )
    )


def hold_edit(post: ForumPost, body: str, detail: str, now: datetime) -> None:
    """Keep ``body`` aside for a moderator; a newer edit replaces an older held one."""
    post.held_body = body
    post.held_body_html = notifications.render_post(body)
    post.held_at = now
    item = _open_edit_item(post)
    if item is None:
        db.session.add(
            ForumReviewItem(post_id=post.id, reason=HELD, detail=detail[:500], created_at=now)
        )
    else:
        item.detail = detail[:500]
    db.session.flush()


def drop_held_edit(post: ForumPost, actor: User, now: datetime, outcome="withdrawn") -> None:
    """Forget a held edit (its author went back to the approved text, or a moderator
    decided otherwise) and close its review item."""
    if post.held_at is None:
        return
    post.held_body = post.held_body_html = post.held_at = None
    item = _open_edit_item(post)
    if item is not None:
        item.resolved_at, item.resolved_by_id, item.outcome = now, actor.id, outcome
    db.session.flush()


def apply_held_edit(post: ForumPost, now: datetime) -> None:
    """A moderator approved the held edit: it becomes the post's text (by its author)."""
    if post.held_at is None:
        return
    body = post.held_body
    post.held_body = post.held_body_html = post.held_at = None
    apply_edit(post, post.author, body, now)


def apply_edit(post: ForumPost, editor: User, body: str, now: datetime) -> None:
    db.session.add(
        ForumPostRevision(post_id=post.id, body=post.body, edited_by_id=editor.id, edited_at=now)
    )
    post.body = body
    post.body_html = notifications.render_post(body)
    post.body_hash = body_hash(body)
    post.edited_at = now
    touch_search(post.thread, now)
    db.session.flush()
