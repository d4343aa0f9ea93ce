"""The common-issues report pages: the last complete week or month (or a chosen one), and its
CSV and Markdown downloads. More routes on the feedback blueprint."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template, request

from app.accounts.permissions import require
from app.feedback import report_rules, reports
from app.feedback.views import bp
from app.models import utcnow


def _period(kind: str) -> report_rules.Period:
    if kind not in report_rules.KINDS:
        abort(404)
    start = request.args.get("start", "")
    if not start:
        return reports.last_complete_period(kind, utcnow())
    try:
        day = date.fromisoformat(start[:10])
    except ValueError:
        abort(404)
    period = reports.period_starting(kind, day)
    if period.first_day != day or period.end > utcnow():
        abort(404)  # not the first day of a period, or a period that hasn't ended
    return period


@bp.get("/reports/<kind>")
@require("feedback.reports")
def report(kind: str):
    period = _period(kind)
    zone = ZoneInfo(period.zone)
    built = reports.build(period)
    fmt = request.args.get("format", "")
    name = f"common-issues-{period.key}"
    if fmt == "csv":
        return Response(
            report_rules.to_csv(built),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "md":
        return Response(
            report_rules.to_markdown(built),
            mimetype="text/markdown",
            headers={"Content-Disposition": f'attachment; filename="{name}.md"'},
        )
    if fmt:
        abort(404)
    previous = reports.period_starting(kind, period.previous_start.astimezone(zone).date())
    return render_template(
        "feedback/report.html", report=built, sections=report_rules.sections(built),
        period=period, previous=previous,
    )  # fmt: skip
