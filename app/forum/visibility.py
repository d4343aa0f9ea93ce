"""The one visibility rule of the forum. Lists, counts, feeds, profiles, search and the API all
filter through these functions, so a hidden, pending or deleted post never shows anywhere to
someone who may not see it.

- Everybody (signed out too) sees **published** posts in **published** threads.
- The author also sees their own **pending** and **hidden** posts and threads (marked as such),
  so they know their post waits for review.
- Moderators see everything, including deleted, rejected and merged ones (marked as such).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_, true

from app.accounts.permissions import is_moderator, role_of
from app.forum.models import HIDDEN, PENDING, PUBLISHED, ForumPost, ForumThread

_OWN_VISIBLE = (PUBLISHED, PENDING, HIDDEN)


def _user_id(user: Any) -> int | None:
    return None if role_of(user) == "anonymous" else user.id


def visible_threads_filter(user: Any) -> ColumnElement[bool]:
    """A where-clause on :class:`ForumThread` selecting the threads ``user`` may see.

    :param user: a User, None or Flask-Login's anonymous user.
    """
    if is_moderator(user):
        return true()
    user_id = _user_id(user)
    public = ForumThread.status == PUBLISHED
    if user_id is None:
        return public
    return or_(public, and_(ForumThread.author_id == user_id, ForumThread.status.in_(_OWN_VISIBLE)))


def visible_posts_filter(user: Any) -> ColumnElement[bool]:
    """A where-clause on :class:`ForumPost` selecting the posts ``user`` may see (the thread
    must be visible to them too)."""
    if is_moderator(user):
        return true()
    user_id = _user_id(user)
    own = (
        and_(ForumPost.author_id == user_id, ForumPost.status.in_(_OWN_VISIBLE))
        if user_id is not None
        else None
    )
    post_rule = (
        ForumPost.status == PUBLISHED if own is None else or_(ForumPost.status == PUBLISHED, own)
    )
    return and_(post_rule, ForumPost.thread.has(visible_threads_filter(user)))


def public_posts_filter() -> ColumnElement[bool]:
    """What a signed-out visitor sees: the rule for search documents and public counts."""
    return visible_posts_filter(None)


def public_threads_filter() -> ColumnElement[bool]:
    return visible_threads_filter(None)


def can_see_post(user: Any, post: ForumPost) -> bool:
    """The same rule for one loaded post (must agree with :func:`visible_posts_filter`)."""
    if is_moderator(user):
        return True
    if not can_see_thread(user, post.thread):
        return False
    if post.status == PUBLISHED:
        return True
    return _user_id(user) == post.author_id and post.status in _OWN_VISIBLE


def can_see_thread(user: Any, thread: ForumThread) -> bool:
    """The same rule for one loaded thread (must agree with :func:`visible_threads_filter`)."""
    if is_moderator(user):
        return True
    if thread.status == PUBLISHED:
        return True
    return _user_id(user) == thread.author_id and thread.status in _OWN_VISIBLE
