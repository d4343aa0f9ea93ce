"""The incident screens for staff: list and drills with reports, declare, the incident screen
(update, resolve, links, timer, breach clock), templates with history, and the protocol."""

from __future__ import annotations

from datetime import UTC

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import can, require
from app.errors import DomainError, NotFound, form_error
from app.incidents import links, queries, rules, services, templates
from app.incidents.forms import (
    ActionForm,
    BulkLinkForm,
    DeclareForm,
    ResolveForm,
    TemplateForm,
    UpdateForm,
)
from app.incidents.views import bp
from app.markup import render_document
from app.models import utcnow
from app.outbox import commit
from app.tickets.catalog import CATEGORIES, STATUSES


def _aware(value):
    # The form's times are typed in UTC (labelled so); stored aware like every datetime.
    return value.replace(tzinfo=UTC) if value is not None else None


def _incident(incident_id: int):
    try:
        return services.get_incident(current_user, incident_id)
    except NotFound:
        abort(404)


@bp.get("/incidents/")
@require("incidents.view")
def index():
    live = queries.staff_incidents(drills=False)
    drills = queries.staff_incidents(drills=True)
    reports = {i.id: queries.report(i) for i in drills}
    return render_template(
        "incidents/index.html", live=live, drills=drills, reports=reports,
        duration=rules.duration_text,
    )  # fmt: skip


@bp.route("/incidents/new", methods=["GET", "POST"])
@require("incidents.manage")
def declare():
    form = DeclareForm()
    form.kind.choices = [("", "Choose a type")] + [
        (kind, kind.replace("_", " ").capitalize()) for kind in current_app.config["INCIDENT_TYPES"]
    ]
    if request.method == "GET" and request.args.get("drill"):
        form.is_drill.data = True
    if form.validate_on_submit():
        try:
            incident = services.declare(
                current_user, kind=form.kind.data, severity=form.severity.data,
                title=form.title.data, categories=form.categories.data or [],
                screens=(form.screens.data or "").split(","),
                affected_features=form.affected_features.data,
                workaround_url=form.workaround_url.data, message=form.message.data,
                detected_at=_aware(form.detected_at.data), aware_at=_aware(form.aware_at.data),
                is_drill=form.is_drill.data, now=utcnow(), token=form.token.data,
            )  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Drill declared." if incident.is_drill else "Incident declared.", "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("incidents/declare.html", form=form), status


def _render_show(incident, status=200, **forms):
    now = utcnow()
    sections = templates.sections_for(incident.kind, now)
    update_form = forms.get("update_form") or UpdateForm(prefix="update")
    resolve_form = forms.get("resolve_form") or ResolveForm(prefix="resolve")
    if not update_form.message.data:
        update_form.message.data = sections["update"]
    if not resolve_form.message.data:
        resolve_form.message.data = sections["resolve"]
    commit()  # a template imported on first use is kept
    return render_template(
        "incidents/show.html", incident=incident, now=now,
        entries=queries.timeline(incident, public_only=False), links=links.links(incident),
        update_form=update_form, resolve_form=resolve_form,
        link_form=forms.get("link_form") or BulkLinkForm(prefix="link"), action_form=ActionForm(),
        breach=queries.breach_clock(incident, now), steps=rules.BREACH_USER_STEPS,
        report=queries.report(incident), duration=rules.duration_text,
        categories=CATEGORIES, statuses=STATUSES,
        manage=can(current_user, "incidents.manage"),
    ), status  # fmt: skip


@bp.get("/incidents/<int:incident_id>")
@require("incidents.view")
def show(incident_id: int):
    return _render_show(_incident(incident_id))


@bp.post("/incidents/<int:incident_id>/update")
@require("incidents.manage")
def update(incident_id: int):
    incident = _incident(incident_id)
    form = UpdateForm(prefix="update")
    if form.validate_on_submit():
        try:
            services.post_update(
                current_user, incident, form.message.data, utcnow(),
                notify_requesters=form.notify_requesters.data, token=form.token.data,
            )  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Update published.", "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return _render_show(incident, 422, update_form=form)


@bp.post("/incidents/<int:incident_id>/resolve")
@require("incidents.manage")
def resolve(incident_id: int):
    incident = _incident(incident_id)
    form = ResolveForm(prefix="resolve")
    if form.validate_on_submit():
        try:
            services.resolve(current_user, incident, form.message.data, utcnow(),
                             token=form.token.data)  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Incident resolved.", "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return _render_show(incident, 422, resolve_form=form)


@bp.post("/incidents/<int:incident_id>/link")
@require("incidents.manage")
def bulk_link(incident_id: int):
    incident = _incident(incident_id)
    form = BulkLinkForm(prefix="link")
    if form.validate_on_submit():
        try:
            result = links.bulk_link(
                current_user, incident, text=form.text.data, since=_aware(form.since.data),
                tickets=form.tickets.data, threads=form.threads.data, now=utcnow(),
            )  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash(f"Linked {result.tickets} ticket(s) and {result.threads} thread(s).", "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return _render_show(incident, 422, link_form=form)


@bp.post("/incidents/<int:incident_id>/links/<int:link_id>/<any(exclude,include):action>")
@require("incidents.manage")
def exclude(incident_id: int, link_id: int, action: str):
    incident = _incident(incident_id)
    try:
        links.set_excluded(current_user, incident, link_id, action == "exclude")
    except NotFound:
        abort(404)
    commit()
    return redirect(url_for("incidents.show", incident_id=incident.id) + "#links")


@bp.post("/incidents/<int:incident_id>/breach/<any(authority,step):what>")
@require("incidents.manage")
def breach(incident_id: int, what: str):
    incident = _incident(incident_id)
    form = ActionForm()
    try:
        if what == "authority":
            services.record_authority_notified(current_user, incident, utcnow())
        else:
            services.complete_breach_step(current_user, incident, form.step.data or "", utcnow())
    except DomainError as error:
        flash(error.message, "error")
    else:
        commit()
    return redirect(url_for("incidents.show", incident_id=incident.id) + "#breach")


@bp.get("/incidents/protocol")
@require("incidents.view")
def protocol():
    path = templates.template_dir() / "PROTOCOL.md"
    document = render_document(path.read_text(encoding="utf-8"), user_content=False)
    return render_template("incidents/protocol.html", document=document)


@bp.route("/incidents/templates/<kind>", methods=["GET", "POST"])
@require("incidents.manage")
def template(kind: str):
    if kind not in current_app.config["INCIDENT_TYPES"]:
        abort(404)
    now = utcnow()
    form = TemplateForm()
    if request.method == "GET":
        for name, text in templates.sections_for(kind, now).items():
            if hasattr(form, name):
                getattr(form, name).data = text
    elif form.validate_on_submit():
        sections = {name: getattr(form, name).data for name in rules.SECTIONS}
        try:
            templates.edit_template(current_user, kind, sections, form.note.data or "", now)
        except DomainError as error:
            form_error(form, error)
        else:
            commit()
            flash("Template saved as a new version.", "success")
            return redirect(url_for("incidents.template", kind=kind))
    status = 422 if form.errors or form.form_errors else 200
    commit()
    return render_template(
        "incidents/template.html", form=form, kind=kind, history=templates.history(kind),
        sections=rules.SECTIONS, placeholders=rules.PLACEHOLDERS,
    ), status  # fmt: skip
