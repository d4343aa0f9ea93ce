"""Weekly team meeting pages and the monthly review with product and development."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import require
from app.errors import DomainError, NotFound, form_error
from app.models import utcnow
from app.outbox import commit
from app.team import meetings, queries, rules
from app.team.forms import ActionForm, ButtonForm, DecisionForm, NoteForm
from app.team.views import bp
from app.tickets.forms import choices


def _week_or_404(week: str):
    try:
        day = date.fromisoformat(week)
    except ValueError:
        abort(404)
    try:
        return meetings.weekly_meeting(current_user, day, utcnow())
    except NotFound:
        abort(404)


def _action_form(form: ActionForm | None = None) -> ActionForm:
    form = form or ActionForm(formdata=None)
    form.owner.choices = choices((user.id, user.display_name) for user in queries.staff())
    return form


def _render_week(meeting, status: int = 200, **forms):
    return render_template(
        "team/weekly.html",
        meeting=meeting,
        notes=meeting.notes,
        actions=meetings.actions_for(meeting),
        flags=meetings.flags_for(meeting),
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        action_form=_action_form(forms.get("action_form")),
        button=ButtonForm(formdata=None),
        previous=meeting.week_start - timedelta(days=7),
        following=meeting.week_start + timedelta(days=7),
        today=utcnow().date(),
    ), status


@bp.route("/weekly")
@require("team.meet")
def this_week():
    return redirect(url_for("team.weekly", week=rules.week_start(utcnow().date()).isoformat()))


@bp.route("/weekly/<week>", methods=["GET"])
@require("team.meet")
def weekly(week: str):
    meeting = _week_or_404(week)
    if week != meeting.week_start.isoformat():
        return redirect(url_for("team.weekly", week=meeting.week_start.isoformat()))
    commit()  # the page is kept from its first visit on
    return _render_week(meeting)


@bp.route("/weekly/<week>/notes", methods=["POST"])
@require("team.meet")
def add_note(week: str):
    meeting = _week_or_404(week)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            meetings.add_note(current_user, meeting, form.body.data, utcnow())
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Note added.", "success")
            return redirect(url_for("team.weekly", week=week, _anchor="notes"))
    return _render_week(meeting, 422, note_form=form)


@bp.route("/weekly/<week>/actions", methods=["POST"])
@require("team.meet")
def add_action(week: str):
    meeting = _week_or_404(week)
    form = _action_form(ActionForm())
    if form.validate_on_submit():
        try:
            meetings.add_action(
                current_user, meeting, text=form.text.data, owner_id=form.owner.data,
                due_on=form.due_on.data, now=utcnow(),
            )  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Action item added.", "success")
            return redirect(url_for("team.weekly", week=week, _anchor="actions"))
    return _render_week(meeting, 422, action_form=form)


@bp.route("/weekly/<week>/actions/<int:item_id>/done", methods=["POST"])
@require("team.meet")
def action_done(week: str, item_id: int):
    _week_or_404(week)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        meetings.complete_action(current_user, item_id, utcnow())
    except NotFound:
        abort(404)
    commit()
    flash("Action item done.", "success")
    return redirect(url_for("team.weekly", week=week, _anchor="actions"))


@bp.route("/weekly/<week>/flags/<int:flag_id>/discussed", methods=["POST"])
@require("team.meet")
def flag_discussed(week: str, flag_id: int):
    meeting = _week_or_404(week)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        meetings.mark_discussed(current_user, meeting, flag_id, utcnow())
    except NotFound:
        abort(404)
    commit()
    return redirect(url_for("team.weekly", week=week, _anchor="flags"))


# --- Monthly review -------------------------------------------------------------------------


@bp.route("/monthly")
@require("team.meet")
def this_month():
    return redirect(url_for("team.monthly", month=rules.month_key(utcnow().date())))


@bp.route("/monthly/<month>", methods=["GET", "POST"])
@require("team.meet")
def monthly(month: str):
    try:
        review = meetings.monthly_review(current_user, month, utcnow())
    except NotFound:
        abort(404)
    form = DecisionForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                meetings.record_decision(
                    current_user, review, form.text.data, form.ticket.data, utcnow()
                )
            except DomainError as error:
                form_error(form, error)
            else:
                commit()
                flash("Decision recorded.", "success")
                return redirect(url_for("team.monthly", month=month, _anchor="decisions"))
    else:
        commit()
    return render_template(
        "team/monthly.html",
        review=review,
        ranked=meetings.ranked_requests(month),
        form=form,
    ), status
