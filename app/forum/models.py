"""Forum tables: categories, threads, posts and their revisions, likes, flags, follows,
read marks, per-user forum state, the review queue and the moderators' audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db

#: Post and thread states. Who may see which is decided in ``visibility.py`` alone.
PUBLISHED, PENDING, HIDDEN, DELETED, REJECTED, MERGED = (
    "published", "pending", "hidden", "deleted", "rejected", "merged",
)  # fmt: skip
FLAG_REASONS = {
    "spam": "Spam",
    "inappropriate": "Inappropriate",
    "off_topic": "Off-topic",
    "other": "Something else",
}


class ForumCategory(db.Model):
    __tablename__ = "forum_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    #: Order on the forum's front page.
    position: Mapped[int] = mapped_column(default=0)


class ForumThread(db.Model):
    __tablename__ = "forum_thread"
    __table_args__ = (
        Index("ix_forum_thread_listing", "category_id", "status", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_category.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime]
    #: Time of the latest published post; the "latest activity" sort.
    last_activity_at: Mapped[datetime]
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    #: The reply the asker (or a moderator) accepted. No foreign key: the two tables point at
    #: each other, and a plain column keeps the migration simple on SQLite.
    accepted_post_id: Mapped[int | None]
    #: ``published``, ``pending`` (opening post awaits review), ``hidden``, ``deleted`` or
    #: ``merged`` (its posts moved to ``merged_into_id``).
    status: Mapped[str] = mapped_column(String(20), default=PUBLISHED, index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("forum_thread.id"))
    #: The ticket this thread was escalated to (set by the tickets package).
    escalated_ticket_id: Mapped[int | None]
    escalated_ticket_ref: Mapped[str | None] = mapped_column(String(40))
    escalated_at: Mapped[datetime | None]
    #: When a support agent first took the escalated request (claimed, assigned or answered);
    #: until then the thread says "Escalated to support", never that someone is on it.
    escalation_taken_at: Mapped[datetime | None]

    category: Mapped[ForumCategory] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[author_id])
    posts: Mapped[list[ForumPost]] = relationship(
        back_populates="thread", foreign_keys="ForumPost.thread_id", order_by="ForumPost.id"
    )


class ForumPost(db.Model):
    __tablename__ = "forum_post"
    __table_args__ = (
        Index("ix_forum_post_thread_status", "thread_id", "status", "id"),
        Index("ix_forum_post_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: The opening post of its thread (the question).
    is_opening: Mapped[bool] = mapped_column(default=False)
    #: Posted by the support team (an agent's resolution of an escalated thread).
    is_staff_reply: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    #: Sanitised HTML from ``app.markup.render``; the only part templates mark safe.
    body_html: Mapped[str] = mapped_column(Text)
    #: SHA-256 of the normalised body, to refuse and catch repeated identical posts.
    body_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PUBLISHED)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    like_count: Mapped[int] = mapped_column(default=0)
    #: Why a moderator or the flags hid it (shown to moderators and the author).
    moderation_note: Mapped[str] = mapped_column(String(300), default="")
    #: An edit waiting for a moderator (its author's text would need review as a new post):
    #: everyone keeps seeing ``body`` until the edit is approved.
    held_body: Mapped[str | None] = mapped_column(Text)
    held_body_html: Mapped[str | None] = mapped_column(Text)
    held_at: Mapped[datetime | None]

    thread: Mapped[ForumThread] = relationship(back_populates="posts", foreign_keys=[thread_id])
    author: Mapped[User] = relationship(lazy="joined")


class ForumPostRevision(db.Model):
    """The body a post had before an edit; append-only, shown to moderators."""

    __tablename__ = "forum_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    #: Who replaced this body, and when.
    edited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[datetime]

    edited_by: Mapped[User] = relationship(lazy="joined")


class ForumLike(db.Model):
    __tablename__ = "forum_like"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]


class ForumFlag(db.Model):
    __tablename__ = "forum_flag"
    __table_args__ = (UniqueConstraint("post_id", "flagger_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id"), index=True)
    flagger_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: One of :data:`FLAG_REASONS`.
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    #: Weight when raised (trust, track record and account age at that time).
    weight: Mapped[float]
    #: The flagger's trust level when raised: flags below ``FORUM_FLAG_HIDE_MIN_LEVEL`` alone
    #: never hide a post.
    flagger_level: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime]
    #: ``upheld`` or ``dismissed`` once a moderator decided (the flagger's record counts these),
    #: ``ignored`` when a moderator closed the flags without judging them; None while open.
    outcome: Mapped[str | None] = mapped_column(String(20))
    resolved_at: Mapped[datetime | None]

    flagger: Mapped[User] = relationship(lazy="joined")


class ForumSubscription(db.Model):
    """A follow of one thread or one category (exactly one of the two is set)."""

    __tablename__ = "forum_subscription"
    #: One follow per person and thread or category, however many requests race to add it.
    __table_args__ = (
        UniqueConstraint("user_id", "thread_id", name="uq_forum_subscription_user_thread"),
        UniqueConstraint("user_id", "category_id", name="uq_forum_subscription_user_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_thread.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("forum_category.id"), index=True)
    created_at: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="joined")


class ForumReadMark(db.Model):
    """The highest post id a user has seen in a thread (to count posts read for trust)."""

    __tablename__ = "forum_read_mark"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id"))
    last_post_id: Mapped[int] = mapped_column(default=0)


class ForumUserState(db.Model):
    """A user's forum-only state: posts read, and a silence set by a moderator."""

    __tablename__ = "forum_user_state"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    posts_read: Mapped[int] = mapped_column(default=0)
    #: A silenced user may read but not post, flag or like until then.
    silenced_until: Mapped[datetime | None]


class ForumReviewItem(db.Model):
    """One post waiting for a moderator: pre-moderated, flagged or caught by spam checks."""

    __tablename__ = "forum_review_item"
    __table_args__ = (Index("ix_forum_review_item_open", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id"), index=True)
    #: ``new_user``, ``flags``, ``spam``, ``edit`` (a held edit) or ``split`` (the opening
    #: post of a thread split off while it was pending).
    reason: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    #: A claim keeps two moderators from acting on the same item; it expires.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    claimed_until: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: What the moderator did: ``approve``, ``reject``, ``hide``, ``edit`` ...
    outcome: Mapped[str | None] = mapped_column(String(20))

    post: Mapped[ForumPost] = relationship(lazy="joined")
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id], lazy="joined")


class ForumModerationLog(db.Model):
    """Every moderator action: who, what, when, why. Append-only."""

    __tablename__ = "forum_moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None when the system acted (a post hidden automatically by flags).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: ``approve``, ``hide``, ``lock``, ``merge``, ``silence`` ...
    action: Mapped[str] = mapped_column(String(30))
    #: ``post``, ``thread`` or ``user``.
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)

    actor: Mapped[User | None] = relationship(lazy="joined")


class ForumNotification(db.Model):
    """Something a member should hear about: a reply to their thread, a mention, a like, their
    reply accepted as the answer. Read on the notifications page."""

    __tablename__ = "forum_notification"
    __table_args__ = (
        # The member's page and unread count: newest first, unread quickly.
        Index("ix_forum_notification_user_read", "user_id", "read_at", "id"),
        # One notification of a kind per post and actor (a like taken back and given again,
        # a quoted mention) never notifies twice.
        UniqueConstraint("user_id", "kind", "post_id", "actor_id", name="uq_forum_notification"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: ``reply``, ``mention``, ``like`` or ``accepted``.
    kind: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]

    post: Mapped[ForumPost] = relationship(lazy="joined")
    actor: Mapped[User] = relationship(foreign_keys=[actor_id], lazy="joined")
