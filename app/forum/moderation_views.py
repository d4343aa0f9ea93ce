"""Moderators' pages: the review queue, post history, thread and user actions, the audit log
and the moderators' help (which shows the rule numbers in force).

Actions that are hard to undo (reject, suspend, merge, split) take two steps: the first POST is
checked and answered with a confirmation page (``_confirm.html``) that posts the same fields
again with ``confirm=1``; only that second POST acts."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import require
from app.confirm import confirm_page, confirmed
from app.errors import DomainError, form_error
from app.extensions import db
from app.forum import moderation, trust
from app.forum.forms import (
    MemberModerationForm,
    ModeratePostForm,
    ReviewForm,
)
from app.forum.models import (
    ForumFlag,
    ForumModerationLog,
    ForumPost,
    ForumPostRevision,
    ForumReviewItem,
)
from app.forum.views import bp, render_profile
from app.models import utcnow
from app.outbox import commit
from app.request_args import page_arg

REASON_LABELS = {
    "new_user": "New member's post",
    "flags": "Flagged",
    "spam": "Caught by spam checks",
    "edit": "Edit awaiting review",
    "split": "Opening post of a split thread",
}

#: What a queue decision did, said after it (the thread's title follows).
QUEUE_FLASHES = {
    "approve": "Post approved: everyone can see it",
    "edit": "Post edited and approved",
    "reject": "Post rejected: only moderators can see it now",
    "hide": "Post hidden",
    "silence": "Post hidden and its author silenced",
    "suspend": "Post hidden and its author suspended",
    "agree": "Flags upheld: the post is hidden.",
    "disagree": "Flags dismissed: the post stays, and the flaggers' record counts it.",
    "ignore": "Flags ignored: the post stays as it is and nobody's record changes.",
}

#: Queue actions that ask for confirmation first.
CONFIRM_QUEUE_ACTIONS = {"reject", "suspend"}


def reason_sentence(reason: str | None) -> str:
    return f"Reason for the log: {reason}" if reason else "No reason given for the log."


@bp.route("/moderation/queue")
@require("forum.moderate")
def queue():
    page = db.paginate(moderation.open_queue_query(), page=page_arg(), per_page=20, error_out=False)
    return render_template(
        "forum/moderation/queue.html", page=page, labels=REASON_LABELS, now=utcnow()
    )


@bp.route("/moderation/queue/<int:item_id>", methods=["GET", "POST"])
@require("forum.moderate")
def review_item(item_id: int):
    item = db.session.get(ForumReviewItem, item_id) or abort(404)
    form = ReviewForm()
    now = utcnow()
    if request.method == "GET" and not form.body.data:
        form.body.data = item.post.held_body or item.post.body
    if form.validate_on_submit():
        action = request.form.get("action", "")
        try:
            if action == "claim":
                moderation.claim(item, current_user, now)
            elif action == "release":
                moderation.release(item, current_user)
            elif action in CONFIRM_QUEUE_ACTIONS and not confirmed():
                if action == "suspend":
                    moderation.check_suspendable(item.post.author)
                return _confirm_queue_action(item, form, action)
            else:
                moderation.resolve(
                    item,
                    current_user,
                    action,
                    now,
                    reason=form.reason.data or "",
                    body=form.body.data,
                    silence_hours=form.silence_hours.data,
                )
        except DomainError as caught:
            form_error(form, caught)
        else:
            commit()
            if action in {"claim", "release"}:
                flash(
                    "You are handling this item." if action == "claim" else "Released.", "success"
                )
                return redirect(url_for("forum.review_item", item_id=item.id))
            done = QUEUE_FLASHES.get(action, "Done")
            flash(f"{done} (\u201c{item.post.thread.title}\u201d).", "success")
            return redirect(url_for("forum.queue"))
    flags = db.session.scalars(
        select(ForumFlag).where(ForumFlag.post_id == item.post_id).order_by(ForumFlag.id)
    ).all()
    status = 409 if form.form_errors else (422 if form.errors else 200)
    return render_template(
        "forum/moderation/item.html",
        item=item,
        post=item.post,
        flags=flags,
        form=form,
        labels=REASON_LABELS,
        author_level=trust.level_name(trust.trust_level_for(item.post.author, now)),
        flag_weight=moderation.open_flag_weight(item.post),
        now=now,
    ), status


def _confirm_queue_action(item: ForumReviewItem, form: ReviewForm, action: str):
    post, author = item.post, item.post.author.display_name
    where = f"“{post.thread.title}”"
    if action == "reject" and item.reason == "edit":
        heading = f"Reject this edit by {author}?"
        summary = [
            f"The edit is dropped; the post in {where} keeps the text everyone sees now.",
            "The earlier approved text stays; the post is not removed.",
        ]
        button = "Yes, reject the edit"
    elif action == "reject":
        heading = f"Reject this post by {author}?"
        summary = [
            f"The whole thread {where} is removed from the forum, replies included."
            if post.is_opening
            else f"The reply disappears from {where}.",
            "From then on only moderators see it; one can restore it from the thread page.",
        ]
        button = "Yes, reject the post"
    else:
        heading = f"Hide this post and suspend {author}?"
        summary = [
            f"The post in {where} is hidden.",
            f"{author} is signed out everywhere and can't sign in until a moderator lifts the "
            "suspension on their profile.",
        ]
        button = f"Yes, hide and suspend {author}"
    return confirm_page(
        form,
        stylesheet="css/forum.css",
        heading=heading,
        summary=[*summary, reason_sentence(form.reason.data)],
        carry=[("action", action), ("reason", form.reason.data)],
        button=button,
        cancel_url=url_for("forum.review_item", item_id=item.id),
    )


@bp.route("/posts/<int:post_id>/history")
@require("forum.moderate")
def post_history(post_id: int):
    post = db.session.get(ForumPost, post_id) or abort(404)
    revisions = db.session.scalars(
        select(ForumPostRevision)
        .where(ForumPostRevision.post_id == post.id)
        .order_by(ForumPostRevision.id.desc())
    ).all()
    return render_template("forum/moderation/history.html", post=post, revisions=revisions)


@bp.route("/posts/<int:post_id>/hide")
@require("forum.moderate")
def hide_post(post_id: int):
    """Hiding asks first, with a field for the reason the author and the log will see."""
    post = db.session.get(ForumPost, post_id) or abort(404)
    return render_template("forum/moderation/hide.html", post=post, form=ModeratePostForm())


@bp.route("/posts/<int:post_id>/moderate", methods=["POST"])
@require("forum.moderate")
def moderate_post(post_id: int):
    post = db.session.get(ForumPost, post_id) or abort(404)
    form = ModeratePostForm()
    action = request.form.get("action", "")
    if form.validate_on_submit():
        if action == "hide" and not confirmed():
            return render_template("forum/moderation/hide.html", post=post, form=form)
        was_pending = post.status == "pending"
        try:
            moderation.moderate_post(post, current_user, action, form.reason.data or "", utcnow())
        except DomainError as caught:
            flash(caught.message, "error")
        else:
            commit()
            flash(_post_flash(action, was_pending, form.reason.data), "success")
    elif action == "hide":  # a reason too long: the question again, with the message
        return render_template("forum/moderation/hide.html", post=post, form=form), 422
    return redirect(url_for("forum.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}"))


def _post_flash(action: str, was_pending: bool, reason: str | None) -> str:
    if action == "hide":
        return f"Post hidden: {reason}." if reason else "Post hidden."
    if was_pending:
        return "Post approved: everyone can see it."
    return "Post restored: everyone can see it again."


USER_ACTION_MESSAGES = {
    "silence": "Silenced: {name} can read but not post, like or flag for now.",
    "suspend": "Suspended: {name} is signed out and can't sign in.",
    "unsuspend": "Suspension lifted: {name} can sign in again.",
}


@bp.route("/users/<int:user_id>/moderate", methods=["POST"])
@require("forum.moderate")
def moderate_user(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    form = MemberModerationForm()
    if form.validate_on_submit():
        action, reason, now = request.form.get("action", ""), form.reason.data or "", utcnow()
        try:
            if action == "silence":
                moderation.silence_user(
                    person, current_user, now, hours=form.silence_hours.data, reason=reason
                )
            elif action == "suspend":
                if not confirmed():
                    moderation.check_suspendable(person)
                    return _confirm_suspend(person, form)
                moderation.suspend_user(person, current_user, now, reason=reason)
            elif action == "unsuspend":
                moderation.unsuspend_user(person, current_user, now, reason=reason)
            else:
                raise DomainError("Choose an action.")
        except DomainError as caught:
            form_error(form, caught)
        else:
            commit()
            flash(USER_ACTION_MESSAGES[action].format(name=person.display_name), "success")
            return redirect(url_for("forum.profile", user_id=person.id))
    # The profile again, with what was typed and the message next to its field.
    return render_profile(person, form), 422


def _confirm_suspend(person: User, form: MemberModerationForm):
    name = person.display_name
    return confirm_page(
        form,
        stylesheet="css/forum.css",
        heading=f"Suspend {name}'s account?",
        summary=[
            f"{name} is signed out everywhere at once and can't sign in; their posts stay as "
            "they are.",
            "You can lift the suspension on this profile later; they then sign in again.",
            reason_sentence(form.reason.data),
        ],
        carry=[("action", "suspend"), ("reason", form.reason.data)],
        button=f"Yes, suspend {name}",
        cancel_url=url_for("forum.profile", user_id=person.id),
    )


@bp.route("/moderation/log")
@require("forum.audit")
def audit_log():
    page = db.paginate(
        select(ForumModerationLog).order_by(ForumModerationLog.id.desc()),
        page=page_arg(),
        per_page=50,
        error_out=False,
    )
    post_ids = {e.target_id for e in page.items if e.target_type == "post"}
    post_threads = dict(
        db.session.execute(
            select(ForumPost.id, ForumPost.thread_id).where(ForumPost.id.in_(post_ids))
        ).all()
    )
    return render_template("forum/moderation/log.html", page=page, post_threads=post_threads)


@bp.route("/moderation/help")
@require("forum.moderate")
def moderation_help():
    config = current_app.config
    return render_template(
        "forum/moderation/help.html",
        config=config,
        levels=config["FORUM_TRUST_LEVELS"],
        limits=sorted(
            ((int(level), values) for level, values in config["FORUM_LEVEL_LIMITS"].items())
        ),
        level_name=trust.level_name,
        weights=sorted(
            (int(level), weight) for level, weight in config["FORUM_FLAG_WEIGHTS"].items()
        ),
        hide_min_level=config["FORUM_FLAG_HIDE_MIN_LEVEL"],
    )
