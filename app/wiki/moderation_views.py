"""The moderators' views on the wiki blueprint: rollback of a user's edits, hiding a revision
and the review queue. Each destructive action has a confirmation page (GET) and acts on POST."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import (
    require,
)
from app.confirm import confirm_page, confirmed
from app.extensions import db
from app.models import is_row_id, utcnow
from app.outbox import commit
from app.request_args import page_arg
from app.wiki import moderation
from app.wiki.errors import WikiError
from app.wiki.forms import ActionForm, ReasonForm
from app.wiki.models import WikiRevision
from app.wiki.views import bp, form_status, load_page, revision_or_404, run_action


@bp.route("/<slug>/rollback/<int:user_id>", methods=["GET", "POST"])
@require("wiki.moderate")
def rollback(slug: str, user_id: int):
    page = load_page(slug)
    author_id, streak = moderation.rollback_candidates(page)
    if author_id != user_id or not streak:
        abort(404)
    form = ReasonForm(page_id=page.id)
    done = run_action(
        form,
        lambda: moderation.rollback_user(page, current_user, user_id, utcnow()),
        "Edits rolled back.",
        lambda _revision: page.slug,
    )
    return done or (
        render_template("wiki/confirm.html", page=page, form=form, action="rollback",
                        streak=streak),
        form_status(form),
    )  # fmt: skip


@bp.route("/<slug>/revisions/<int:revision_id>/hide", methods=["GET", "POST"])
@require("wiki.moderate")
def hide(slug: str, revision_id: int):
    page = load_page(slug)
    revision = revision_or_404(page, revision_id)
    form = ReasonForm(page_id=page.id)
    hidden = request.args.get("undo") is None
    done = run_action(
        form,
        lambda: moderation.set_revision_hidden(revision, current_user, hidden, utcnow()),
        "Revision hidden." if hidden else "Revision visible again.",
        lambda _result: page.slug,
    )
    return done or (
        render_template("wiki/confirm.html", page=page, form=form,
                        action="hide" if hidden else "unhide", revision=revision),
        form_status(form),
    )  # fmt: skip


@bp.route("/review")
@require("wiki.moderate")
def review():
    held = moderation.pending_revisions(page_arg())
    return render_template("wiki/review.html", held=held, form=ActionForm())


@bp.route("/review/<int:revision_id>", methods=["POST"])
@require("wiki.moderate")
def review_decide(revision_id: int):
    revision = db.session.get(WikiRevision, revision_id) if is_row_id(revision_id) else None
    if revision is None:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    decision = request.form.get("decision")
    if decision not in {"approve", "reject"}:
        abort(400)
    if decision == "reject" and not confirmed():
        # Rejecting throws the author's work away: a confirmation page first, which posts
        # the decision again with confirm=1 (no script needed).
        return _confirm_reject(revision, form)
    try:
        if decision == "approve":
            moderation.approve_revision(revision, current_user, utcnow())
            message = f"Edit to “{revision.page.title}” approved."
        else:
            moderation.reject_revision(revision, current_user, utcnow())
            message = f"Edit to “{revision.page.title}” rejected."
    except WikiError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        commit()
        flash(message, "success")
    return redirect(url_for("wiki.review"))


def _confirm_reject(revision: WikiRevision, form: ActionForm):
    page = revision.page
    author = revision.author.display_name if revision.author else "a deleted account"
    changes = (
        url_for("wiki.diff", slug=page.slug, **{"from": revision.parent_id, "to": revision.id})
        if revision.parent_id
        else url_for("wiki.revision", slug=page.slug, revision_id=revision.id)
    )
    return confirm_page(
        form,
        stylesheet="css/wiki.css",
        heading=f"Reject the edit to “{page.title}”?",
        summary=[
            f"The edit by {author} ({revision.summary or 'no summary'}) is turned down: the page "
            "keeps its current text, and only moderators and the author can still see the edit.",
            "A rejected edit can't be approved later; the author would have to edit the page "
            "again.",
        ],
        links=[("See the edit", changes)],
        carry=[("decision", "reject")],
        action_url=url_for("wiki.review_decide", revision_id=revision.id),
        button="Yes, reject the edit",
        cancel_url=url_for("wiki.review"),
    )
