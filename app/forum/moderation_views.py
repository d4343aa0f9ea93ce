"""Moderators' pages: the review queue, post history, thread and user actions, the audit log
and the moderators' help (which shows the rule numbers in force)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.accounts.models import User
from app.accounts.permissions import require
from app.extensions import db
from app.forum import moderation, services, trust
from app.forum.forms import ModeratePostForm, ModerateThreadForm, ReviewForm
from app.forum.models import (
    ForumFlag,
    ForumModerationLog,
    ForumPost,
    ForumPostRevision,
    ForumReviewItem,
)
from app.forum.posting_views import form_error
from app.forum.views import bp, page_number
from app.models import utcnow
from app.outbox import commit

REASON_LABELS = {
    "new_user": "New member's post",
    "flags": "Flagged",
    "spam": "Caught by spam checks",
}


@bp.route("/moderation/queue")
@require("forum.moderate")
def queue():
    page = db.paginate(
        moderation.open_queue_query(), page=page_number(), per_page=20, error_out=False
    )
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
        form.body.data = item.post.body
    if form.validate_on_submit():
        action = request.form.get("action", "")
        try:
            if action == "claim":
                moderation.claim(item, current_user, now)
            elif action == "release":
                moderation.release(item, current_user)
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
            flash(f"Done: {action}.", "success")
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
                moderation.set_thread_flag(thread, current_user, action, reason, now)
            elif action == "move":
                category = services.category_by_slug(form.category.data or "")
                if category is None:
                    raise services.ForumError("Choose a category.", "category")
                moderation.move_thread(thread, category, current_user, reason, now)
            elif action == "merge":
                target = services.get_thread(form.target.data or 0)
                if target is None:
                    raise services.ForumError("There is no thread with that number.", "target")
                moderation.merge_threads(thread, target, current_user, reason, now)
                destination = target
            elif action == "split":
                destination = moderation.split_thread(
                    thread, form.post_ids.data or [], form.title.data, current_user, reason, now
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


@bp.route("/users/<int:user_id>/moderate", methods=["POST"])
@require("forum.moderate")
def moderate_user(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        action, now = request.form.get("action", ""), utcnow()
        try:
            if action == "silence":
                moderation.silence_user(
                    person,
                    current_user,
                    now,
                    hours=form.silence_hours.data,
                    reason=form.reason.data,
                )
            elif action == "suspend":
                moderation.suspend_user(person, current_user, now, reason=form.reason.data or "")
            else:
                raise services.ForumError("Choose an action.")
        except services.ForumError as caught:
            flash(caught.message, "error")
        else:
            commit()
            flash(f"Done: {action}.", "success")
    return redirect(url_for("forum.profile", user_id=person.id))


@bp.route("/moderation/log")
@require("forum.audit")
def audit_log():
    page = db.paginate(
        select(ForumModerationLog).order_by(ForumModerationLog.id.desc()),
        page=page_number(),
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
    )
