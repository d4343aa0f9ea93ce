"""Staff pages of the knowledge base: edit with preview, history, diff and restore.

Agents and admins hold ``kb.edit`` / ``kb.history``; everybody else gets 403 (or the sign-in
page when signed out). Every save is a revision; a save based on an outdated revision shows a
conflict page with both versions instead of overwriting.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import require
from app.errors import DomainError, form_error
from app.kb import rules, services
from app.kb.forms import EditArticleForm, RestoreForm
from app.kb.views import article_or_404, bp
from app.models import utcnow
from app.outbox import commit
from app.request_args import db_int, page_arg


def _base_revision(form) -> int:
    """The revision number the form was based on; a tampered value is a bad request."""
    try:
        return int(form.base_revision.data)
    except (TypeError, ValueError):
        abort(400)


@bp.route("/articles/<slug>/edit", methods=["GET", "POST"])
@require("kb.edit")
def edit(slug: str):
    article = article_or_404(slug)
    form = EditArticleForm()
    if request.method == "GET":
        form.base_revision.data = str(article.revision_number)
        form.title.data = article.title
        form.summary.data = article.summary
        form.tags.data = ", ".join(article.tags)
        form.body.data = article.body
    preview_html = None
    status = 200
    if form.preview.data:
        try:
            preview_html = services.preview(article, form.body.data)
        except DomainError as error:
            form_error(form, error)
            status = 422
    elif form.validate_on_submit():
        try:
            revision = services.save_article(
                article,
                current_user,
                base_revision=_base_revision(form),
                title=form.title.data,
                summary=form.summary.data,
                tags=form.tags.data or "",
                body=form.body.data,
                comment=form.comment.data or "",
                now=utcnow(),
            )
        except services.StaleRevision as stale:
            return _conflict(article, form, stale)
        except DomainError as error:
            form_error(form, error)
            status = 422
        else:
            commit()
            if revision is None:
                flash("Nothing changed, so no new revision was saved.", "info")
            else:
                flash(f"Saved as revision {revision.number}.", "success")
            return redirect(url_for("kb.article", slug=slug))
    else:
        status = 422 if request.method == "POST" else 200
    return render_template(
        "kb/edit.html", article=article, form=form, preview_html=preview_html
    ), status


def _conflict(article, form: EditArticleForm, stale: services.StaleRevision):
    """Both versions side by side; the form keeps the editor's text, now based on the current
    revision, so saving again is a deliberate choice after merging."""
    theirs = stale.current
    rows = rules.diff_rows(theirs.body, (form.body.data or "").replace("\r\n", "\n"))
    form.base_revision.data = str(theirs.number)
    return render_template(
        "kb/conflict.html",
        article=article,
        form=form,
        current=theirs,
        rows=rows,
        message=stale.message,
    ), 409


@bp.route("/articles/<slug>/preview", methods=["POST"])
@require("kb.edit")
def preview(slug: str):
    """The editor's live preview (kb.js); the form's Preview button works without it."""
    article = article_or_404(slug)
    try:
        return jsonify({"html": services.preview(article, request.form.get("body", ""))})
    except DomainError as error:
        return jsonify({"error": error.message, "field": error.field}), 422


@bp.route("/articles/<slug>/history")
@require("kb.history")
def history(slug: str):
    article = article_or_404(slug)
    page = services.revisions_page(article, page=page_arg())
    return render_template("kb/history.html", article=article, page=page)


@bp.route("/articles/<slug>/revisions/<int:number>")
@require("kb.history")
def revision(slug: str, number: int):
    article = article_or_404(slug)
    found = services.get_revision(article, number)
    if found is None:
        abort(404)
    return render_template("kb/revision.html", article=article, revision=found)


@bp.route("/articles/<slug>/diff")
@require("kb.history")
def diff(slug: str):
    article = article_or_404(slug)
    old = request.args.get("from", type=db_int)
    new = request.args.get("to", type=db_int)
    if old is None or new is None:
        abort(404)
    comparison = services.compare(article, min(old, new), max(old, new))
    if comparison is None:
        abort(404)
    return render_template("kb/diff.html", article=article, comparison=comparison)


@bp.route("/articles/<slug>/revisions/<int:number>/restore", methods=["GET", "POST"])
@require("kb.edit")
def restore(slug: str, number: int):
    article = article_or_404(slug)
    old = services.get_revision(article, number)
    if old is None:
        abort(404)
    form = RestoreForm()
    if request.method == "GET":
        form.base_revision.data = str(article.revision_number)
    elif form.validate_on_submit():
        try:
            revision = services.restore_revision(
                article,
                current_user,
                number=number,
                base_revision=_base_revision(form),
                now=utcnow(),
            )
        except services.StaleRevision as stale:
            flash(stale.message, "error")
            return redirect(url_for("kb.history", slug=slug))
        commit()
        flash(f"Revision {number} restored as revision {revision.number}.", "success")
        return redirect(url_for("kb.article", slug=slug))
    comparison = services.compare(article, article.revision_number, number)
    return render_template(
        "kb/restore.html", article=article, revision=old, form=form, comparison=comparison
    )


# --- Internal space --------------------------------------------------------------------------


@bp.route("/internal/")
@require("kb.internal")
def internal():
    """The support team's internal articles the reader may see, with a plain text search."""
    from app.kb.queries import internal_articles

    text = (request.args.get("q") or "").strip()[:100]
    page = internal_articles(current_user, text, page=page_arg())
    return render_template("kb/internal.html", page=page, q=text)


@bp.route("/articles/<slug>/access")
@require("kb.history")
def access(slug: str):
    """Effective permissions: for each role, whether it sees and edits the article, and why."""
    from app.accounts.permissions import ROLE_PERMISSIONS, kb_article_access

    article = article_or_404(slug)
    rows = [kb_article_access(role, article) for role in ROLE_PERMISSIONS]
    return render_template("kb/access.html", article=article, rows=rows)
