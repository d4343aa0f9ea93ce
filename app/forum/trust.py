"""A user's forum standing from the database: activity, trust level, limits, silence.

The rules themselves are pure (``rules.py``); this module only gathers their inputs.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.accounts.permissions import is_moderator, is_staff
from app.extensions import db
from app.forum import rules
from app.forum.models import ForumFlag, ForumLike, ForumPost, ForumReadMark, ForumUserState
from app.forum.visibility import public_posts_filter
from app.forum.writes import insert_once


def state_for(user: User) -> ForumUserState:
    """The user's forum state row, created on first use (once, even by racing requests)."""
    state = db.session.get(ForumUserState, user.id)
    if state is None:
        insert_once(ForumUserState, {"user_id": user.id, "posts_read": 0}, ["user_id"])
        state = db.session.get(ForumUserState, user.id)
    return state


def activity_for(user: User, now: datetime) -> rules.Activity:
    """Account age, posts read, public posts, likes received on them and upheld flags."""
    state = db.session.get(ForumUserState, user.id)
    posts = db.session.scalar(
        select(func.count(ForumPost.id)).where(
            ForumPost.author_id == user.id, public_posts_filter()
        )
    )
    likes = db.session.scalar(
        select(func.count(ForumLike.id))
        .join(ForumPost, ForumPost.id == ForumLike.post_id)
        .where(ForumPost.author_id == user.id, public_posts_filter())
    )
    flags = db.session.scalar(
        select(func.count(ForumFlag.id))
        .join(ForumPost, ForumPost.id == ForumFlag.post_id)
        .where(ForumPost.author_id == user.id, ForumFlag.outcome == "upheld")
    )
    return rules.Activity(
        days=(now - user.created_at).total_seconds() / 86400,
        posts_read=state.posts_read if state else 0,
        posts=posts or 0,
        likes_received=likes or 0,
        flags_against=flags or 0,
    )


def is_trusted_role(user: User) -> bool:
    """Moderators and the support team skip the new-user limits and the queue."""
    return is_moderator(user) or is_staff(user)


def top_level() -> int:
    levels = current_app.config["FORUM_TRUST_LEVELS"]
    return max((level["level"] for level in levels), default=0)


def trust_level_for(user: User, now: datetime) -> int:
    """The user's trust level now (moderators and staff have the top level)."""
    if is_trusted_role(user):
        return top_level()
    return rules.trust_level(activity_for(user, now), current_app.config["FORUM_TRUST_LEVELS"])


def level_name(level: int) -> str:
    if level == 0:
        return current_app.config["FORUM_TRUST_LEVEL_0_NAME"]
    for item in current_app.config["FORUM_TRUST_LEVELS"]:
        if item["level"] == level:
            return item["name"]
    return f"Level {level}"


def limits_for_level(level: int) -> dict:
    return dict(rules.level_limits(level, current_app.config["FORUM_LEVEL_LIMITS"]))


def progress_for(user: User, now: datetime) -> dict:
    """Trust level, its name, and what the next level needs (for the profile page)."""
    activity = activity_for(user, now)
    levels = current_app.config["FORUM_TRUST_LEVELS"]
    level = top_level() if is_trusted_role(user) else rules.trust_level(activity, levels)
    upcoming = None if is_trusted_role(user) else rules.next_level(activity, levels)
    return {
        "level": level,
        "name": level_name(level),
        "activity": activity,
        "next": upcoming,
        "requirements": rules.requirements(activity, upcoming) if upcoming else [],
    }


def flag_track_record(user: User) -> tuple[int, int]:
    """How many of the user's past flags were upheld and how many dismissed."""
    rows = dict(
        db.session.execute(
            select(ForumFlag.outcome, func.count(ForumFlag.id))
            .where(ForumFlag.flagger_id == user.id, ForumFlag.outcome.is_not(None))
            .group_by(ForumFlag.outcome)
        ).all()
    )
    return rows.get("upheld", 0), rows.get("dismissed", 0)


def flag_standing(user: User, now: datetime) -> tuple[float, int]:
    """The weight a new flag by ``user`` carries (trust level, track record and account age)
    and the user's trust level."""
    config = current_app.config
    upheld, dismissed = flag_track_record(user)
    level = trust_level_for(user, now)
    weight = rules.flag_weight(
        level,
        upheld=upheld,
        dismissed=dismissed,
        is_moderator=is_moderator(user),
        weights=config["FORUM_FLAG_WEIGHTS"],
        moderator_weight=config["FORUM_MODERATOR_FLAG_WEIGHT"],
        account_days=(now - user.created_at).total_seconds() / 86400,
        full_weight_days=config["FORUM_FLAG_FULL_WEIGHT_DAYS"],
    )
    return weight, level


def silenced_until(user: User, now: datetime) -> datetime | None:
    """When the user's silence ends, or None if they are not silenced now."""
    state = db.session.get(ForumUserState, user.id)
    if state and state.silenced_until and state.silenced_until > now:
        return state.silenced_until
    return None


def record_read(user: User, thread_id: int, post_ids: list[int]) -> None:
    """Count posts the user sees for the first time (each post counts once per user, also
    when several tabs show the thread at the same moment)."""
    if not post_ids:
        return
    key = {"user_id": user.id, "thread_id": thread_id}
    read_up_to = db.session.scalar(
        select(ForumReadMark.last_post_id).where(
            ForumReadMark.user_id == user.id, ForumReadMark.thread_id == thread_id
        )
    )
    if read_up_to is not None and max(post_ids) <= read_up_to:
        # Read before (most signed-in views): nothing to count, so no write and no row lock.
        return
    insert_once(ForumReadMark, {**key, "last_post_id": 0}, ["user_id", "thread_id"])
    state_for(user)
    # Row locks on PostgreSQL (SQLite has taken its write lock with the insert), so a racing
    # request reads the mark only after this one moved it.
    mark = db.session.scalar(
        select(ForumReadMark)
        .where(ForumReadMark.user_id == user.id, ForumReadMark.thread_id == thread_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    new = [post_id for post_id in post_ids if post_id > mark.last_post_id]
    if new:
        mark.last_post_id = max(new)
        db.session.execute(
            update(ForumUserState)
            .where(ForumUserState.user_id == user.id)
            .values(posts_read=ForumUserState.posts_read + len(new))
            .execution_options(synchronize_session=False)
        )
        db.session.expire(state_for(user), ["posts_read"])
    db.session.flush()
