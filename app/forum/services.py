"""Forum operations: threads, replies, deletes, likes, accepted answers, and the
contract other packages use (tickets: escalation and staff replies; search: thread text).

Every function takes the acting user and ``now``, flushes and never commits. Problems the
person can fix raise :class:`DomainError` (with the form ``field``); a posting rate limit raises
:class:`RateLimited` with the seconds to wait.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import case, delete, select, update

from app.accounts.models import User
from app.accounts.permissions import (
    can,
    can_accept_forum_answer,
    can_delete_forum_post,
    is_moderator,
)
from app.errors import DomainError
from app.extensions import db
from app.forum import notifications, rules, trust
from app.forum.audit import audit
from app.forum.follows import notify_new_post, set_follow
from app.forum.models import (
    DELETED,
    PENDING,
    PUBLISHED,
    ForumCategory,
    ForumLike,
    ForumPost,
    ForumReviewItem,
    ForumThread,
)
from app.forum.screening import (
    RateLimited,  # noqa: F401  (re-exported: callers catch services.RateLimited)
    body_hash,
    check_can_post,
    clean_body,
    screen,
)
from app.forum.visibility import can_see_post, can_see_thread, public_posts_filter
from app.forum.writes import insert_once
from app.markup import plain_text
from app.outbox import record_search_change

MAX_TITLE = 200


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:80] or "thread"


def touch_search(thread: ForumThread, now: datetime) -> None:
    """Tell search that the thread's document changed (content or visibility)."""
    record_search_change("forum_thread", thread.id, now)


# --- Look-ups (the contract of tickets, search and the API) ---


def categories() -> list[ForumCategory]:
    return list(db.session.scalars(select(ForumCategory).order_by(ForumCategory.position)))


def category_by_slug(slug: str) -> ForumCategory | None:
    return db.session.scalar(select(ForumCategory).where(ForumCategory.slug == slug))


def get_thread(thread_id: int) -> ForumThread | None:
    """The thread with this id whatever its state (callers decide what to show)."""
    return db.session.get(ForumThread, thread_id)


def visible_thread_for(user, thread_id: int) -> ForumThread | None:
    """The thread if ``user`` may see it, else None (same rule as every list)."""
    thread = get_thread(thread_id)
    if thread is None or not can_see_thread(user, thread):
        return None
    return thread


def get_post(post_id: int) -> ForumPost | None:
    return db.session.get(ForumPost, post_id)


def visible_post_for(user, post_id: int) -> ForumPost | None:
    post = get_post(post_id)
    if post is None or not can_see_post(user, post):
        return None
    return post


def is_thread_public(thread: ForumThread) -> bool:
    """Whether signed-out visitors (and so search) may see the thread."""
    return thread.status == PUBLISHED


def thread_search_text(thread: ForumThread) -> str:
    """Plain text of the thread's publicly visible posts, oldest first (for the search document)."""
    return threads_search_text([thread.id])[thread.id]


def threads_search_text(thread_ids: list[int]) -> dict[int, str]:
    """:func:`thread_search_text` of many threads, with one query for all their posts."""
    parts: dict[int, list[str]] = {thread_id: [] for thread_id in thread_ids}
    if parts:
        rows = db.session.execute(
            select(ForumPost.thread_id, ForumPost.body_html)
            .where(ForumPost.thread_id.in_(list(parts)), public_posts_filter())
            .order_by(ForumPost.thread_id, ForumPost.id)
        )
        for thread_id, html in rows:
            parts[thread_id].append(plain_text(html))
    return {thread_id: "\n\n".join(texts) for thread_id, texts in parts.items()}


def opening_post(thread: ForumThread) -> ForumPost | None:
    return db.session.scalar(
        select(ForumPost).where(ForumPost.thread_id == thread.id, ForumPost.is_opening)
    )


# --- Posting ---


def _queue(post: ForumPost, reason: str, detail: str, now: datetime) -> ForumReviewItem:
    item = ForumReviewItem(post_id=post.id, reason=reason, detail=detail[:500], created_at=now)
    db.session.add(item)
    return item


def create_thread(
    author: User, category: ForumCategory, title: str, body: str, now: datetime
) -> ForumThread:
    """Start a thread with its opening post; the author follows it.

    A new member's thread waits in the review queue (status ``pending``) like their posts.

    :raises DomainError: no title, no body, images from a new user, a repeated post ...
    :raises RateLimited: posting too fast.
    """
    check_can_post(author, now)
    title = rules.clean_title(title)
    if not rules.has_visible_text(title):
        raise DomainError("Give your thread a title.", "title")
    if len(title) > MAX_TITLE:
        raise DomainError(f"Keep the title under {MAX_TITLE} characters.", "title")
    body = clean_body(body)
    status, reason, detail = screen(author, body, now)
    thread = ForumThread(
        title=title,
        slug=slugify(title),
        category_id=category.id,
        author_id=author.id,
        created_at=now,
        last_activity_at=now,
        is_locked=False,
        is_pinned=False,
        status=status,
    )
    db.session.add(thread)
    db.session.flush()
    post = _new_post(thread, author, body, status, now, opening=True)
    if reason:
        _queue(post, reason, detail, now)
    set_follow(author, now, follow=True, thread_id=thread.id)
    touch_search(thread, now)
    if status == PUBLISHED:
        notify_new_post(post, now)
    db.session.flush()
    return thread


def _new_post(
    thread: ForumThread, author: User, body: str, status: str, now: datetime, *, opening=False
) -> ForumPost:
    post = ForumPost(
        thread_id=thread.id,
        author_id=author.id,
        is_opening=opening,
        is_staff_reply=False,
        body=body,
        body_html=notifications.render_post(body),
        body_hash=body_hash(body),
        status=status,
        created_at=now,
        like_count=0,
        moderation_note="",
    )
    db.session.add(post)
    db.session.flush()
    return post


def post_reply(
    thread: ForumThread, author: User, body: str, now: datetime, *, as_staff: bool = False
) -> ForumPost:
    """Reply to a thread. ``as_staff`` marks a support agent's answer (e.g. a ticket's
    resolution posted back); it skips the new-member checks but not visibility.

    :raises DomainError: the thread is locked or not visible, the body empty or repeated ...
    :raises RateLimited: posting too fast.
    """
    check_can_post(author, now)
    if not can_see_thread(author, thread) or thread.status not in {PUBLISHED, PENDING}:
        raise DomainError("This thread is not open for replies.")
    if thread.is_locked and not is_moderator(author) and not as_staff:
        raise DomainError("This thread is locked; it takes no more replies.", "body")
    body = clean_body(body)
    if as_staff:
        status, reason, detail = PUBLISHED, None, ""
    else:
        status, reason, detail = screen(author, body, now, thread)
    post = _new_post(thread, author, body, status, now)
    post.is_staff_reply = as_staff
    if reason:
        _queue(post, reason, detail, now)
    if status == PUBLISHED:
        publish_effects(post, now)
    db.session.flush()
    return post


def publish_effects(post: ForumPost, now: datetime) -> None:
    """What happens when a post becomes public: activity time, search, followers' e-mail."""
    thread = post.thread
    if thread.status == PUBLISHED:
        thread.last_activity_at = max(thread.last_activity_at, now)
        notify_new_post(post, now)
        notifications.on_publish(post, now)
    touch_search(thread, now)


def quote_text(post: ForumPost) -> str:
    """Markdown that quotes a post, for the reply box."""
    quoted = "\n".join("> " + line for line in post.body.splitlines())
    return f"{post.author.display_name} wrote:\n{quoted}\n\n"


def delete_post(post: ForumPost, actor: User, now: datetime) -> None:
    """Soft-delete a post (moderators still see it). Deleting the opening post deletes the
    thread.

    :raises DomainError: not allowed.
    """
    if not can_delete_forum_post(actor, post):
        raise DomainError("You can only delete your own posts.")
    post.status = DELETED
    thread = post.thread
    if post.is_opening:
        thread.status = DELETED
    if thread.accepted_post_id == post.id:
        thread.accepted_post_id = None
    if is_moderator(actor) and actor.id != post.author_id:
        audit(actor, "delete", "post", post.id, "", now)
    touch_search(thread, now)
    db.session.flush()


def toggle_like(post: ForumPost, user: User, now: datetime) -> bool:
    """Like a post, or take the like back. :returns: whether the user now likes it.

    :raises DomainError: own post, not visible, or silenced.
    """
    if not can(user, "forum.like") or not can_see_post(user, post) or post.status != PUBLISHED:
        raise DomainError("You can't like this post.")
    if post.author_id == user.id:
        raise DomainError("You can't like your own post.")
    if trust.silenced_until(user, now):
        raise DomainError("Your account is silenced for now.")
    like_id = db.session.scalar(
        select(ForumLike.id).where(ForumLike.post_id == post.id, ForumLike.user_id == user.id)
    )
    if like_id is None:
        # Another request of the same person may be inserting it right now: then it is liked.
        values = {"post_id": post.id, "user_id": user.id, "created_at": now}
        if insert_once(ForumLike, values, ["post_id", "user_id"]):
            _count_like(post, 1)
            notifications.on_like(post, user, now)
        liked = True
    else:
        if db.session.execute(delete(ForumLike).where(ForumLike.id == like_id)).rowcount:
            _count_like(post, -1)
        liked = False
    db.session.flush()
    return liked


def _count_like(post: ForumPost, change: int) -> None:
    """Add ``change`` to the post's like count in the database itself, so likes that arrive at
    the same time all count (a value read earlier and written back would lose some)."""
    count = ForumPost.like_count + change
    db.session.execute(
        update(ForumPost)
        .where(ForumPost.id == post.id)
        .values(like_count=case((count < 0, 0), else_=count))
        .execution_options(synchronize_session=False)
    )
    db.session.expire(post, ["like_count"])


def accept_answer(post: ForumPost, actor: User, now: datetime) -> None:
    """Mark a reply as the thread's accepted answer (again on the same post: unmark it).

    :raises DomainError: not the asker or a moderator, or not a published reply.
    """
    thread = post.thread
    if not can_accept_forum_answer(actor, thread):
        raise DomainError("Only the person who asked (or a moderator) can accept an answer.")
    if post.is_opening or post.status != PUBLISHED:
        raise DomainError("Only a published reply can be the accepted answer.")
    thread.accepted_post_id = None if thread.accepted_post_id == post.id else post.id
    if thread.accepted_post_id == post.id:
        notifications.on_accept(post, actor, now)
    if is_moderator(actor) and actor.id != thread.author_id:
        audit(actor, "accept_answer", "thread", thread.id, f"post {post.id}", now)
    touch_search(thread, now)
    db.session.flush()


def mark_thread_escalated(
    thread: ForumThread, ticket_ref: str, actor: User, now: datetime, *, ticket_id=None
) -> None:
    """Record that the thread became a support ticket (the tickets package calls this).

    :param ticket_ref: the ticket's reference shown to people (e.g. ``"HC-1042"``).
    :param ticket_id: the ticket's primary key; taken from ``ticket_ref`` when it is a number.
    """
    ref = str(ticket_ref)
    thread.escalated_ticket_ref = ref[:40]
    thread.escalated_ticket_id = (
        ticket_id if ticket_id is not None else (int(ref) if ref.isdigit() else None)
    )
    thread.escalated_at = now
    if actor is not None and is_moderator(actor) and actor.id != thread.author_id:
        audit(actor, "escalate", "thread", thread.id, f"ticket {ref}", now)
    db.session.flush()


def mark_escalation_taken(thread_id: int, now: datetime) -> None:
    """A support agent took the thread's request (the tickets package calls this); the first
    time counts, later calls change nothing."""
    thread = db.session.get(ForumThread, thread_id)
    if thread is not None and thread.escalation_taken_at is None:
        thread.escalation_taken_at = now
        db.session.flush()
