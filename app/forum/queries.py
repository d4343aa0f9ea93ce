"""Read-only queries for the forum's pages: thread lists with their sorts, a thread's posts,
profiles. Every one filters through ``visibility.py``."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from app.accounts.models import User
from app.extensions import db
from app.forum.models import ForumCategory, ForumLike, ForumPost, ForumThread
from app.forum.visibility import visible_posts_filter, visible_threads_filter

SORTS = {
    "latest": "Latest activity",
    "newest": "Newest",
    "unanswered": "Unanswered",
    "top": "Top",
}


def _reply_count(user):
    return (
        select(func.count(ForumPost.id))
        .where(
            ForumPost.thread_id == ForumThread.id,
            ForumPost.is_opening.is_(False),
            visible_posts_filter(user),
        )
        .correlate(ForumThread)
        .scalar_subquery()
    )


def _like_total(user):
    return (
        select(func.coalesce(func.sum(ForumPost.like_count), 0))
        .where(ForumPost.thread_id == ForumThread.id, visible_posts_filter(user))
        .correlate(ForumThread)
        .scalar_subquery()
    )


def thread_list_query(user, *, category: ForumCategory | None = None, sort: str = "latest"):
    """Threads ``user`` may see, in one category or all, in the chosen order."""
    query = select(ForumThread).where(visible_threads_filter(user))
    if category is not None:
        query = query.where(ForumThread.category_id == category.id)
    if sort == "unanswered":
        query = query.where(ForumThread.accepted_post_id.is_(None), _reply_count(user) == 0)
    if sort == "newest":
        order = [ForumThread.created_at.desc()]
    elif sort == "top":
        order = [
            (_like_total(user) + _reply_count(user)).desc(),
            ForumThread.last_activity_at.desc(),
        ]
    elif sort == "unanswered":
        order = [ForumThread.created_at.desc()]
    else:
        # Pinned threads stay on top of the default order.
        order = [ForumThread.is_pinned.desc(), ForumThread.last_activity_at.desc()]
    return query.order_by(*order, ForumThread.id.desc())


def reply_counts(user, thread_ids: list[int]) -> dict[int, int]:
    """Visible replies per thread (for one page of a thread list)."""
    if not thread_ids:
        return {}
    rows = db.session.execute(
        select(ForumPost.thread_id, func.count(ForumPost.id))
        .where(
            ForumPost.thread_id.in_(thread_ids),
            ForumPost.is_opening.is_(False),
            visible_posts_filter(user),
        )
        .group_by(ForumPost.thread_id)
    ).all()
    return dict(rows)


def category_thread_counts(user) -> dict[int, int]:
    rows = db.session.execute(
        select(ForumThread.category_id, func.count(ForumThread.id))
        .where(visible_threads_filter(user))
        .group_by(ForumThread.category_id)
    ).all()
    return dict(rows)


def thread_posts_query(user, thread: ForumThread):
    """The posts of a thread ``user`` may see, oldest first (the opening post first)."""
    return (
        select(ForumPost)
        .where(ForumPost.thread_id == thread.id, visible_posts_filter(user))
        .order_by(ForumPost.is_opening.desc(), ForumPost.id)
    )


def liked_post_ids(user, post_ids: list[int]) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False) or not post_ids:
        return set()
    return set(
        db.session.scalars(
            select(ForumLike.post_id).where(
                ForumLike.user_id == user.id, ForumLike.post_id.in_(post_ids)
            )
        )
    )


def user_posts_query(viewer, author: User):
    """The author's posts that ``viewer`` may see, newest first (the profile feed)."""
    return (
        select(ForumPost)
        .where(ForumPost.author_id == author.id, visible_posts_filter(viewer))
        .order_by(ForumPost.created_at.desc(), ForumPost.id.desc())
    )


def profile_counts(viewer, author: User) -> dict[str, int]:
    """Posts and accepted answers of ``author`` as ``viewer`` may see them."""
    posts = db.session.scalar(
        select(func.count(ForumPost.id)).where(
            ForumPost.author_id == author.id, visible_posts_filter(viewer)
        )
    )
    accepted = db.session.scalar(
        select(func.count(ForumThread.id))
        .join(ForumPost, ForumPost.id == ForumThread.accepted_post_id)
        .where(
            and_(ForumPost.author_id == author.id, visible_posts_filter(viewer)),
            visible_threads_filter(viewer),
        )
    )
    return {"posts": posts or 0, "accepted": accepted or 0}


def page_of_post(user, post: ForumPost, per_page: int) -> int:
    """The page of its thread on which ``post`` appears for ``user``."""
    if post.is_opening:
        return 1
    before = db.session.scalar(
        select(func.count(ForumPost.id)).where(
            ForumPost.thread_id == post.thread_id,
            visible_posts_filter(user),
            (ForumPost.is_opening.is_(True)) | (ForumPost.id <= post.id),
        )
    )
    return max(1, -(-(before or 1) // per_page))


def threads_titled(user, words: str, *, exclude: int, limit: int = 10) -> list[ForumThread]:
    """Threads ``user`` can see whose title contains every word (a moderator finding the thread
    to merge into), newest activity first."""
    query = thread_list_query(user).where(ForumThread.id != exclude)
    for word in words.split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(ForumThread.title.ilike(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(query.limit(limit)))
