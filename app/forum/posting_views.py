"""Forum pages that write: new thread, reply, quote, edit, delete, like, accept, flag, follow."""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.permissions import require
from app.errors import DomainError, form_error
from app.forum import edits, follows, moderation, queries, services
from app.forum.forms import ConfirmForm, EditForm, FlagForm, ReplyForm, ThreadForm
from app.forum.models import PENDING
from app.forum.views import bp
from app.models import utcnow
from app.outbox import commit
from app.request_args import db_int

_GUIDE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
#: Characters that could end a Markdown link text or start another element.
_LINK_BREAKERS = re.compile(r"[\[\]()<>`*_\\\r\n]")


def _status(form, error: DomainError | None) -> tuple[int, dict]:
    if isinstance(error, services.RateLimited):
        return 429, {"Retry-After": str(error.retry_after)}
    return (422 if form.errors or form.form_errors else 200), {}


def _post_url(post) -> str:
    page = queries.page_of_post(current_user, post, current_app.config["FORUM_POSTS_PER_PAGE"])
    return url_for(
        "forum.thread",
        thread_id=post.thread_id,
        page=page if page > 1 else None,
        _anchor=f"post-{post.id}",
    )


def _pending_notice(status: str) -> None:
    if status == PENDING:
        flash(
            "Thanks! New members' first posts are checked by a moderator before everyone can "
            "see them. Yours is marked “awaiting review” until then.",
            "info",
        )


def guide_title(guide: str, title: str | None) -> str:
    """The guide's title as the link from the guide gave it, else its slug in words; never
    anything that could break out of a Markdown link."""
    cleaned = _LINK_BREAKERS.sub(" ", title or "").strip()[:120]
    return " ".join(cleaned.split()) or guide.replace("-", " ").capitalize()


def guide_note(guide: str | None, steps: str | None, title: str | None = None) -> str:
    """The note prefilled when someone arrives from a troubleshooting guide that didn't help:
    the guide by its title, linked, and the steps tried."""
    if not guide or not _GUIDE_SLUG.match(guide):
        return ""
    count = int(steps) if steps and steps.isdigit() and 0 < int(steps) <= 100 else 0
    tried = f" (steps 1–{count})" if count else ""  # noqa: RUF001 (a real en dash)
    link = f"[{guide_title(guide, title)}](/articles/{guide})"
    return f"I tried the guide {link}{tried}, but it didn't solve my problem.\n\n"


@bp.route("/new", methods=["GET", "POST"])
@require("forum.post")
def new_thread():
    form = ThreadForm()
    choices = services.categories()
    form.category.choices = [SelectChoice(category.slug, category.name) for category in choices]
    error = None
    if request.method == "GET":
        form.category.data = request.args.get("category", "general")
        guide, title = request.args.get("guide"), request.args.get("title")
        form.body.data = guide_note(guide, request.args.get("steps"), title)
        if form.body.data:  # from a guide: propose a title the asker can change
            form.title.data = f"{guide_title(guide, title)}: the guide didn't help"
    elif form.validate_on_submit():
        category = services.category_by_slug(form.category.data) or abort(400)
        try:
            thread = services.create_thread(
                current_user, category, form.title.data, form.body.data, utcnow()
            )
        except DomainError as caught:
            error = caught
            form_error(form, caught)
        else:
            commit()
            _pending_notice(thread.status)
            return redirect(url_for("forum.thread", thread_id=thread.id))
    status, headers = _status(form, error)
    return render_template("forum/new_thread.html", form=form), status, headers


@bp.route("/t/<int:thread_id>/reply", methods=["GET", "POST"])
@require("forum.post")
def reply(thread_id: int):
    thread = services.visible_thread_for(current_user, thread_id) or abort(404)
    form = ReplyForm()
    error = None
    if request.method == "GET":
        quoted = services.visible_post_for(current_user, request.args.get("quote", 0, type=db_int))
        if quoted is not None and quoted.thread_id == thread.id:
            form.body.data = services.quote_text(quoted)
    elif form.validate_on_submit():
        try:
            post = services.post_reply(thread, current_user, form.body.data, utcnow())
        except DomainError as caught:
            error = caught
            form_error(form, caught)
        else:
            commit()
            _pending_notice(post.status)
            return redirect(_post_url(post))
    status, headers = _status(form, error)
    return render_template("forum/reply.html", form=form, thread=thread), status, headers


def _visible_post(post_id: int):
    return services.visible_post_for(current_user, post_id) or abort(404)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@require("forum.post")
def edit_post(post_id: int):
    post = _visible_post(post_id)
    form = EditForm()
    if request.method == "GET":
        # The author carries on from an edit that waits for review.
        held = post.held_body if post.author_id == current_user.id else None
        form.body.data = held or post.body
    elif form.validate_on_submit():
        try:
            edits.edit_post(post, current_user, form.body.data, utcnow())
        except DomainError as caught:
            form_error(form, caught)
        else:
            commit()
            if post.held_at is not None:
                flash(
                    "Your edit waits for a moderator; until it is approved everyone sees the "
                    "earlier text.",
                    "info",
                )
            else:
                flash("Your changes are saved.", "success")
            return redirect(_post_url(post))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/edit_post.html", form=form, post=post), status


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@require("forum.post")
def delete_post(post_id: int):
    post = _visible_post(post_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_post(post, current_user, utcnow())
        except DomainError:
            abort(403)
        commit()
        flash("The post is deleted.", "success")
        if post.is_opening:
            return redirect(url_for("forum.category", slug=post.thread.category.slug))
        return redirect(url_for("forum.thread", thread_id=post.thread_id))
    return render_template("forum/delete_post.html", form=form, post=post)


@bp.route("/posts/<int:post_id>/like", methods=["POST"])
@require("forum.like")
def like(post_id: int):
    post = _visible_post(post_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.toggle_like(post, current_user, utcnow())
        except DomainError as caught:
            flash(caught.message, "error")
        else:
            commit()
    return redirect(_post_url(post))


@bp.route("/posts/<int:post_id>/accept", methods=["POST"])
@require("forum.post")
def accept(post_id: int):
    post = _visible_post(post_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.accept_answer(post, current_user, utcnow())
        except DomainError as caught:
            flash(caught.message, "error")
        else:
            commit()
            accepted = post.thread.accepted_post_id == post.id
            flash("Marked as the accepted answer." if accepted else "Answer unmarked.", "success")
    return redirect(url_for("forum.thread", thread_id=post.thread_id))


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@require("forum.flag")
def flag(post_id: int):
    post = _visible_post(post_id)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            moderation.flag_post(post, current_user, form.reason.data, form.note.data, utcnow())
        except DomainError as caught:
            form_error(form, caught)
        else:
            commit()
            flash("Thank you. Moderators will look at this post.", "success")
            return redirect(_post_url(post))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/flag.html", form=form, post=post), status


@bp.route("/t/<int:thread_id>/follow", methods=["POST"])
@require("forum.follow")
def follow_thread(thread_id: int):
    thread = services.visible_thread_for(current_user, thread_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        follow = request.form.get("follow") == "1"
        follows.set_follow(current_user, utcnow(), follow=follow, thread_id=thread.id)
        commit()
        flash(
            "You follow this thread." if follow else "You no longer follow this thread.", "success"
        )
    return redirect(url_for("forum.thread", thread_id=thread.id))


@bp.route("/c/<slug>/follow", methods=["POST"])
@require("forum.follow")
def follow_category(slug: str):
    category = services.category_by_slug(slug) or abort(404)
    if ConfirmForm().validate_on_submit():
        follow = request.form.get("follow") == "1"
        follows.set_follow(current_user, utcnow(), follow=follow, category_id=category.id)
        commit()
        flash(
            f"You follow {category.name}." if follow else f"You no longer follow {category.name}.",
            "success",
        )
    return redirect(url_for("forum.category", slug=category.slug))
