"""Privacy request pages: the person's export and account deletion, the agent's request from a
ticket, and the admins' approval list (docs/privacy-requests.md)."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from app.accounts.permissions import can, require
from app.errors import DomainError, NotFound, PermissionDenied, form_error
from app.extensions import db, limiter
from app.models import utcnow
from app.outbox import commit
from app.privacy import queries, requests
from app.privacy.forms import DecisionForm, DeleteAccountForm, ExportForm, TicketRequestForm
from app.tickets.models import Ticket

bp = Blueprint("privacy_requests", __name__)


# --- the person -----------------------------------------------------------------------------


@bp.route("/account/privacy/export", methods=["POST"])
@require("account.manage")
def request_export():
    form = ExportForm()
    if form.validate_on_submit():
        try:
            requests.request_own_export(current_user, utcnow())
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash(
                "We are preparing your archive. We'll e-mail you a link when it's ready.", "success"
            )
            return redirect(url_for("accounts.overview", _anchor="your-data"))
    return render_template("accounts/overview.html", privacy_export_form=form), 422


@bp.route("/account/privacy/export/status")
@require("account.manage")
def export_status():
    """The latest export's progress, polled by privacy.js while the archive is built."""
    return jsonify(queries.export_progress(current_user.id))


@bp.route("/account/privacy/download/<token>")
@require("account.manage")
def download_export(token: str):
    try:
        export = requests.export_for_download(token, current_user, utcnow())
    except requests.ExportLinkExpired as error:
        return render_template("privacy/link_invalid.html", message=error.message), 410
    except PermissionDenied as error:
        return render_template("privacy/link_invalid.html", message=error.message), 403
    except NotFound as error:
        return render_template("privacy/link_invalid.html", message=error.message), 404
    path = Path(export.archive_path or "")
    if not path.is_file():  # removed by the timer between the check and now
        return render_template(
            "privacy/link_invalid.html", message="This archive is no longer kept."
        ), 410
    # Streamed from its folder (never /static), and never cached by a browser or proxy.
    response = send_file(
        path, mimetype="application/zip", as_attachment=True,
        download_name=f"growgrebuddy-data-{export.finished_at:%Y-%m-%d}.zip", max_age=0,
    )  # fmt: skip
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@require("account.manage")
# The password check is a sign-in in disguise: a borrowed session must not guess at it freely.
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"])
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            requests.request_own_erasure(
                current_user, form.password.data, form.posts.data == "delete", utcnow()
            )
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            logout_user()
            session.clear()
            return redirect(url_for("privacy_requests.deletion_scheduled"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("privacy/delete_account.html", form=form), status


@bp.route("/account/delete/scheduled")
def deletion_scheduled():
    return render_template("privacy/deletion_scheduled.html")


@bp.route("/account/delete/cancelled")
@require("account.manage")
def deletion_cancelled():
    return render_template("privacy/deletion_cancelled.html")


# --- the team -------------------------------------------------------------------------------


@bp.route("/privacy/tickets/<int:ticket_id>/request", methods=["GET", "POST"])
@require("privacy.request")
def ticket_request(ticket_id: int):
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not can(current_user, "tickets.work"):
        abort(404)
    form = TicketRequestForm()
    if form.validate_on_submit():
        try:
            requests.request_for_ticket(
                current_user, ticket, form.kind.data, form.reason.data,
                form.posts.data == "delete", utcnow(),
            )  # fmt: skip
        except PermissionDenied:
            abort(403)
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Requested. An admin other than you approves it.", "success")
            return redirect(url_for("tickets.work", ticket_id=ticket.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("privacy/ticket_request.html", form=form, ticket=ticket), status


@bp.route("/admin/privacy/requests")
@require("privacy.approve")
def admin_requests():
    return render_template(
        "privacy/admin_requests.html",
        waiting=queries.awaiting_decision(),
        recent=queries.recent_requests(),
    )


@bp.route("/admin/privacy/requests/<int:request_id>", methods=["GET", "POST"])
@require("privacy.approve")
def decide(request_id: int):
    try:
        privacy_request = requests.get_request(request_id)
    except NotFound:
        abort(404)
    form = DecisionForm()
    status = 200
    if form.validate_on_submit():
        try:
            if form.approve.data:
                requests.approve(current_user, privacy_request, utcnow())
            else:
                requests.reject(current_user, privacy_request, form.note.data, utcnow())
        except PermissionDenied as error:
            form.form_errors.append(error.message)
            status = 403
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash(f"Request #{privacy_request.id} {privacy_request.status}.", "success")
            return redirect(url_for("privacy_requests.admin_requests"))
    if form.errors and status == 200:
        status = 422
    return render_template(
        "privacy/decide.html", form=form, request_row=privacy_request,
        facts=queries.request_facts(privacy_request),
    ), status  # fmt: skip
