"""Agents' pages: tier queues, the ticket workspace and its actions, the SLA help page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import require
from app.errors import DomainError, form_error
from app.models import is_row_id, utcnow
from app.outbox import commit
from app.request_args import db_int, page_arg
from app.tickets import forum_link, origins, responses, services, workspace
from app.tickets.catalog import (
    AGENT_STATUS_LABELS,
    CATEGORIES,
    CHANNELS,
    IMPACTS,
    PRIORITY_LABELS,
    TIERS,
)
from app.tickets.forms import (
    ActionForm,
    AgentReplyForm,
    AssignForm,
    EscalateForm,
    MergeForm,
    PropertiesForm,
    ThreadResolutionForm,
    choices,
)
from app.tickets.sla import clock
from app.tickets.sla.policy_config import policy_table
from app.tickets.views import bp, uploads_from_request


def _ticket(ticket_id: int):
    try:
        return workspace.get_ticket_for_agent(current_user, ticket_id)
    except services.TicketNotFound:
        abort(404)


def _higher_tiers(ticket):
    return choices((tier, TIERS[tier]) for tier in (2, 3) if tier > ticket.tier)


def _row_id(raw: str) -> int | None:
    """A row id typed or posted as text; None for anything else (never a 500)."""
    try:
        value = db_int(raw)
    except ValueError:
        return None
    return value if is_row_id(value) else None


def _assignee_filter(raw: str) -> str:
    """``me``, ``none``, an agent's id as text, or "" (any) for anything else."""
    if raw in ("me", "none"):
        return raw
    value = _row_id(raw)
    return "" if value is None else str(value)


def _filters() -> workspace.QueueFilters:
    args = request.args
    tier = args.get("tier", type=db_int)
    if tier not in TIERS:
        tier = current_user.tier or 1
    return workspace.QueueFilters(
        tier=tier,
        category=args.get("category", ""),
        priority=args.get("priority", ""),
        status=args.get("status", ""),
        assignee=_assignee_filter(args.get("assignee", "")),
        channel=args.get("channel", ""),
        origin=args.get("origin", ""),
        breached=args.get("breached") == "1",
        at_risk=args.get("at_risk") == "1",
    )


@bp.route("/queue")
@require("tickets.work")
def queue():
    now = utcnow()
    filters = _filters()
    page = workspace.queue(current_user, filters, now, page_arg())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "tickets/queue.html", page=page, filters=filters, now=now, args=args,
        counts=workspace.queue_counts(current_user, now), agents=workspace.agents(),
        categories=CATEGORIES, priorities=PRIORITY_LABELS, statuses=AGENT_STATUS_LABELS,
        channels=CHANNELS, tiers=TIERS, origin_choices=origins.filter_choices(),
        origin_labels=origins.labels(ticket.id for ticket in page.items),
    )  # fmt: skip


def _render_work(ticket, status: int = 200, **forms):
    now = utcnow()
    reply_form = forms.get("reply_form") or AgentReplyForm()
    template_slug = request.args.get("template", "")
    chosen = responses.get_template(template_slug) if template_slug else None
    if chosen is not None and not reply_form.body.data:
        reply_form.body.data = chosen.fill(ticket.requester.display_name, ticket.ref)
    properties = forms.get("properties_form") or PropertiesForm(
        data={"priority": ticket.priority, "category": ticket.category, "status": ticket.status}
    )
    assign_form = forms.get("assign_form") or AssignForm(
        data={"assignee": str(ticket.assignee_id or "")}
    )
    assign_form.assignee.choices = choices(
        [("", "Nobody")]
        + [(agent.id, f"{agent.display_name} ({agent.role_label})") for agent in workspace.agents()]
    )
    escalate_form = forms.get("escalate_form") or EscalateForm()
    escalate_form.to_tier.choices = _higher_tiers(ticket)
    return render_template(
        "tickets/work.html",
        ticket=ticket,
        now=now,
        messages=workspace.conversation(ticket),
        entries=workspace.timeline_entries(ticket),
        other_tickets=workspace.other_tickets(ticket),
        thread=forum_link.linked_thread(ticket),
        promise=services.promise_text(ticket, now),
        guide=services.guide_article(ticket.guide_slug),
        templates=responses.list_templates(),
        chosen_template=chosen,
        reply_form=reply_form,
        properties_form=properties,
        assign_form=assign_form,
        escalate_form=escalate_form,
        thread_form=forms.get("thread_form") or ThreadResolutionForm(),
        action_form=ActionForm(),
        panels=current_app.extensions.get("ticket_panels", []),
        categories=CATEGORIES, priorities=PRIORITY_LABELS, statuses=AGENT_STATUS_LABELS,
        channels=CHANNELS, impacts=IMPACTS, tiers=TIERS,
    ), status  # fmt: skip


@bp.route("/<int:ticket_id>/work")
@require("tickets.work")
def work(ticket_id: int):
    return _render_work(_ticket(ticket_id))


def _done(ticket, message: str):
    commit()
    flash(message, "success")
    return redirect(url_for("tickets.work", ticket_id=ticket.id))


@bp.route("/<int:ticket_id>/claim", methods=["POST"])
@require("tickets.work")
def claim(ticket_id: int):
    ticket = _ticket(ticket_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        claimed = workspace.claim(current_user, ticket, utcnow())
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("tickets.work", ticket_id=ticket.id)), 303
    if claimed:
        return _done(ticket, f"You have claimed {ticket.ref}.")
    flash("Somebody else claimed this ticket first.", "error")
    return redirect(url_for("tickets.work", ticket_id=ticket.id)), 303


@bp.route("/<int:ticket_id>/assign", methods=["POST"])
@require("tickets.work")
def assign(ticket_id: int):
    ticket = _ticket(ticket_id)
    form = AssignForm()
    if form.validate_on_submit():
        raw = (form.assignee.data or "").strip()
        try:
            # Empty means "Nobody"; anything else must be an agent's id (garbage never unassigns).
            assignee_id = None if not raw else _row_id(raw)
            if raw and assignee_id is None:
                raise DomainError("Choose a support agent.", "assignee")
            workspace.assign(current_user, ticket, assignee_id, utcnow())
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(ticket, "Assignment saved.")
    return _render_work(ticket, 422, assign_form=form)


@bp.route("/<int:ticket_id>/properties", methods=["POST"])
@require("tickets.work")
def properties(ticket_id: int):
    ticket = _ticket(ticket_id)
    form = PropertiesForm()
    if form.validate_on_submit():
        try:
            workspace.change_properties(
                current_user, ticket, utcnow(), priority=form.priority.data,
                category=form.category.data, status=form.status.data,
            )  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(ticket, "Ticket updated.")
    return _render_work(ticket, 422, properties_form=form)


@bp.route("/<int:ticket_id>/escalate", methods=["POST"])
@require("tickets.work")
def escalate(ticket_id: int):
    ticket = _ticket(ticket_id)
    form = EscalateForm()
    form.to_tier.choices = _higher_tiers(ticket)
    if form.validate_on_submit():
        try:
            workspace.escalate(
                current_user, ticket, int(form.to_tier.data), form.reason.data, utcnow()
            )
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(ticket, f"Escalated to {TIERS[ticket.tier]}.")
    return _render_work(ticket, 422, escalate_form=form)


@bp.route("/<int:ticket_id>/agent-reply", methods=["POST"])
@require("tickets.work")
def agent_reply(ticket_id: int):
    ticket = _ticket(ticket_id)
    form = AgentReplyForm()
    if form.validate_on_submit():
        try:
            workspace.agent_reply(
                current_user, ticket, form.body.data, utcnow(), internal=form.internal.data,
                status_after=form.status_after.data or None, attachments=uploads_from_request(),
            )  # fmt: skip
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(ticket, "Note added." if form.internal.data else "Reply sent.")
    return _render_work(ticket, 422, reply_form=form)


@bp.route("/<int:ticket_id>/merge", methods=["GET", "POST"])
@require("tickets.work")
def merge(ticket_id: int):
    ticket = _ticket(ticket_id)
    form = MergeForm()
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = ["Tick the box to confirm."]
        else:
            try:
                target = workspace.merge(current_user, ticket, form.into.data, utcnow())
            except DomainError as error:
                form_error(form, error)
            else:
                return _done(target, f"{ticket.ref} is merged into {target.ref}.")
    status = 422 if request.method == "POST" else 200
    return render_template("tickets/merge.html", ticket=ticket, form=form), status


@bp.route("/<int:ticket_id>/thread-resolution", methods=["POST"])
@require("tickets.work")
def thread_resolution(ticket_id: int):
    ticket = _ticket(ticket_id)
    form = ThreadResolutionForm()
    if form.validate_on_submit():
        try:
            forum_link.post_resolution(current_user, ticket, form.body.data, utcnow())
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(ticket, "The resolution is posted in the forum thread.")
    return _render_work(ticket, 422, thread_form=form)


@bp.route("/help/sla")
@require("tickets.work")
def sla_help():
    policy = clock.get_policy()
    return render_template(
        "tickets/sla_help.html", rows=policy_table(policy), policy=policy,
        calendars=policy.calendars(),
    )  # fmt: skip
