"""Moderation: flags and automatic hiding, the review queue with claims, hiding posts,
silencing and suspending members (thread actions are in ``thread_actions.py``). Every
moderator action is written to the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, true, update

from app.accounts.models import User
from app.accounts.permissions import can, is_moderator
from app.accounts.services import end_all_sessions
from app.errors import DomainError
from app.extensions import db
from app.forum import rules, trust
from app.forum.audit import audit
from app.forum.edits import HELD, apply_held_edit, drop_held_edit, edit_post
from app.forum.models import (
    DELETED,
    FLAG_REASONS,
    HIDDEN,
    MERGED,
    PENDING,
    PUBLISHED,
    REJECTED,
    ForumFlag,
    ForumPost,
    ForumReviewItem,
)
from app.forum.services import publish_effects, touch_search
from app.forum.visibility import can_see_post
from app.forum.writes import insert_once

QUEUE_ACTIONS = ("approve", "reject", "hide", "edit", "silence", "suspend")
#: Decisions on a flagged post: agree (hide; the flags were right), disagree (keep; the flags
#: count against their flaggers' record) or ignore (close the flags, count for nobody).
FLAG_ACTIONS = ("agree", "disagree", "ignore")

#: A thread's state from its opening post's (rejected and deleted posts: a deleted thread).
THREAD_STATE = {PUBLISHED: PUBLISHED, PENDING: PENDING, HIDDEN: HIDDEN}


def require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise DomainError("Only moderators can do this.")


# --- Flags ---


def open_flag_weight(post: ForumPost) -> float:
    return open_flags(post)[0]


def open_flags(post: ForumPost) -> tuple[float, int]:
    """The total weight of the post's open flags and the highest trust level among them."""
    total, highest = db.session.execute(
        select(
            func.coalesce(func.sum(ForumFlag.weight), 0.0),
            func.coalesce(func.max(ForumFlag.flagger_level), 0),
        ).where(ForumFlag.post_id == post.id, ForumFlag.outcome.is_(None))
    ).one()
    return float(total), int(highest)


def open_item(post: ForumPost, reason: str | None = None) -> ForumReviewItem | None:
    """An open review item of the post (of ``reason``, or of any reason)."""
    query = select(ForumReviewItem).where(
        ForumReviewItem.post_id == post.id, ForumReviewItem.resolved_at.is_(None)
    )
    if reason is not None:
        query = query.where(ForumReviewItem.reason == reason)
    return db.session.scalars(query.order_by(ForumReviewItem.id)).first()


def flag_post(post: ForumPost, flagger: User, reason: str, note: str, now: datetime) -> ForumFlag:
    """Flag a post for moderators. Its weight depends on the flagger's trust level, track
    record and account age; open flags hide the post pending review when they reach
    ``FORUM_FLAG_HIDE_WEIGHT`` and one of them comes from ``FORUM_FLAG_HIDE_MIN_LEVEL`` or
    above (see :func:`rules.should_auto_hide`). Staff posts are never hidden automatically.

    :raises DomainError: unknown reason, "other" without a note, own post, flagged already.
    """
    if not can(flagger, "forum.flag") or not can_see_post(flagger, post):
        raise DomainError("You can't flag this post.")
    if reason not in FLAG_REASONS:
        raise DomainError("Choose why you flag this post.", "reason")
    note = rules.without_controls(note).strip()
    if reason == "other" and not rules.has_visible_text(note):
        raise DomainError("Tell the moderators what is wrong.", "note")
    if post.author_id == flagger.id:
        raise DomainError("You can't flag your own post; edit or delete it instead.")
    if trust.silenced_until(flagger, now):
        raise DomainError("Your account is silenced for now.")
    # Flags on one post are taken one at a time (PostgreSQL row lock; SQLite writes are
    # serialised anyway), so racing flags share one review item and their total weight is
    # judged with every flag counted.
    db.session.execute(select(ForumPost.id).where(ForumPost.id == post.id).with_for_update())
    weight, level = trust.flag_standing(flagger, now)
    values = {
        "post_id": post.id,
        "flagger_id": flagger.id,
        "reason": reason,
        "note": note[:500],
        "weight": weight,
        "flagger_level": level,
        "created_at": now,
    }
    if not insert_once(ForumFlag, values, ["post_id", "flagger_id"]):
        raise DomainError("You have already flagged this post; moderators will look at it.")
    flag = db.session.scalar(
        select(ForumFlag).where(ForumFlag.post_id == post.id, ForumFlag.flagger_id == flagger.id)
    )
    item = open_item(post, "flags")
    summary = f"{FLAG_REASONS[reason]}" + (f": {note}" if note else "")
    if item is None:
        db.session.add(
            ForumReviewItem(post_id=post.id, reason="flags", detail=summary[:500], created_at=now)
        )
    else:
        item.detail = f"{item.detail}; {summary}"[:500]
    total, highest = open_flags(post)
    config = current_app.config
    if post.status == PUBLISHED and rules.should_auto_hide(
        total,
        config["FORUM_FLAG_HIDE_WEIGHT"],
        highest_level=highest,
        min_level=config["FORUM_FLAG_HIDE_MIN_LEVEL"],
        author_is_staff=trust.is_trusted_role(post.author),
    ):
        _set_post_status(post, HIDDEN, now)
        post.moderation_note = "Hidden automatically after flags; a moderator will review it."
        audit(None, "auto_hide", "post", post.id, f"flag weight {total:g}", now)
    db.session.flush()
    return flag


def _settle_flags(post: ForumPost, outcome: str, now: datetime) -> None:
    db.session.execute(
        update(ForumFlag)
        .where(ForumFlag.post_id == post.id, ForumFlag.outcome.is_(None))
        .values(outcome=outcome, resolved_at=now)
    )


def _set_post_status(post: ForumPost, status: str, now: datetime) -> None:
    """Change a post's state; the opening post carries its thread along."""
    was_public = post.status == PUBLISHED and post.thread.status == PUBLISHED
    post.status = status
    thread = post.thread
    if post.is_opening and thread.status != MERGED:
        thread.status = THREAD_STATE.get(status, DELETED)
    if status != PUBLISHED and thread.accepted_post_id == post.id:
        thread.accepted_post_id = None
    if status == PUBLISHED and not was_public:
        publish_effects(post, now)
    else:
        touch_search(thread, now)


# --- The review queue ---


def open_queue_query():
    return (
        select(ForumReviewItem)
        .where(ForumReviewItem.resolved_at.is_(None))
        .order_by(ForumReviewItem.created_at, ForumReviewItem.id)
    )


def open_queue_count() -> int:
    return db.session.scalar(
        select(func.count(ForumReviewItem.id)).where(ForumReviewItem.resolved_at.is_(None))
    )


def claim(item: ForumReviewItem, moderator: User, now: datetime) -> None:
    """Claim an item for ``CLAIM_SECONDS`` in one atomic UPDATE, so two moderators never both
    hold it; claiming one's own item again extends the claim.

    :raises DomainError: resolved already, or another moderator holds it.
    """
    require_moderator(moderator)
    until = now + timedelta(seconds=current_app.config["FORUM_CLAIM_SECONDS"])
    result = db.session.execute(
        update(ForumReviewItem)
        .where(
            ForumReviewItem.id == item.id,
            ForumReviewItem.resolved_at.is_(None),
            or_(
                ForumReviewItem.claimed_by_id.is_(None),
                ForumReviewItem.claimed_until <= now,
                ForumReviewItem.claimed_by_id == moderator.id,
            ),
        )
        .values(claimed_by_id=moderator.id, claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(item)
    if result.rowcount != 1:
        if item.resolved_at is not None:
            raise DomainError("This item was already handled.")
        holder = item.claimed_by.display_name if item.claimed_by else "another moderator"
        raise DomainError(f"{holder} is handling this item.")


def release(item: ForumReviewItem, moderator: User) -> None:
    if item.claimed_by_id == moderator.id:
        item.claimed_by_id = None
        item.claimed_until = None
        db.session.flush()


def resolve(
    item: ForumReviewItem,
    moderator: User,
    action: str,
    now: datetime,
    *,
    reason: str = "",
    body: str | None = None,
    silence_hours: int | None = None,
) -> None:
    """Act on a review item: approve, reject, hide, edit (then approve), silence or suspend
    the author (both also hide the post). Claims the item first, so a moderator never acts on
    an item someone else holds. Every other open item of the same post is closed too, except
    that a held edit (item reason ``edit``) is decided on its own: approve applies it, edit
    replaces it with the moderator's text, reject drops it and the post keeps its approved text;
    approving the post from another item leaves the held edit waiting.

    :raises DomainError: unknown action, item held by someone else or already handled.
    """
    if action not in QUEUE_ACTIONS + FLAG_ACTIONS:
        raise DomainError("Choose what to do with this post.")
    if action in FLAG_ACTIONS and item.reason != "flags":
        raise DomainError("Agree, disagree and ignore are only for flagged posts.")
    claim(item, moderator, now)
    post = item.post
    if action in FLAG_ACTIONS:
        _decide_flags(post, action, now, reason=reason)
        closing = ForumReviewItem.reason == "flags"
    elif item.reason == HELD and action in {"approve", "edit", "reject"}:
        # A decision on the held edit only: the post, its flags and other items stay as they are.
        _decide_held_edit(post, moderator, action, body, now)
        closing = ForumReviewItem.reason == HELD
    else:
        if action != "approve":
            drop_held_edit(post, moderator, now, action)
        _decide_post(
            post, moderator, action, now, reason=reason, body=body, silence_hours=silence_hours
        )
        # Approving the post leaves a held edit waiting for its own decision.
        closing = ForumReviewItem.reason != HELD if action == "approve" else true()
    db.session.execute(
        update(ForumReviewItem)
        .where(ForumReviewItem.post_id == post.id, ForumReviewItem.resolved_at.is_(None), closing)
        .values(resolved_at=now, resolved_by_id=moderator.id, outcome=action)
        .execution_options(synchronize_session=False)
    )
    audit(moderator, action, "post", post.id, reason, now, detail=f"review item {item.id}")
    db.session.flush()
    db.session.refresh(item)


def _decide_flags(post: ForumPost, action: str, now: datetime, *, reason: str) -> None:
    if action == "agree":
        _settle_flags(post, "upheld", now)
        if post.status == PUBLISHED or post.status == HIDDEN:
            _set_post_status(post, HIDDEN, now)
            post.moderation_note = (reason or "Hidden by a moderator after flags.")[:300]
    elif action == "disagree":
        _settle_flags(post, "dismissed", now)
        if post.status == HIDDEN:  # hidden automatically by the flags: it comes back
            _set_post_status(post, PUBLISHED, now)
            post.moderation_note = ""
    else:
        _settle_flags(post, "ignored", now)


def _decide_held_edit(post: ForumPost, moderator: User, action: str, body, now) -> None:
    if action == "approve":
        apply_held_edit(post, now)
    elif action == "edit":
        drop_held_edit(post, moderator, now, action)
        edit_post(post, moderator, body or "", now)
    else:
        drop_held_edit(post, moderator, now, action)


def _decide_post(
    post: ForumPost, moderator: User, action: str, now, *, reason, body, silence_hours
) -> None:
    author = post.author
    if action == "approve":
        _settle_flags(post, "dismissed", now)
        _set_post_status(post, PUBLISHED, now)
        post.moderation_note = ""
    elif action == "edit":
        edit_post(post, moderator, body or "", now)
        _settle_flags(post, "upheld", now)
        _set_post_status(post, PUBLISHED, now)
        post.moderation_note = "Edited by a moderator."
    elif action == "reject":
        _settle_flags(post, "upheld", now)
        _set_post_status(post, REJECTED, now)
    else:  # hide, silence, suspend
        _settle_flags(post, "upheld", now)
        _set_post_status(post, HIDDEN, now)
        post.moderation_note = (reason or "Hidden by a moderator.")[:300]
        if action == "silence":
            silence_user(author, moderator, now, hours=silence_hours, reason=reason)
        elif action == "suspend":
            suspend_user(author, moderator, now, reason=reason)


def moderate_post(post: ForumPost, moderator: User, action: str, reason: str, now: datetime):
    """Hide or restore one post outside the queue (from the thread page)."""
    require_moderator(moderator)
    if action == "hide":
        _settle_flags(post, "upheld", now)
        _set_post_status(post, HIDDEN, now)
        post.moderation_note = (reason or "Hidden by a moderator.")[:300]
    elif action == "restore":
        _settle_flags(post, "dismissed", now)
        _set_post_status(post, PUBLISHED, now)
        post.moderation_note = ""
    else:
        raise DomainError("Unknown action.")
    audit(moderator, action, "post", post.id, reason, now)
    db.session.flush()


def silence_user(user: User, moderator: User, now: datetime, *, hours=None, reason="") -> None:
    """The user may read but not post, like or flag for ``hours`` (default from config)."""
    require_moderator(moderator)
    hours = int(hours or current_app.config["FORUM_SILENCE_HOURS"])
    trust.state_for(user).silenced_until = now + timedelta(hours=hours)
    audit(moderator, "silence", "user", user.id, reason, now, detail=f"{hours} hours")
    db.session.flush()


def check_suspendable(user: User) -> None:
    """Refuse before asking a moderator to confirm a suspension that can't happen (and again
    when it runs).

    :raises DomainError: the account is a moderator's or the support team's.
    """
    if trust.is_trusted_role(user):
        raise DomainError("Moderators and staff can't be suspended from the forum.")


def suspend_user(user: User, moderator: User, now: datetime, *, reason="") -> None:
    """Suspend the account (no sign-in) and end its sessions; staff can't be suspended here."""
    require_moderator(moderator)
    check_suspendable(user)
    user.is_suspended = True
    end_all_sessions(user, now)
    audit(moderator, "suspend", "user", user.id, reason, now)
    db.session.flush()


def unsuspend_user(user: User, moderator: User, now: datetime, *, reason="") -> None:
    """Lift a suspension: the person may sign in again. Sessions ended by the suspension stay
    ended; they sign in afresh.

    :raises DomainError: the account isn't suspended.
    """
    require_moderator(moderator)
    if not user.is_suspended:
        raise DomainError("This account isn't suspended.")
    user.is_suspended = False
    audit(moderator, "unsuspend", "user", user.id, reason, now)
    db.session.flush()
