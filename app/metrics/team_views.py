"""Quality audits (team leads and admins) and the team pulse (support staff)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import require
from app.errors import DomainError, NotFound, form_error
from app.metrics import team, team_queries
from app.metrics.forms import DrawSampleForm, PulseForm, audit_form_class
from app.metrics.views import bp
from app.models import utcnow
from app.outbox import commit

#: Weeks of audit scores the quality page shows.
SCORE_WEEKS = 12


def _week_arg() -> date | None:
    try:
        return date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        return None


def _render_quality(week: date, draw_form: DrawSampleForm, status: int = 200):
    scores = team_queries.audit_scores(week - timedelta(weeks=SCORE_WEEKS - 1))
    audits = team.list_audits(week)
    return render_template(
        "metrics/quality.html", week=week, audits=audits, scores=scores, draw_form=draw_form,
        criteria=current_app.config["METRICS_AUDIT_CRITERIA"], timedelta=timedelta,
        names=team_queries.agent_names({audit.agent_id for audit in audits}),
    ), status  # fmt: skip


@bp.get("/quality")
@require("metrics.audit")
def quality():
    week = _week_arg() or team.week_of(utcnow())
    week -= timedelta(days=week.weekday())
    return _render_quality(week, DrawSampleForm(data={"week": week}))


@bp.post("/quality")
@require("metrics.audit")
def draw_sample():
    form = DrawSampleForm()
    now = utcnow()
    week = form.week.data or team.week_of(now)
    if form.validate():
        try:
            audits = team.draw_sample(current_user, week, now)
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash(f"{len(audits)} ticket(s) in the sample of the week of {week:%-d %B %Y}.")
            return redirect(url_for("metrics.quality", week=audits[0].week if audits else week))
    return _render_quality(week - timedelta(days=week.weekday()), form, 422)


@bp.route("/quality/<int:audit_id>", methods=["GET", "POST"])
@require("metrics.audit")
def audit(audit_id: int):
    try:
        item = team.get_audit(current_user, audit_id)
    except NotFound:
        abort(404)
    criteria = current_app.config["METRICS_AUDIT_CRITERIA"]
    form_class = audit_form_class(criteria)
    if request.method == "GET":
        data = {f"c{i}": str(item.ratings.get(name, "")) for i, name in enumerate(criteria)}
        form = form_class(data={**data, "comment": item.comment})
        return render_template("metrics/audit.html", audit=item, form=form, criteria=criteria)
    form = form_class()
    if form.validate():
        ratings = {name: getattr(form, f"c{i}").data for i, name in enumerate(criteria)}
        try:
            team.review(current_user, item, ratings, form.comment.data, utcnow())
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash(f"Audit of ticket #{item.ticket_id} saved.")
            return redirect(url_for("metrics.quality", week=item.week))
    return render_template("metrics/audit.html", audit=item, form=form, criteria=criteria), 422


@bp.route("/pulse", methods=["GET", "POST"])
@require("metrics.pulse")
def pulse():
    form = PulseForm()
    now = utcnow()
    if request.method == "POST" and form.validate():
        try:
            team.answer_pulse(current_user, form.score.data, form.comment.data, now)
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Thank you. Your answer is stored without your name.")
            return redirect(url_for("metrics.pulse"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "metrics/pulse.html", form=form, answered=team.has_answered(current_user, now),
        month=team.month_of(now), results=team_queries.pulse_results(),
    ), status  # fmt: skip
