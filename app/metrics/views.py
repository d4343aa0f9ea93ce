"""Metrics pages: the dashboard, its CSV and JSON exports, and the formulas page."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_login import current_user

from app.accounts.permissions import can, require
from app.errors import error_response
from app.metrics import charts, exports, queries
from app.metrics.forms import FilterForm
from app.models import utcnow
from app.tickets.sla.clock import get_policy
from app.tickets.sla.policy_config import policy_table

bp = Blueprint("metrics", __name__, url_prefix="/metrics")


def _form() -> FilterForm:
    form = FilterForm(request.args)
    everyone = can(current_user, "metrics.view_all")
    agents = queries.agents() if everyone else [(current_user.id, current_user.display_name)]
    form.agent.choices = [("", "Everyone" if everyone else "Me"),
                          *[(str(i), name) for i, name in agents]]  # fmt: skip
    return form


def _filters(form: FilterForm) -> queries.Filters:
    """The question asked; agents only ever see their own figures."""
    today = utcnow().astimezone(ZoneInfo(get_policy().timezone)).date()
    end = form.end.data or today
    start = form.start.data or end - timedelta(
        days=current_app.config["METRICS_DEFAULT_RANGE_DAYS"] - 1
    )
    agent = int(form.agent.data) if form.agent.data else None
    if not can(current_user, "metrics.view_all"):
        agent = current_user.id
    return queries.Filters(
        start=start, end=end, category=form.category.data or None,
        priority=form.priority.data or None, channel=form.channel.data or None,
        tier=int(form.tier.data) if form.tier.data else None, agent_id=agent,
    )  # fmt: skip


def _field_errors(form: FilterForm) -> dict:
    return {name: errors[0] for name, errors in form.errors.items() if errors}


def _charts(data: dict) -> dict:
    trend = data["trend"]
    labels = [row["period"].strftime("%d %b") for row in trend]
    distribution = data["distribution"]
    on_target = sum(1 for row in distribution if row["on_target"])
    return {
        "trend": charts.line_chart(
            labels,
            {
                "New": [r["new"] for r in trend],
                "Solved": [r["solved"] for r in trend],
                "Backlog": [r["backlog"] for r in trend],
            },
        ),
        "by_category": charts.stacked_bars(
            [
                exports.LABELS["category"].get(r["value"], r["value"])
                for r in data["by"]["category"]
            ],
            {
                "Solved": [r["solved"] for r in data["by"]["category"]],
                "Still open": [max(r["new"] - r["solved"], 0) for r in data["by"]["category"]],
            },
        ),
        "distribution": charts.with_target_line(
            charts.stacked_bars(
                [row["bucket"] for row in distribution],
                {"First responses": [row["count"] for row in distribution]},
            ),
            [row["bucket"] for row in distribution],
            on_target - 1,
            "Target",
        ),
    }


def _texts(data: dict) -> dict:
    """Text alternatives that need more than the template can say simply."""
    rows = data["by"]["category"]
    busiest = max(rows, key=lambda row: (row["new"], row["value"]), default=None)
    text = "No tickets in this range."
    if busiest is not None and busiest["new"]:
        label = exports.LABELS["category"].get(busiest["value"], busiest["value"])
        text = (
            f"{label} had the most new tickets ({busiest['new']}); each bar shows the solved "
            "ones and those still open."
        )
    return {"by_category": text}


@bp.get("/")
@require("metrics.view")
def dashboard():
    form = _form()
    if not form.validate():
        return render_template("metrics/dashboard.html", form=form, data=None), 422
    filters = _filters(form)
    data = queries.dashboard(filters, compare=form.compare.data != "none")
    return render_template(
        "metrics/dashboard.html", form=form, data=data, tables=exports.tables(data),
        charts=_charts(data), texts=_texts(data), everyone=can(current_user, "metrics.view_all"),
        hours=exports.hours, percent=exports.percent,
    )  # fmt: skip


@bp.get("/export/<name>.csv")
@require("metrics.view")
def export_csv(name: str):
    form = _form()
    if not form.validate():
        return error_response(422, "Check the filters.", details=_field_errors(form))
    data = queries.dashboard(_filters(form), compare=False)
    table = exports.tables(data).get(name)
    if table is None:
        abort(404)
    filename = f"{name}-{data['filters'].start}-{data['filters'].end}.csv"
    return Response(
        exports.to_csv(table), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


@bp.get("/data.json")
@require("metrics.view")
def export_json():
    form = _form()
    if not form.validate():
        return error_response(422, "Check the filters.", details=_field_errors(form))
    return jsonify(exports.to_json(queries.dashboard(_filters(form), compare=True)))


@bp.get("/formulas")
@require("metrics.view")
def formulas():
    return render_template("metrics/formulas.html", policy=policy_table(get_policy()))
