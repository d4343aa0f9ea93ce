"""The team's home page and the "discuss at weekly" flag on a ticket. Training pages are in
``training_views.py``, meeting pages in ``meeting_views.py`` (same blueprint)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.permissions import require
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.outbox import commit
from app.team import meetings, queries
from app.team.forms import FlagForm
from app.tickets.models import Ticket

bp = Blueprint("team", __name__, url_prefix="/team")


@bp.route("/")
@require("team.train")
def home():
    """The agent's own side: training progress per path, and the team's pages."""
    progress = [(path, queries.path_progress(current_user.id, path)) for path in queries.paths()]
    return render_template("team/home.html", progress=progress, today=utcnow().date())


@bp.route("/tickets/<int:ticket_id>/discuss", methods=["POST"])
@require("tickets.work")
def flag_ticket(ticket_id: int):
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        abort(404)
    form = FlagForm()
    if not form.validate_on_submit():
        problems = [message for messages in form.errors.values() for message in messages]
        flash(f"Not flagged: {'; '.join(problems)}", "error")
        return redirect(url_for("tickets.work", ticket_id=ticket.id)), 303
    try:
        meetings.flag_for_discussion(current_user, ticket, form.reason.data or "", utcnow())
    except DomainError as error:
        flash(f"Not flagged: {error.message}", "error")
        return redirect(url_for("tickets.work", ticket_id=ticket.id)), 303
    commit()
    flash(f"{ticket.ref} will be discussed at the weekly meeting.", "success")
    return redirect(url_for("tickets.work", ticket_id=ticket.id))
