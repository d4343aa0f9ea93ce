"""A wiki page's history on the wiki blueprint: the revision list, diffs, one revision, recent
changes, and reverting to an older revision (any editor who may edit the page)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from app.accounts.permissions import can_edit_wiki_page, can_see_revision, require
from app.models import utcnow
from app.request_args import db_int, page_arg
from app.wiki import queries, rules, services
from app.wiki.forms import PageActionForm, ReasonForm
from app.wiki.views import bp, form_status, load_page, revision_or_404, run_action


@bp.route("/<slug>/history")
def history(slug: str):
    page_obj = load_page(slug)
    revisions = queries.history(page_obj, page=page_arg())
    return render_template(
        "wiki/history.html",
        page=page_obj,
        revisions=revisions,
        can_see=lambda revision: can_see_revision(current_user, revision),
        can_edit=can_edit_wiki_page(current_user, page_obj),
        pending=queries.pending_for(page_obj, current_user),
    )


def _revision_arg(name: str) -> int | None:
    """The revision id a diff link names; None without one, 404 for one that cannot exist."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return db_int(raw)
    except ValueError:
        abort(404)


@bp.route("/<slug>/diff")
def diff(slug: str):
    page_obj = load_page(slug)
    new_rev = revision_or_404(page_obj, _revision_arg("to") or page_obj.current_revision_id)
    from_id = _revision_arg("from") or new_rev.parent_id
    old_rev = revision_or_404(page_obj, from_id) if from_id else None
    for revision in (old_rev, new_rev):
        if revision is not None and not can_see_revision(current_user, revision):
            abort(403)
    rows = rules.diff_rows(old_rev.body if old_rev else "", new_rev.body)
    return render_template("wiki/diff.html", page=page_obj, old=old_rev, new=new_rev, rows=rows)


@bp.route("/<slug>/revisions/<int:revision_id>")
def revision(slug: str, revision_id: int):
    page_obj = load_page(slug)
    revision_obj = revision_or_404(page_obj, revision_id)
    visible = can_see_revision(current_user, revision_obj)
    if not visible and revision_obj.status != "accepted":
        abort(404)
    return render_template(
        "wiki/revision.html",
        page=page_obj,
        revision=revision_obj,
        visible=visible,
        can_edit=can_edit_wiki_page(current_user, page_obj),
        action=PageActionForm(page_id=page_obj.id),
    )


@bp.route("/recent")
def recent():
    author = request.args.get("user", "")
    page_title = request.args.get("page_title", "")
    changes = queries.recent_changes(
        current_user,
        author=author,
        page_title=page_title,
        page=page_arg(),
    )
    return render_template(
        "wiki/recent.html",
        changes=changes,
        author=author,
        page_title=page_title,
        can_see=lambda revision: can_see_revision(current_user, revision),
    )


@bp.route("/<slug>/revisions/<int:revision_id>/revert", methods=["GET", "POST"])
@require("wiki.edit")
def revert(slug: str, revision_id: int):
    page = load_page(slug)
    revision = revision_or_404(page, revision_id)
    if not can_see_revision(current_user, revision) or not can_edit_wiki_page(current_user, page):
        abort(403)
    form = ReasonForm(page_id=page.id)
    done = run_action(
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
        form_status(form),
    )  # fmt: skip
