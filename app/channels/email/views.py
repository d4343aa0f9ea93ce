"""Admins' quarantine page (retry or discard what could not be imported) and the download of
a received message's original ``.eml``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.permissions import can_download_original, require
from app.channels.email import receiving
from app.channels.email.receiving import received_for
from app.channels.inbound import quarantined
from app.channels.models import InboundMessage
from app.errors import NotFound
from app.extensions import db
from app.models import is_row_id, utcnow
from app.outbox import commit
from app.tickets.models import Ticket

from .forms import QuarantineActionForm

bp = Blueprint("channel_email", __name__, url_prefix="/admin/mail")


@bp.route("/quarantine")
@require("channels.quarantine")
def quarantine():
    rows = [row for row in quarantined() if row.channel == receiving.CHANNEL]
    return render_template("channels/email/quarantine.html", rows=rows, form=QuarantineActionForm())


@bp.route("/quarantine/<int:record_id>/retry", methods=["POST"])
@require("channels.quarantine")
def retry(record_id: int):
    if not QuarantineActionForm().validate_on_submit():
        abort(400)
    try:
        record = receiving.retry(record_id, utcnow())
        commit()
    except NotFound:
        abort(404)
    if record is not None and record.outcome == "quarantined":
        flash(f"Still quarantined: {record.reason}", "error")
    else:
        flash("Imported.", "success")
    return redirect(url_for(".quarantine"))


@bp.route("/quarantine/<int:record_id>/discard", methods=["GET", "POST"])
@require("channels.quarantine")
def discard(record_id: int):
    record = _quarantined_or_404(record_id)
    form = QuarantineActionForm()
    if form.validate_on_submit():
        receiving.discard(record.id, utcnow())
        commit()
        flash("Discarded. The original stays on disk.", "success")
        return redirect(url_for(".quarantine"))
    return render_template("channels/email/discard.html", record=record, form=form)


@bp.route("/messages/<int:record_id>.eml")
def original(record_id: int):
    """The message as received, as a download (never shown inline: it is the sender's)."""
    record = db.session.get(InboundMessage, record_id) if is_row_id(record_id) else None
    if record is None or not record.raw_path or not current_user.is_authenticated:
        abort(404)
    if not can_download_original(current_user, record):
        abort(404)
    try:
        data = receiving.read_original(record.raw_path)
    except NotFound:
        abort(404)
    return (
        data,
        200,
        {
            "Content-Type": "message/rfc822",
            "Content-Disposition": f'attachment; filename="message-{record.id}.eml"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/tickets/<int:ticket_id>/originals")
@require("tickets.work")
def ticket_originals(ticket_id: int):
    """The e-mails a ticket received, each as its original ``.eml`` (for agents)."""
    ticket = db.session.get(Ticket, ticket_id) if is_row_id(ticket_id) else None
    if ticket is None:
        abort(404)
    return render_template(
        "channels/email/originals.html", ticket=ticket, rows=received_for(ticket.id)
    )


def _quarantined_or_404(record_id: int) -> InboundMessage:
    record = db.session.get(InboundMessage, record_id) if is_row_id(record_id) else None
    if record is None or record.channel != receiving.CHANNEL or record.outcome != "quarantined":
        abort(404)
    return record
