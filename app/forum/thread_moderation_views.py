"""Moderating a whole thread: lock, pin, move, merge (finding the target by title) and split
(replies listed with an excerpt). Merge and split ask for confirmation first."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.permissions import require
from app.confirm import confirm_page, confirmed
from app.errors import DomainError, form_error
from app.forum import queries, rules, services, thread_actions
from app.forum.forms import ModerateThreadForm
from app.forum.moderation_views import reason_sentence
from app.forum.views import bp
from app.models import utcnow
from app.outbox import commit


def _thread_form(thread) -> ModerateThreadForm:
    form = ModerateThreadForm()
    form.category.choices = [SelectChoice("", "Choose…")] + [
        SelectChoice(category.slug, category.name) for category in services.categories()
    ]
    form.post_ids.choices = [
        SelectChoice(post.id, _post_label(post)) for post in thread.posts if not post.is_opening
    ]
    return form


@bp.route("/t/<int:thread_id>/moderate", methods=["GET", "POST"])
@require("forum.moderate")
def moderate_thread(thread_id: int):
    thread = services.get_thread(thread_id) or abort(404)
    form = _thread_form(thread)
    if form.validate_on_submit():
        action, reason, now = request.form.get("action", ""), form.reason.data or "", utcnow()
        if request.form.get("pick_target", "").isdigit():  # a thread picked from title matches
            action, form.target.data = "merge", int(request.form["pick_target"][:10])
        destination = thread
        try:
            if action in {"lock", "unlock", "pin", "unpin"}:
                thread_actions.set_thread_flag(thread, current_user, action, reason, now)
            elif action == "move":
                category = services.category_by_slug(form.category.data or "")
                if category is None:
                    raise DomainError("Choose a category.", "category")
                thread_actions.move_thread(thread, category, current_user, reason, now)
            elif action == "merge":
                target = services.get_thread(form.target.data or 0)
                if target is None:
                    raise DomainError("There is no thread with that number.", "target")
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
                raise DomainError("Choose an action.")
        except DomainError as caught:
            form_error(form, caught)
        else:
            commit()
            flash(_thread_flash(action, thread, destination), "success")
            return redirect(url_for("forum.thread", thread_id=destination.id))
    status = 422 if form.errors or form.form_errors else 200
    find = request.args.get("find", "").strip()[:100]
    matches = queries.threads_titled(current_user, find, exclude=thread.id) if find else None
    return render_template(
        "forum/moderation/thread.html", thread=thread, form=form, find=find, matches=matches
    ), status


def _thread_flash(action: str, thread, destination) -> str:
    title = f"\u201c{thread.title}\u201d"
    return {
        "lock": f"Thread locked: no new replies to {title}.",
        "unlock": f"Thread unlocked: members can reply to {title} again.",
        "pin": f"Thread pinned: {title} stays at the top of {thread.category.name}.",
        "unpin": f"Thread unpinned: {title} is listed by activity again.",
        "move": f"Thread moved to {thread.category.name}.",
        "merge": f"Thread merged into \u201c{destination.title}\u201d.",
        "split": f"Replies split off into the new thread \u201c{destination.title}\u201d.",
    }.get(action, "Done.")


def _post_label(post) -> str:
    """A reply as moderators pick it: number, author and the start of what it says."""
    return f"#{post.id} by {post.author.display_name}: \u201c{rules.excerpt(post.body)}\u201d"


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
            reason_sentence(form.reason.data),
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
        items=[_post_label(post) for post in posts],
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
