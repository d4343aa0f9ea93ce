"""Wiki pages for readers and editors: index, page, create, edit (with merge and conflict),
preview, the page actions (rename, delete, restore, protect) and watching. The history is in
``history_views``, the moderators' tools in ``moderation_views``, on the same blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.accounts.permissions import (
    can,
    can_delete_wiki_page,
    can_edit_wiki_page,
    can_read_wiki_page,
    require,
)
from app.errors import DomainError, NotFound, PermissionDenied, form_error
from app.extensions import db
from app.fragments import rendered_part, shared_fragment
from app.models import is_row_id, utcnow
from app.outbox import commit
from app.pagecache import cacheable
from app.request_args import db_int, page_arg
from app.wiki import queries, rules, services, watching
from app.wiki.errors import EditConflict
from app.wiki.forms import (
    ActionForm,
    EditForm,
    NewPageForm,
    PageActionForm,
    PreviewForm,
    ProtectForm,
    ReasonForm,
    RenameForm,
)
from app.wiki.models import WikiPage

bp = Blueprint("wiki", __name__, url_prefix="/wiki")


def load_page(slug: str):
    """The page for ``slug``; an old slug redirects (raised as a response), unknown is 404.

    A form posted to a page carries its id (``PageForm.page_id``): the POST acts on that page
    even when the title has since moved on, or been taken by a new page. Without one, an old
    title answers a POST with 308, which keeps the method and the form (a 301 would turn the
    save into a GET and drop it).
    """
    page = _posted_page()
    if page is not None:
        return page
    found = queries.find_page(slug)
    if found.page is None:
        # Only to a page the reader may see: the address would give away a deleted page's name.
        if found.redirect_to is not None and can_read_wiki_page(current_user, found.redirect_to):
            target = url_for(
                request.endpoint, **{**request.view_args, "slug": found.redirect_to.slug}
            )
            query = request.query_string.decode()
            code = 301 if request.method in ("GET", "HEAD") else 308
            abort(redirect(target + ("?" + query if query else ""), code))
        abort(404)
    if not can_read_wiki_page(current_user, found.page):
        abort(404)
    return found.page


def _posted_page():
    """The readable page a posted form names by id, if any."""
    if request.method != "POST":
        return None
    try:
        page_id = db_int(request.form.get("page_id", ""))
    except ValueError:
        return None
    page = db.session.get(WikiPage, page_id) if is_row_id(page_id) else None
    return page if page is not None and can_read_wiki_page(current_user, page) else None


def _run_atomic(operation):
    """Run a service; on a unique-key race (two creations of one title, a doubled form) roll
    back and run it once more, when it finds what the other request saved."""
    try:
        return operation()
    except IntegrityError:
        db.session.rollback()
        return operation()


@bp.route("/")
@cacheable
def index():
    q = request.args.get("q", "")
    show_deleted = request.args.get("show") == "deleted" and can(current_user, "wiki.moderate")
    pages = queries.list_pages(current_user, q, deleted=show_deleted, page=page_arg())
    return render_template("wiki/index.html", pages=pages, q=q, show_deleted=show_deleted)


@bp.route("/new", methods=["GET", "POST"])
@require("wiki.edit")
def new():
    form = NewPageForm()
    if request.method == "GET":
        form.title.data = request.args.get("title", "")[: rules.MAX_TITLE]
        form.edit_token.data = services.new_edit_token()
        existing = queries.find_page(rules.slugify(form.title.data)) if form.title.data else None
        # A title a rename left behind is free to take (unless kept): offer the form for it.
        if existing and (existing.page or (existing.redirect_to and existing.kept)):
            page = existing.page or existing.redirect_to
            if can_read_wiki_page(current_user, page) and page.is_public:
                return redirect(url_for("wiki.page", slug=page.slug))
    preview_html = None
    status = 200
    if form.is_submitted() and form.preview.data:
        preview_html = _preview(form)
    elif form.validate_on_submit():
        try:
            result = _run_atomic(
                lambda: services.create_page(
                    current_user,
                    form.title.data,
                    form.body.data,
                    form.summary.data or "",
                    utcnow(),
                    edit_token=form.edit_token.data or None,
                )
            )
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            commit()
            return _after_save(result)
    if form.errors or form.form_errors:
        status = 422
    return render_template(
        "wiki/edit.html", form=form, page=None, preview_html=preview_html
    ), status


def _after_save(result: services.SaveResult):
    messages = {
        "saved": ("Page saved.", "success"),
        "merged": ("Saved. Your changes were merged with an edit made meanwhile.", "success"),
        "unchanged": ("You didn't change anything, so nothing was saved.", "info"),
        "duplicate": ("This edit was already saved.", "info"),
        "pending": ("Thanks! Your edit is waiting for a moderator's review.", "info"),
    }
    flash(*messages[result.outcome])
    return redirect(url_for("wiki.page", slug=result.page.slug))


def _page_text(page_obj: WikiPage) -> dict:
    """A wiki page's approved text, who changed it and when, and its meta description."""
    revision = page_obj.current_revision
    if revision is None:
        return {"description": f"{page_obj.title}: a page of the GrowgrEbuddy community wiki."}
    return {
        "description": revision.body_text.replace("\n", " "),
        "body": rendered_part("wiki/_page_text.html", revision=revision),
        "meta": rendered_part("wiki/_page_meta.html", page=page_obj, revision=revision),
    }


@bp.route("/<slug>")
@cacheable
def page(slug: str):
    page_obj = load_page(slug)
    action = PageActionForm(page_id=page_obj.id)
    return render_template(
        "wiki/page.html",
        page=page_obj,
        # The approved text is the same for every reader the page is shown to (load_page
        # checked that): rendered once per content version, not per signed-in reader.
        text=shared_fragment("wiki.page", (page_obj.id,), lambda: _page_text(page_obj)),
        pending=queries.pending_for(page_obj, current_user),
        watching=watching.is_watching(current_user, page_obj),
        can_edit=can_edit_wiki_page(current_user, page_obj),
        can_delete=can_delete_wiki_page(current_user, page_obj),
        action=action,
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@require("wiki.edit")
def edit(slug: str):
    page_obj = load_page(slug)
    if not can_edit_wiki_page(current_user, page_obj):
        abort(403)
    form = EditForm(page_id=page_obj.id)
    conflict = None
    preview_html = None
    status = 200
    if request.method == "GET":
        public = page_obj.current_revision
        form.body.data = public.body if public else ""
        form.base_revision_id.data = str(page_obj.current_revision_id or "")
        form.edit_token.data = services.new_edit_token()
    elif form.preview.data:
        preview_html = _preview(form)
    elif form.validate_on_submit():
        try:
            result = services.edit_page(
                page_obj,
                current_user,
                form.body.data,
                form.summary.data or "",
                _int_or_none(form.base_revision_id.data),
                utcnow(),
                edit_token=form.edit_token.data or None,
            )
        except EditConflict as error:
            db.session.rollback()
            conflict = error
            # The next save starts from the current text: resolving is an edit of it.
            form.base_revision_id.data = str(error.current.id)
            status = 409
        except PermissionDenied:
            abort(403)
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            commit()
            return _after_save(result)
    if form.errors or form.form_errors:
        status = 422
    diff = None
    if conflict is not None:
        diff = rules.diff_rows(conflict.current_body, rules.normalise_body(form.body.data))
    return render_template(
        "wiki/edit.html",
        form=form,
        page=page_obj,
        conflict=conflict,
        diff=diff,
        preview_html=preview_html,
    ), status


def _preview(form) -> str | None:
    """The Preview button's HTML, or None with the error next to the text when it is too long."""
    try:
        return services.preview_html(form.body.data or "")
    except DomainError as error:
        form_error(form, error)
        return None


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@bp.route("/preview", methods=["POST"])
@require("wiki.edit")
def preview():
    """Sanitised HTML of the posted Markdown (for the live preview; CSRF-protected)."""
    form = PreviewForm()
    if not form.validate_on_submit():
        return "Text too long to preview.", 422
    try:
        html = services.preview_html(form.body.data or "")
    except DomainError as error:
        return error.message, 422
    return html, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


def run_action(form, operation, success: str, slug_after):
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


def form_status(form) -> int:
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
    done = run_action(
        form,
        lambda: services.rename_page(
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
    return done or (render_template("wiki/rename.html", page=page, form=form), form_status(form))


@bp.route("/<slug>/delete", methods=["GET", "POST"])
@require("wiki.edit")
def delete(slug: str):
    page = load_page(slug)
    if not can_delete_wiki_page(current_user, page):
        abort(403)
    form = ReasonForm(page_id=page.id)
    done = run_action(
        form,
        lambda: services.delete_page(page, current_user, form.summary.data or "", utcnow()),
        "Page deleted. Moderators can restore it.",
        lambda _revision: page.slug,
    )
    if done is not None and not can(current_user, "wiki.moderate"):
        done = redirect(url_for("wiki.index"))
    return done or (render_template("wiki/delete.html", page=page, form=form), form_status(form))


@bp.route("/<slug>/restore", methods=["POST"])
@require("wiki.moderate")
def restore(slug: str):
    page = load_page(slug)
    form = PageActionForm(page_id=page.id)
    done = run_action(form, lambda: services.restore_page(page, current_user, utcnow()),
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
    done = run_action(
        form,
        lambda: services.protect_page(
            page, current_user, form.level.data, form.summary.data or "", utcnow()
        ),
        "Protection changed.",
        lambda _revision: page.slug,
    )
    return done or (render_template("wiki/protect.html", page=page, form=form), form_status(form))


def revision_or_404(page_obj, revision_id):
    """The page's revision, or a 404 (also for an id no row can have)."""
    try:
        return services.get_revision(page_obj, revision_id)
    except NotFound:
        abort(404)


@bp.route("/<slug>/watch", methods=["POST"])
@require("wiki.watch")
def watch(slug: str):
    page_obj = load_page(slug)
    form = PageActionForm(page_id=page_obj.id)
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("action") == "unwatch":
        watching.unwatch(current_user.id, page_obj.id)
        message = "You no longer watch this page."
    else:
        watching.watch(current_user, page_obj, utcnow())
        message = "You'll be e-mailed when this page changes."
    commit()
    flash(message, "success")
    if request.form.get("return_to") == "watchlist":
        return redirect(url_for("wiki.watchlist"))
    return redirect(url_for("wiki.page", slug=page_obj.slug))


@bp.route("/watchlist")
@require("wiki.watch")
def watchlist():
    pages = watching.watched_pages(current_user.id, page_arg())
    return render_template("wiki/watchlist.html", pages=pages, form=ActionForm())


@bp.route("/unwatch/<token>", methods=["GET", "POST"])
def unwatch_link(token: str):
    """The e-mail's unsubscribe link: a confirmation button, so link scanners change nothing."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            page_obj = watching.unwatch_by_token(token)
        except DomainError as error:
            return render_template("wiki/unwatch.html", error=error.message, form=form), 410
        commit()
        return render_template("wiki/unwatch.html", done=True, page=page_obj, form=form)
    return render_template("wiki/unwatch.html", form=form)


@bp.app_context_processor
def wiki_context():
    """Page-level permission predicates for the wiki templates."""
    return {
        "can_edit_wiki_page": can_edit_wiki_page,
        "can_delete_wiki_page": can_delete_wiki_page,
    }
