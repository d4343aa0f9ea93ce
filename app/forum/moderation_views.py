"""Moderators' pages: the review queue, post history, thread and user actions, the audit log
and the moderators' help (which shows the rule numbers in force).

Actions that are hard to undo (reject, suspend, merge, split) take two steps: the first POST is
checked and answered with a confirmation page (``_confirm.html``) that posts the same fields
again with ``confirm=1``; only that second POST acts."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.accounts.models import User
from app.accounts.permissions import require
from app.confirm import confirm_page, confirmed
from app.extensions import db
from app.forum import moderation, services, thread_actions, trust
from app.forum.forms import (
    MemberModerationForm,
    ModeratePostForm,
    ModerateThreadForm,
    ReviewForm,
)
from app.forum.models import (
    ForumFlag,
    ForumModerationLog,
    ForumPost,
    ForumPostRevision,
    ForumReviewItem,
)
from app.forum.posting_views import form_error
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


def _reason_sentence(reason: str | None) -> str:
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
        except services.ForumError as caught:
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
        summary=[*summary, _reason_sentence(form.reason.data)],
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


@bp.route("/posts/<int:post_id>/moderate", methods=["POST"])
@require("forum.moderate")
def moderate_post(post_id: int):
    post = db.session.get(ForumPost, post_id) or abort(404)
    form = ModeratePostForm()
    if form.validate_on_submit():
        try:
            moderation.moderate_post(
                post, current_user, request.form.get("action", ""), form.reason.data or "", utcnow()
            )
        except services.ForumError as caught:
            flash(caught.message, "error")
        else:
            commit()
            flash("Done.", "success")
    return redirect(url_for("forum.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}"))


def _thread_form(thread) -> ModerateThreadForm:
    form = ModerateThreadForm()
    form.category.choices = [SelectChoice("", "Choose…")] + [
        SelectChoice(category.slug, category.name) for category in services.categories()
    ]
    form.post_ids.choices = [
        SelectChoice(post.id, f"#{post.id} by {post.author.display_name}")
        for post in thread.posts
        if not post.is_opening
    ]
    return form


@bp.route("/t/<int:thread_id>/moderate", methods=["GET", "POST"])
@require("forum.moderate")
def moderate_thread(thread_id: int):
    thread = services.get_thread(thread_id) or abort(404)
    form = _thread_form(thread)
    if form.validate_on_submit():
        action, reason, now = request.form.get("action", ""), form.reason.data or "", utcnow()
        destination = thread
        try:
            if action in {"lock", "unlock", "pin", "unpin"}:
                thread_actions.set_thread_flag(thread, current_user, action, reason, now)
            elif action == "move":
                category = services.category_by_slug(form.category.data or "")
                if category is None:
                    raise services.ForumError("Choose a category.", "category")
                thread_actions.move_thread(thread, category, current_user, reason, now)
            elif action == "merge":
                target = services.get_thread(form.target.data or 0)
                if target is None:
                    raise services.ForumError("There is no thread with that number.", "target")
                if not confirmed():
                    thread_actions.check_merge(thread, target)
                    return _confirm_merge(thread, target, form)
                thread_actions.merge_threads(thread, target, current_user, reason, now)
                destination = target
            elif action == "split":
                post_ids = form.post_ids.data or []
                if not confirmed():
                    title, posts = thread_actions.split_selection(thread, post_ids, form.title.data)
                    return _confirm_split(thread, title, posts, form)
                destination = thread_actions.split_thread(
                    thread, post_ids, form.title.data, current_user, reason, now
                )
            else:
                raise services.ForumError("Choose an action.")
        except services.ForumError as caught:
            form_error(form, caught)
        else:
            commit()
            flash(f"Done: {action}.", "success")
            return redirect(url_for("forum.thread", thread_id=destination.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/moderation/thread.html", thread=thread, form=form), status


def _confirm_merge(thread, target, form: ModerateThreadForm):
    return confirm_page(
        form,
        stylesheet="css/forum.css",
        heading=f"Merge “{thread.title}” into “{target.title}”?",
        summary=[
            f"Every post of thread {thread.id} moves into thread {target.id}, “{target.title}”, "
            "after its own posts; its followers follow that thread from now on.",
            f"Thread {thread.id} then only leads to thread {target.id}. Merging can't be undone; "
            "replies can be split off again one by one.",
            _reason_sentence(form.reason.data),
        ],
        carry=[("action", "merge"), ("target", target.id), ("reason", form.reason.data)],
        button=f"Yes, merge into thread {target.id}",
        cancel_url=url_for("forum.moderate_thread", thread_id=thread.id),
    )


def _confirm_split(thread, title: str, posts, form: ModerateThreadForm):
    return confirm_page(
        form,
        stylesheet="css/forum.css",
        heading=f"Move {len(posts)} repl{'y' if len(posts) == 1 else 'ies'} to a new thread?",
        summary=[
            f"A new thread “{title}” is made in {thread.category.name}; the first of these "
            f"replies becomes its opening post. They leave “{thread.title}”:",
        ],
        items=[f"#{post.id} by {post.author.display_name}" for post in posts],
        links=[(f"Back to “{thread.title}”", url_for("forum.thread", thread_id=thread.id))],
        carry=[
            ("action", "split"),
            ("title", title),
            ("reason", form.reason.data),
            *(("post_ids", post.id) for post in posts),
        ],
        button="Yes, split them off",
        cancel_url=url_for("forum.moderate_thread", thread_id=thread.id),
    )


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
                raise services.ForumError("Choose an action.")
        except services.ForumError as caught:
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
            _reason_sentence(form.reason.data),
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
    return render_template("forum/moderation/log.html", page=page)


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
        hide_min_level=int(config["FORUM_FLAG_HIDE_MIN_LEVEL"]),
    )
