"""Screening a new post before it is saved: who may post, the body rules, identical repeats,
posting rate limits per trust level, spam checks and pre-moderation of new members.

The numbers come from configuration through ``trust`` and ``rules``; the counts come from the
database, so limits hold across processes and tests can inject ``now``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.permissions import can
from app.errors import DomainError
from app.extensions import db
from app.forum import rules, trust
from app.forum.models import DELETED, PENDING, PUBLISHED, REJECTED, ForumPost

MAX_BODY = 20_000


class RateLimited(DomainError):
    """Posting too fast: ``retry_after`` seconds until the next post is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"You are posting too quickly. Please try again in {retry_after} seconds.", "body"
        )
        self.retry_after = retry_after


def body_hash(body: str) -> str:
    """Hash of the text with case and white space normalised (so trivial changes still match)."""
    normalised = " ".join(body.lower().split())
    return hashlib.sha256(normalised.encode()).hexdigest()


def check_can_post(author: User, now: datetime) -> None:
    if not can(author, "forum.post"):
        raise DomainError("Sign in with an active account to post.")
    until = trust.silenced_until(author, now)
    if until is not None:
        raise DomainError(
            f"A moderator has silenced your account until {until:%d %b %Y, %H:%M} UTC; "
            "you can read but not post until then.",
            "body",
        )


def clean_body(body: str) -> str:
    """The body without control characters; refused when nothing visible is left."""
    body = rules.without_controls(body).strip()
    if not rules.has_visible_text(body):
        raise DomainError("Write your message.", "body")
    if len(body) > MAX_BODY:
        raise DomainError(f"Keep it under {MAX_BODY} characters.", "body")
    return body


def rate_limits_on() -> bool:
    config = current_app.config
    return bool(config.get("RATELIMIT_ENABLED")) and config["FORUM_RATE_LIMITS_ENABLED"]


def check_images(author: User, body: str, limits: dict) -> None:
    """:raises DomainError: images from a member whose trust level may not post them."""
    trusted = trust.is_trusted_role(author)
    if not trusted and not limits.get("images", True) and rules.has_images(body):
        raise DomainError(
            "New members can't post images yet; link to the picture instead. "
            "See your profile for what the next trust level needs.",
            "body",
        )


def thread_links(thread) -> set[str]:
    """Links in the thread's public posts: quoting them is not posting new links."""
    if thread is None:
        return set()
    bodies = db.session.scalars(
        select(ForumPost.body).where(
            ForumPost.thread_id == thread.id, ForumPost.status == PUBLISHED
        )
    )
    return {url for body in bodies for url in rules.links_in(body)}


def screen(author: User, body: str, now: datetime, thread=None) -> tuple[str, str | None, str]:
    """Check a new post against the rules; return its status, review reason and detail.

    :raises DomainError: images from a new user, or the same text posted again.
    :raises RateLimited: too many posts in the window of the author's trust level.
    """
    config = current_app.config
    trusted = trust.is_trusted_role(author)
    level = trust.trust_level_for(author, now)
    limits = trust.limits_for_level(level)
    check_images(author, body, limits)
    digest = body_hash(body)
    window = timedelta(seconds=config["FORUM_DUPLICATE_WINDOW_SECONDS"])
    repeated = db.session.scalar(
        select(ForumPost.id).where(
            ForumPost.author_id == author.id,
            ForumPost.body_hash == digest,
            ForumPost.created_at > now - window,
            ForumPost.status.not_in((DELETED, REJECTED)),
        )
    )
    if repeated is not None:
        raise DomainError(
            "You already posted exactly this message. Please don't repeat posts.", "body"
        )
    if not trusted and rate_limits_on():
        seconds = int(limits["window_seconds"])
        recent = db.session.scalars(
            select(ForumPost.created_at).where(
                ForumPost.author_id == author.id,
                ForumPost.created_at > now - timedelta(seconds=seconds),
            )
        ).all()
        wait = rules.rate_limit_wait(recent, now, int(limits["posts_per_window"]), seconds)
        if wait:
            raise RateLimited(wait)
    if trusted:
        return PUBLISHED, None, ""
    reason, detail = review_reason(author, body, now, level, limits, thread_links(thread))
    return (PENDING, reason, detail) if reason else (PUBLISHED, None, "")


def review_reason(
    author: User, body: str, now: datetime, level: int, limits: dict, quotable=frozenset()
) -> tuple[str | None, str]:
    """Why this text by ``author`` must wait for a moderator, as a new post or as an edit:
    ``("spam", detail)``, ``("new_user", detail)`` or ``(None, "")``. Moderators and staff
    never wait.
    """
    if trust.is_trusted_role(author):
        return None, ""
    config = current_app.config
    reasons = rules.spam_reasons(
        body,
        max_links=int(limits["max_links"]),
        blocked_words=config["FORUM_BLOCKED_WORDS"],
        blocked_domains=config["FORUM_BLOCKED_DOMAINS"],
        quotable_links=quotable,
    )
    window = timedelta(seconds=config["FORUM_DUPLICATE_WINDOW_SECONDS"])
    copied = db.session.scalar(
        select(ForumPost.id).where(
            ForumPost.author_id != author.id,
            ForumPost.body_hash == body_hash(body),
            ForumPost.created_at > now - window,
        )
    )
    if copied is not None:
        reasons.append("identical to a recent post by another account")
    if reasons:
        return "spam", "; ".join(reasons)
    approved = db.session.scalar(
        select(func.count(ForumPost.id)).where(
            ForumPost.author_id == author.id, ForumPost.status == PUBLISHED
        )
    )
    if rules.needs_premoderation(level, approved or 0, config["FORUM_PREMODERATE_POSTS"]):
        return "new_user", "First posts of a new member"
    return None, ""
