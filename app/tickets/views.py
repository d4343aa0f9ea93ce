"""Requester pages: submit a request, "My requests", the conversation, attachments, deflection
logging and escalating a forum thread. Agents' pages are in :mod:`app.tickets.agent_views`."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.accounts.permissions import can, can_view_ticket, require
from app.errors import DomainError, form_error
from app.models import is_row_id, utcnow
from app.outbox import commit
from app.request_args import db_int, page_arg
from app.tickets import attachments as files
from app.tickets import forum_link, limits, services
from app.tickets.catalog import CATEGORIES, IMPACTS, PRIORITY_LABELS, STATUSES
from app.tickets.forms import ActionForm, EscalateThreadForm, ReplyForm, TicketForm
from app.tickets.models import TicketAttachment

bp = Blueprint("tickets", __name__, url_prefix="/requests")


def uploads_from_request(name: str = "attachments") -> list[files.Upload]:
    """Uploaded files of the request, read up to one byte past the limit (so size is checked
    without reading an endless stream)."""
    limit = current_app.config["TICKET_ATTACHMENT_MAX_BYTES"] + 1
    return [
        files.Upload(storage.filename, storage.stream.read(limit))
        for storage in request.files.getlist(name)
        if storage and storage.filename
    ]


def _guide_steps(raw: str | None) -> int | None:
    """The hidden count of guide steps tried; None for anything that is not a number."""
    try:
        return db_int(raw or "")
    except ValueError:
        return None


def _own_ticket(ticket_id: int):
    try:
        return services.get_ticket_for_requester(current_user, ticket_id)
    except services.TicketNotFound:
        abort(404)


@bp.route("/")
@require("tickets.submit")
def index():
    page = services.list_requester_tickets(current_user, page_arg(), 20)
    return render_template(
        "tickets/index.html", page=page, statuses=STATUSES, categories=CATEGORIES,
        now=utcnow(), promise=services.promise_text,
    )  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@require("tickets.submit")
def new():
    form = TicketForm()
    if request.method == "GET":
        form.guide.data = request.args.get("guide", "")[:200]
        form.steps.data = request.args.get("steps", "")[:4]
        # What the person typed into a closed chat comes along (chat.js links here).
        form.description.data = request.args.get("description", "")[: services.BODY_MAX]
    limited = None
    if form.validate_on_submit():
        uploads = uploads_from_request()
        try:
            _spend(uploads, new_ticket=True)
            ticket = services.create_ticket(
                current_user, category=form.category.data, subject=form.subject.data,
                description=form.description.data, impact=form.impact.data, channel="web",
                now=utcnow(), attachments=uploads, guide_slug=form.guide.data or None,
                guide_steps=_guide_steps(form.steps.data),
            )  # fmt: skip
        except DomainError as error:
            form_error(form, error)
            limited = error if isinstance(error, limits.SubmissionLimited) else None
        else:
            commit()
            flash(f"Thank you. Your request {ticket.ref} is with our support team.", "success")
            return redirect(url_for("tickets.show", ticket_id=ticket.id))
    status = 422 if form.errors or form.form_errors else 200
    page = render_template(
        "tickets/new.html", form=form, impacts=IMPACTS, priorities=PRIORITY_LABELS,
        guide=services.guide_article(form.guide.data),
    )  # fmt: skip
    return _limited_answer(page, limited) if limited else (page, status)


def _spend(uploads: list[files.Upload], *, new_ticket: bool) -> None:
    """Count this submission against the account's and the address's limits.

    :raises limits.SubmissionLimited: a limit is reached.
    """
    size = sum(len(upload.data) for upload in uploads)
    limits.spend(current_user.id, request.remote_addr, new_ticket=new_ticket, upload_bytes=size)


def _limited_answer(page: str, limited: limits.SubmissionLimited):
    """The form again with the message, as a 429 that says when to try again."""
    return page, 429, {"Retry-After": str(limited.retry_after)}


@bp.route("/<int:ticket_id>")
@require("tickets.submit")
def show(ticket_id: int):
    ticket = _own_ticket(ticket_id)
    return _render_show(ticket, ReplyForm())


def _render_show(ticket, reply_form, status: int = 200):
    return render_template(
        "tickets/show.html",
        ticket=ticket,
        messages=services.public_conversation(ticket),
        attachments=services.public_attachments(ticket),
        promise=services.promise_text(ticket, utcnow()),
        guide=services.guide_article(ticket.guide_slug),
        reply_form=reply_form,
        action_form=ActionForm(),
        statuses=STATUSES,
        categories=CATEGORIES,
    ), status


@bp.route("/<int:ticket_id>/reply", methods=["POST"])
@require("tickets.submit")
def reply(ticket_id: int):
    ticket = _own_ticket(ticket_id)
    form = ReplyForm()
    if form.validate_on_submit():
        uploads = uploads_from_request()
        try:
            _spend(uploads, new_ticket=False)
            services.add_requester_reply(current_user, ticket, form.body.data, utcnow(), uploads)
        except DomainError as error:
            form_error(form, error)
            if isinstance(error, limits.SubmissionLimited):
                return _limited_answer(_render_show(ticket, form)[0], error)
        else:
            commit()
            flash("Your reply is sent.", "success")
            return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#conversation")
    return _render_show(ticket, form, 422)


@bp.route("/<int:ticket_id>/solve", methods=["POST"])
@require("tickets.submit")
def solve(ticket_id: int):
    return _requester_action(ticket_id, services.mark_solved, "Marked as solved. Thank you!")


@bp.route("/<int:ticket_id>/reopen", methods=["POST"])
@require("tickets.submit")
def reopen(ticket_id: int):
    return _requester_action(ticket_id, services.reopen, "Reopened: we'll get back to you.")


def _requester_action(ticket_id: int, action, message: str):
    ticket = _own_ticket(ticket_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(current_user, ticket, utcnow())
    except DomainError as error:
        flash(error.message, "error")
    else:
        commit()
        flash(message, "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.route("/<int:ticket_id>/attachments/<int:attachment_id>")
@require("tickets.submit")
def attachment(ticket_id: int, attachment_id: int):
    from app.extensions import db

    item = db.session.get(TicketAttachment, attachment_id) if is_row_id(attachment_id) else None
    if item is None or item.ticket_id != ticket_id:
        abort(404)
    if not can_view_ticket(current_user, item.ticket):
        abort(404)
    # A requester may not fetch a file attached to an internal note.
    if item.message is not None and item.message.internal and not can(current_user, "tickets.work"):
        abort(404)
    return files.download(item)


@bp.route("/deflection", methods=["POST"])
@require("tickets.submit")
def deflection():
    data = request.get_json(silent=True)
    # Anything but an object of strings (a list, a number, nested values) is refused, not a 500.
    fields = ("query", "article_url", "outcome")
    values = {name: data.get(name, "") for name in fields} if isinstance(data, dict) else None
    try:
        if values is None or not all(isinstance(value, str) for value in values.values()):
            raise DomainError("Send a JSON object of text fields.")
        services.record_deflection(current_user, **values, now=utcnow())
    except DomainError as error:
        return jsonify({"error": {"code": "validation_failed", "message": error.message}}), 422
    commit()
    return "", 204


@bp.route("/escalate/<int:thread_id>", methods=["GET", "POST"])
@require("tickets.submit")
def escalate_thread(thread_id: int):
    try:
        thread = forum_link.thread_for_escalation(current_user, thread_id)
    except services.TicketNotFound:
        abort(404)
    form = EscalateThreadForm()
    if form.validate_on_submit():
        try:
            ticket = forum_link.escalate_thread(
                current_user, thread, category=form.category.data, impact=form.impact.data,
                now=utcnow(), ticket_url_for=lambda t: url_for("tickets.work", ticket_id=t.id),
            )  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            promise = services.promise_text(ticket, utcnow())
            flash(f"Escalated to support as {ticket.ref}. {promise}", "success")
            if ticket.requester_id == current_user.id:
                return redirect(url_for("tickets.show", ticket_id=ticket.id))
            return redirect(url_for("tickets.work", ticket_id=ticket.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("tickets/escalate_thread.html", form=form, thread=thread), status
