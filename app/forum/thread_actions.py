"""Moderators' thread actions: lock, pin, move, merge and split. Every one is audited."""

from __future__ import annotations

from app.accounts.models import User
from app.errors import DomainError
from app.extensions import db
from app.forum import rules
from app.forum.audit import audit
from app.forum.follows import move_thread_follows
from app.forum.models import (
    DELETED,
    MERGED,
    PENDING,
    PUBLISHED,
    ForumCategory,
    ForumReviewItem,
    ForumThread,
)
from app.forum.moderation import THREAD_STATE, open_item, require_moderator
from app.forum.services import slugify, touch_search


def set_thread_flag(thread: ForumThread, moderator: User, action: str, reason: str, now):
    """Lock, unlock, pin or unpin a thread."""
    require_moderator(moderator)
    attribute, value = {
        "lock": ("is_locked", True),
        "unlock": ("is_locked", False),
        "pin": ("is_pinned", True),
        "unpin": ("is_pinned", False),
    }[action]
    setattr(thread, attribute, value)
    audit(moderator, action, "thread", thread.id, reason, now)
    db.session.flush()


def move_thread(thread, category: ForumCategory, moderator, reason: str, now) -> None:
    require_moderator(moderator)
    if category.id == thread.category_id:
        raise DomainError("The thread is already in that category.", "category")
    old = thread.category.name
    thread.category_id = category.id
    db.session.flush()
    db.session.refresh(thread)
    audit(moderator, "move", "thread", thread.id, reason, now, f"{old} → {category.name}")
    touch_search(thread, now)


def check_merge(source: ForumThread, target: ForumThread) -> None:
    """Refuse a merge before the moderator confirms it (and again when it runs).

    :raises DomainError: the target is the thread itself or was merged away.
    """
    if source.id == target.id or target.status == MERGED:
        raise DomainError("Choose another, open thread to merge into.", "target")


def merge_threads(source: ForumThread, target: ForumThread, moderator, reason: str, now):
    """Move every post of ``source`` into ``target``; ``source`` then redirects there."""
    require_moderator(moderator)
    check_merge(source, target)
    for post in list(source.posts):
        post.thread_id = target.id
        post.is_opening = False
    source.status = MERGED
    source.merged_into_id = target.id
    source.accepted_post_id = None
    target.last_activity_at = max(target.last_activity_at, source.last_activity_at)
    # Who followed the duplicate still hears about the conversation, now in one place.
    move_thread_follows(source.id, target.id)
    audit(moderator, "merge", "thread", source.id, reason, now, f"into thread {target.id}")
    db.session.flush()
    db.session.expire(source, ["posts"])
    db.session.expire(target, ["posts"])
    touch_search(source, now)
    touch_search(target, now)


def split_selection(thread: ForumThread, post_ids: list[int], title: str):
    """The cleaned title and the chosen replies of a split, so the confirmation page can list
    what will move. :returns: ``(title, posts)``.

    :raises DomainError: no title, or no reply of this thread chosen.
    """
    title = rules.clean_title(title)
    if not rules.has_visible_text(title):
        raise DomainError("Give the new thread a title.", "title")
    chosen = set(post_ids)
    posts = [post for post in thread.posts if post.id in chosen and not post.is_opening]
    if not posts:
        raise DomainError("Choose at least one reply to move.", "post_ids")
    return title, posts


def split_thread(thread, post_ids: list[int], title: str, moderator, reason: str, now):
    """Move chosen replies into a new thread (in the same category). The first published one
    becomes its opening post, so the thread is public when any of them is; otherwise the
    thread takes its opening post's state, and a pending one waits in the review queue (where
    approving the post publishes the thread). :returns: the new thread."""
    require_moderator(moderator)
    title, posts = split_selection(thread, post_ids, title)
    first = next((post for post in posts if post.status == PUBLISHED), posts[0])
    new = ForumThread(
        title=title[:200],
        slug=slugify(title),
        category_id=thread.category_id,
        author_id=first.author_id,
        created_at=first.created_at,
        last_activity_at=max(post.created_at for post in posts),
        is_locked=False,
        is_pinned=False,
        status=THREAD_STATE.get(first.status, DELETED),
    )
    db.session.add(new)
    db.session.flush()
    for post in posts:
        post.thread_id = new.id
        if thread.accepted_post_id == post.id:
            thread.accepted_post_id = None
    first.is_opening = True
    if new.status == PENDING and open_item(first) is None:
        db.session.add(
            ForumReviewItem(
                post_id=first.id,
                reason="split",
                detail=f"Opening post of a thread split off “{thread.title}”"[:500],
                created_at=now,
            )
        )
    audit(moderator, "split", "thread", thread.id, reason, now, f"{len(posts)} post(s) to {new.id}")
    db.session.flush()
    db.session.expire(thread, ["posts"])
    touch_search(thread, now)
    touch_search(new, now)
    return new
