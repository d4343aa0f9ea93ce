"""Page actions beyond editing, on the wiki blueprint: rename, delete, restore, protect,
revert, and the moderators' rollback, hide-revision and review queue. Each destructive action
has a confirmation page (GET) and acts on POST."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import (
    can,
    can_delete_wiki_page,
    can_edit_wiki_page,
    can_see_revision,
    require,
)
from app.confirm import confirm_page, confirmed
from app.errors import DomainError, PermissionDenied, form_error
from app.extensions import db
from app.models import is_row_id, utcnow
from app.outbox import commit
from app.request_args import page_arg
from app.wiki import moderation, page_actions, services
from app.wiki.forms import ActionForm, PageActionForm, ProtectForm, ReasonForm, RenameForm
from app.wiki.models import WikiRevision
from app.wiki.views import _revision_or_404, bp, load_page


def _act(form, operation, success: str, slug_after):
    """Run one operation for a valid POST; map domain errors to 403 or a form error."""
    if not form.validate_on_submit():
        return None
    try:
        result = operation()
    except PermissionDenied:
        abort(403)
    except DomainError as error:
        db.session.rollback()
        form_error(form, error)
        return None
    commit()
    flash(success, "success")
    return redirect(url_for("wiki.page", slug=slug_after(result)))


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


@bp.route("/<slug>/rename", methods=["GET", "POST"])
@require("wiki.edit")
def rename(slug: str):
    page = load_page(slug)
    if not can_edit_wiki_page(current_user, page):
        abort(403)
    form = RenameForm(page_id=page.id)
    if request.method == "GET":
        form.title.data = page.title
    done = _act(
        form,
        lambda: page_actions.rename_page(
            page,
            current_user,
            form.title.data,
            form.summary.data or "",
            utcnow(),
            keep_redirect=bool(form.keep_redirect.data),
        ),
        "Page renamed. The old title redirects here."
        + ("" if form.keep_redirect.data else " until a new page takes it."),
        lambda _revision: page.slug,
    )
    return done or (render_template("wiki/rename.html", page=page, form=form), _status(form))


@bp.route("/<slug>/delete", methods=["GET", "POST"])
@require("wiki.edit")
def delete(slug: str):
    page = load_page(slug)
    if not can_delete_wiki_page(current_user, page):
        abort(403)
    form = ReasonForm(page_id=page.id)
    done = _act(
        form,
        lambda: page_actions.delete_page(page, current_user, form.summary.data or "", utcnow()),
        "Page deleted. Moderators can restore it.",
        lambda _revision: page.slug,
    )
    if done is not None and not can(current_user, "wiki.moderate"):
        done = redirect(url_for("wiki.index"))
    return done or (render_template("wiki/delete.html", page=page, form=form), _status(form))


@bp.route("/<slug>/restore", methods=["POST"])
@require("wiki.moderate")
def restore(slug: str):
    page = load_page(slug)
    form = PageActionForm(page_id=page.id)
    done = _act(form, lambda: page_actions.restore_page(page, current_user, utcnow()),
                "Page restored.", lambda _revision: page.slug)  # fmt: skip
    if done is None:
        flash(" ".join(form.form_errors) or "Could not restore the page.", "error")
        return redirect(url_for("wiki.page", slug=page.slug))
    return done


@bp.route("/<slug>/protect", methods=["GET", "POST"])
@require("wiki.moderate")
def protect(slug: str):
    page = load_page(slug)
    form = ProtectForm(page_id=page.id)
    if request.method == "GET":
        form.level.data = page.protection
    done = _act(
        form,
        lambda: page_actions.protect_page(
            page, current_user, form.level.data, form.summary.data or "", utcnow()
        ),
        "Protection changed.",
        lambda _revision: page.slug,
    )
    return done or (render_template("wiki/protect.html", page=page, form=form), _status(form))


@bp.route("/<slug>/revisions/<int:revision_id>/revert", methods=["GET", "POST"])
@require("wiki.edit")
def revert(slug: str, revision_id: int):
    page = load_page(slug)
    revision = _revision_or_404(page, revision_id)
    if not can_see_revision(current_user, revision) or not can_edit_wiki_page(current_user, page):
        abort(403)
    form = ReasonForm(page_id=page.id)
    done = _act(
        form,
        lambda: services.revert_page(
            page, current_user, revision, form.summary.data or "", utcnow()
        ),
        f"Reverted to revision {revision.number}.",
        lambda _revision: page.slug,
    )
    return done or (
        render_template("wiki/confirm.html", page=page, form=form, action="revert",
                        revision=revision),
        _status(form),
    )  # fmt: skip


@bp.route("/<slug>/rollback/<int:user_id>", methods=["GET", "POST"])
@require("wiki.moderate")
def rollback(slug: str, user_id: int):
    page = load_page(slug)
    author_id, streak = moderation.rollback_candidates(page)
    if author_id != user_id or not streak:
        abort(404)
    form = ReasonForm(page_id=page.id)
    done = _act(
        form,
        lambda: moderation.rollback_user(page, current_user, user_id, utcnow()),
        "Edits rolled back.",
        lambda _revision: page.slug,
    )
    return done or (
        render_template("wiki/confirm.html", page=page, form=form, action="rollback",
                        streak=streak),
        _status(form),
    )  # fmt: skip


@bp.route("/<slug>/revisions/<int:revision_id>/hide", methods=["GET", "POST"])
@require("wiki.moderate")
def hide(slug: str, revision_id: int):
    page = load_page(slug)
    revision = _revision_or_404(page, revision_id)
    form = ReasonForm(page_id=page.id)
    hidden = request.args.get("undo") is None
    done = _act(
        form,
        lambda: moderation.set_revision_hidden(revision, current_user, hidden, utcnow()),
        "Revision hidden." if hidden else "Revision visible again.",
        lambda _result: page.slug,
    )
    return done or (
        render_template("wiki/confirm.html", page=page, form=form,
                        action="hide" if hidden else "unhide", revision=revision),
        _status(form),
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
    except DomainError as error:
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
