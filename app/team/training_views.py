"""Training pages: a path with its modules, a module with its articles and quiz, the team
lead's progress overview, the monthly module form and the empathy workshops."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import can, require
from app.errors import DomainError, NotFound, form_error
from app.extensions import db
from app.models import utcnow
from app.outbox import commit
from app.team import queries, rules, training
from app.team.forms import AttendanceForm, MonthlyModuleForm, WorkshopForm, quiz_form
from app.team.models import WorkshopSession
from app.team.views import bp
from app.tickets.forms import choices


def _path_or_404(key: str):
    try:
        return training.get_path(key)
    except NotFound:
        abort(404)


@bp.route("/training/<key>")
@require("team.train")
def path(key: str):
    found = _path_or_404(key)
    context = {"path": found, "statuses": queries.path_progress(current_user.id, found)}
    if found.kind == "workshop":
        context["sessions"] = queries.workshops(found.id)
    return render_template("team/path.html", **context)


def _module_or_404(module_id: int):
    try:
        return training.get_module(module_id)
    except NotFound:
        abort(404)


def _render_module(module, form, status: int = 200, attempt=None):
    return render_template(
        "team/module.html",
        module=module,
        form=form,
        attempt=attempt,
        articles=queries.readable_articles(current_user, module.article_slugs),
        status=next(
            item
            for item in queries.path_progress(current_user.id, module.path)
            if item.module.id == module.id
        ),
    ), status


@bp.route("/training/modules/<int:module_id>", methods=["GET", "POST"])
@require("team.train")
def module(module_id: int):
    found = _module_or_404(module_id)
    form = quiz_form(found)
    if request.method == "GET" or not found.quiz:
        return _render_module(found, form)
    if not form.validate_on_submit():
        return _render_module(found, form, 422)
    answers = [int(form[f"q{index}"].data) for index in range(len(found.quiz))]
    try:
        attempt = training.submit_quiz(current_user, found, answers, utcnow())
    except DomainError as error:
        form_error(form, error)
        return _render_module(found, form, 422)
    commit()
    if attempt.passed:
        flash(f"Passed with {attempt.score}%. Module complete.", "success")
    else:
        flash(
            f"{attempt.score}%: the pass mark is {found.pass_mark}%. Read again and retry.",
            "error",
        )
    return redirect(url_for("team.module", module_id=found.id, _anchor="result"))


@bp.route("/training/progress")
@require("team.lead")
def progress():
    """Everyone's progress: each path's modules passed per team member; monthly completions."""
    tables = []
    for found in queries.paths():
        if found.kind == "course":
            tables.append((found, queries.team_progress(found), None))
        elif found.kind == "monthly":
            completions = [(item, queries.module_completions(item)) for item in found.modules]
            tables.append((found, None, completions))
    return render_template("team/progress.html", tables=tables)


def _rising_topics() -> list[dict]:
    """Top rising topics of the common-issues report, when the feedback feature registered a
    provider in ``app.extensions["rising_topics_provider"]``: a callable returning
    ``[{"topic": str, "ticket_ids": [int, ...]}]``, most rising first."""
    provider = current_app.extensions.get("rising_topics_provider")
    return list(provider()) if provider else []


@bp.route("/training/monthly/new", methods=["GET", "POST"])
@require("team.lead")
def new_monthly():
    form = MonthlyModuleForm()
    rising = _rising_topics()
    if request.method == "GET":
        form.month.data = rules.month_key(utcnow().date())
        chosen = [item for item in rising if item["topic"] in request.args.getlist("topic")]
        if chosen:
            form.title.data = "Product update: " + ", ".join(item["topic"] for item in chosen)
            form.topics.data = json.dumps(chosen)
    status = 200
    if form.validate_on_submit():
        try:
            topics = json.loads(form.topics.data or "[]")
            if not isinstance(topics, list):
                raise ValueError
        except ValueError:
            topics = []
        try:
            created = training.start_monthly_module(
                current_user,
                utcnow(),
                month=form.month.data.strip(),
                title=form.title.data,
                intro=form.intro.data or "",
                article_slugs=[
                    s.strip() for s in (form.articles.data or "").split(",") if s.strip()
                ],
                quiz_text=form.quiz.data,
                pass_mark=form.pass_mark.data,
                topics=[t for t in topics if isinstance(t, dict)],
            )
        except DomainError as error:
            form_error(form, error)
            status = 422
        else:
            commit()
            flash("The monthly module is published.", "success")
            return redirect(url_for("team.module", module_id=created.id))
    elif request.method == "POST":
        status = 422
    return render_template("team/monthly_new.html", form=form, rising=rising), status


@bp.route("/training/workshops/new", methods=["GET", "POST"])
@require("team.lead")
def new_workshop():
    form = WorkshopForm()
    status = 200
    if form.validate_on_submit():
        zone = ZoneInfo(current_app.config["SUPPORT_TIMEZONE"])
        try:
            session = training.schedule_workshop(
                current_user,
                utcnow(),
                title=form.title.data,
                starts_at=form.starts_at.data.replace(tzinfo=zone),
                materials=form.materials.data or "",
            )
        except DomainError as error:
            form_error(form, error)
            status = 422
        else:
            commit()
            flash("Workshop scheduled.", "success")
            return redirect(url_for("team.workshop", session_id=session.id))
    elif request.method == "POST":
        status = 422
    return render_template("team/workshop_new.html", form=form), status


@bp.route("/training/workshops/<int:session_id>", methods=["GET", "POST"])
@require("team.train")
def workshop(session_id: int):
    session = db.session.get(WorkshopSession, session_id)
    if session is None:
        abort(404)
    form = AttendanceForm()
    form.attendees.choices = choices((user.id, user.display_name) for user in queries.staff())
    if request.method == "GET":
        form.attendees.data = [row.user_id for row in session.attendance]
    elif not can(current_user, "team.lead"):
        abort(403)
    elif form.validate_on_submit():
        added = training.record_attendance(current_user, session, form.attendees.data, utcnow())
        commit()
        flash(f"Attendance saved ({added} added).", "success")
        return redirect(url_for("team.workshop", session_id=session.id))
    status = 422 if request.method == "POST" else 200
    return render_template("team/workshop.html", session=session, form=form), status
