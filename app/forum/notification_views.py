"""The composer's preview and the members' notifications page."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import require
from app.forum import notifications as notes
from app.forum.forms import ConfirmForm
from app.forum.screening import MAX_BODY
from app.forum.views import bp
from app.models import utcnow
from app.outbox import commit
from app.request_args import page_arg


@bp.route("/preview", methods=["POST"])
@require("forum.post")
def preview():
    """The post as it will look, rendered by the server through the one sanitiser (a POST,
    so the global CSRF check covers it)."""
    body = (request.form.get("body") or "")[:MAX_BODY]
    return jsonify(html=notes.render_post(body) if body.strip() else "")


@bp.route("/notifications")
@require("forum.post")
def notifications():
    page = notes.for_member(current_user, page_arg())
    return render_template(
        "forum/notifications.html", page=page, sentence=notes.sentence,
        form=ConfirmForm(), unread=notes.unread_count(current_user),
    )  # fmt: skip


@bp.route("/notifications/<int:notification_id>")
@require("forum.post")
def open_notification(notification_id: int):
    note = notes.open_notification(current_user, notification_id, utcnow())
    if note is None:
        abort(404)
    commit()
    post = note.post
    return redirect(url_for("forum.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}"))


@bp.route("/notifications/read", methods=["POST"])
@require("forum.post")
def mark_notifications_read():
    if ConfirmForm().validate_on_submit():
        notes.mark_all_read(current_user, utcnow())
        commit()
        flash("All notifications marked as read.", "success")
    return redirect(url_for("forum.notifications"))
