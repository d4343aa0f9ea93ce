"""Following threads and categories, reply notifications by e-mail, one-click unsubscribe."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, or_, select

from app.accounts.models import User
from app.accounts.permissions import can
from app.extensions import db
from app.forum.models import ForumCategory, ForumPost, ForumSubscription, ForumThread
from app.forum.writes import insert_once
from app.mail import OutgoingMail, site_link
from app.markup import plain_text
from app.outbox import record_mail


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="forum-unsubscribe")


def unsubscribe_token(subscription: ForumSubscription) -> str:
    """A signed token naming one follow; it works without signing in and never expires."""
    return _serializer().dumps({"s": subscription.id, "u": subscription.user_id})


def subscription_for_token(token: str) -> ForumSubscription | None:
    """The follow a token names, or None when it is forged or already unsubscribed."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    subscription = db.session.get(ForumSubscription, data.get("s"))
    if subscription is None or subscription.user_id != data.get("u"):
        return None
    return subscription


def unsubscribe(subscription: ForumSubscription) -> None:
    # A statement, not a unit-of-work delete: a second click that lost the race finds no row
    # and that is fine.
    db.session.execute(delete(ForumSubscription).where(ForumSubscription.id == subscription.id))
    db.session.expunge(subscription)


def _find(user: User, *, thread_id=None, category_id=None) -> ForumSubscription | None:
    return db.session.scalar(
        select(ForumSubscription).where(
            ForumSubscription.user_id == user.id,
            ForumSubscription.thread_id.is_(None)
            if thread_id is None
            else ForumSubscription.thread_id == thread_id,
            ForumSubscription.category_id.is_(None)
            if category_id is None
            else ForumSubscription.category_id == category_id,
        )
    )


def is_following(user: User, *, thread_id=None, category_id=None) -> bool:
    if not can(user, "forum.follow"):
        return False
    return _find(user, thread_id=thread_id, category_id=category_id) is not None


def set_follow(
    user: User, now: datetime, *, follow: bool, thread_id=None, category_id=None
) -> ForumSubscription | None:
    """Follow or stop following one thread or one category (idempotent, also when several
    requests of the same person arrive at once: one row at most, and none after stopping)."""
    if follow:
        key = "thread_id" if thread_id is not None else "category_id"
        values = {"user_id": user.id, "thread_id": thread_id, "category_id": category_id}
        insert_once(ForumSubscription, {**values, "created_at": now}, ["user_id", key])
        return _find(user, thread_id=thread_id, category_id=category_id)
    found = _find(user, thread_id=thread_id, category_id=category_id)
    if found is not None:
        db.session.execute(delete(ForumSubscription).where(ForumSubscription.id == found.id))
        db.session.expunge(found)
    return None


def move_thread_follows(source_id: int, target_id: int) -> int:
    """Followers of a thread merged into another follow that one instead (once each).

    :returns: how many follows moved.
    """
    following_target = set(
        db.session.scalars(
            select(ForumSubscription.user_id).where(ForumSubscription.thread_id == target_id)
        )
    )
    moved = 0
    for follow in db.session.scalars(
        select(ForumSubscription).where(ForumSubscription.thread_id == source_id)
    ).all():
        if follow.user_id in following_target:
            db.session.delete(follow)
        else:
            follow.thread_id = target_id
            following_target.add(follow.user_id)
            moved += 1
    db.session.flush()
    return moved


def _link(endpoint: str, **values) -> str:
    return site_link(endpoint, **values)


def notify_new_post(post: ForumPost, now: datetime) -> int:
    """E-mail the followers of the post's thread and category (never its author).

    Called only once a post is public (published in a published thread).

    :returns: how many messages were queued.
    """
    thread: ForumThread = post.thread
    subscriptions = db.session.scalars(
        select(ForumSubscription).where(
            or_(
                ForumSubscription.thread_id == thread.id,
                ForumSubscription.category_id == thread.category_id,
            ),
            ForumSubscription.user_id != post.author_id,
        )
    ).all()
    seen: set[int] = set()
    category: ForumCategory = thread.category
    for subscription in subscriptions:
        recipient = subscription.user
        if recipient.id in seen or recipient.is_suspended:
            continue
        seen.add(recipient.id)
        what = (
            f"the thread “{thread.title}”"
            if subscription.thread_id
            else f"the category {category.name}"
        )
        unsubscribe_url = _link("forum.unsubscribe", token=unsubscribe_token(subscription))
        excerpt = plain_text(post.body_html)[:600]
        body = (
            f"Hello {recipient.display_name},\n\n"
            f"{post.author.display_name} posted in {what}:\n\n{excerpt}\n\n"
            f"Read it: {_link('forum.thread', thread_id=thread.id, _anchor=f'post-{post.id}')}\n\n"
            f"You get this because you follow {what}. Stop these e-mails with one click:\n"
            f"{unsubscribe_url}\n"
        )
        record_mail(
            OutgoingMail(
                recipient.email,
                f"New post in “{thread.title}”",
                body,
                (
                    ("List-Unsubscribe", f"<{unsubscribe_url}>"),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ),
            ),
            now,
        )
    return len(seen)
