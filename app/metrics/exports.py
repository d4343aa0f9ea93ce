"""The dashboard's figures as named tables (pure): the page's data tables, the CSV files and
the JSON document all come from here, so they always agree."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

from app.tickets.catalog import CATEGORIES, CHANNELS, PRIORITY_LABELS, TIERS

LABELS = {"category": CATEGORIES, "priority": PRIORITY_LABELS, "channel": CHANNELS,
          "tier": TIERS}  # fmt: skip


def hours(seconds: float | None) -> float | None:
    """Seconds as hours with two decimals (tables and CSV); ``None`` stays empty."""
    return None if seconds is None else round(seconds / 3600, 2)


def percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _time_rows(summary) -> list[list]:
    rows = []
    for label, business, calendar in (
        ("First response", summary.first_response_business, summary.first_response_calendar),
        ("Next reply", summary.next_reply_business, summary.next_reply_calendar),
    ):
        rows.append([label, business["count"], hours(business["median"]), hours(business["p90"]),
                     hours(calendar["median"]), hours(calendar["p90"])])  # fmt: skip
    return rows


def _self_service_rows(figures: dict) -> list[list]:
    search = figures["search"] or {}
    return [
        ["Guide success %", percent(figures["guide_success_rate"])],
        ["Help-center sessions", figures["sessions"]],
        ["Sessions followed by a request within 24 h", figures["sessions_followed_by_request"]],
        ["Session success %", percent(figures["session_success_rate"])],
        ["Help-center users", figures["help_center_users"]],
        ["People who opened a ticket", figures["ticket_users"]],
        ["Self-service score (users per ticket user)", _rounded(figures["self_service_score"])],
        ["Searches", search.get("searches")],
        ["Searches followed by a click on a result", search.get("clicked")],
        ["Search click-through %", percent(search.get("click_through"))],
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def tables(data: dict) -> dict[str, dict]:
    """``name -> {"title", "header", "rows"}`` for every table of the dashboard."""
    summary = data["summary"]
    result = {
        "response_times": {
            "title": "Response times (hours)",
            "header": [
                "Clock",
                "Answered",
                "Median, business",
                "90th percentile, business",
                "Median, calendar",
                "90th percentile, calendar",
            ],
            "rows": _time_rows(summary),
        },
        "resolution": {
            "title": "Resolution time (hours, created to solved)",
            "header": ["Pauses", "Resolved", "Mean", "Median", "90th percentile"],
            "rows": [
                [
                    "Included",
                    summary.resolution["count"],
                    hours(summary.resolution["mean"]),
                    hours(summary.resolution["median"]),
                    hours(summary.resolution["p90"]),
                ],
                [
                    "Excluded",
                    summary.resolution_active["count"],
                    hours(summary.resolution_active["mean"]),
                    hours(summary.resolution_active["median"]),
                    hours(summary.resolution_active["p90"]),
                ],
            ],
        },
        "volume": {
            "title": "Volume per " + ("week (from Monday)" if data["weekly"] else "day"),
            "header": ["Period", "New", "Solved", "Backlog at end"],
            "rows": [
                [row["period"].isoformat(), row["new"], row["solved"], row["backlog"]]
                for row in data["trend"]
            ],
        },
        "sla": {
            "title": "First-response SLA attainment",
            "header": ["Priority", "Tier", "Answered", "Within target", "Attainment %"],
            "rows": [
                [
                    PRIORITY_LABELS.get(row["priority"], row["priority"]),
                    TIERS.get(row["tier"], row["tier"]),
                    row["answered"],
                    row["met"],
                    percent(row["rate"]),
                ]
                for row in data["sla"]
            ],
        },
        "escalations": {
            "title": "Escalations per tier transition",
            "header": ["Transition", "Escalations"],
            "rows": [[row["transition"], row["count"]] for row in data["escalations"]],
        },
        "distribution": {
            "title": "First responses by share of their target (business time)",
            "header": ["Share of target", "Tickets", "On target"],
            "rows": [
                [row["bucket"], row["count"], "yes" if row["on_target"] else "no"]
                for row in data["distribution"]
            ],
        },
        "articles": {
            "title": "Article effectiveness",
            "header": [
                "Article",
                "Views",
                "Helpful",
                "Not helpful",
                "Helpful %",
                "Session views",
                "Followed by a ticket on its topic",
                "Not followed %",
            ],
            "rows": [
                [
                    row["title"],
                    row["views"],
                    row["helpful"],
                    row["not_helpful"],
                    percent(row["helpful_ratio"]),
                    row["session_views"],
                    row["followed_by_ticket"],
                    percent(row["not_followed_rate"]),
                ]
                for row in data["articles"]
            ],
        },
        "self_service": {
            "title": "Self-service",
            "header": ["Figure", "Value"],
            "rows": _self_service_rows(data["self_service"]),
        },
    }
    for dimension, rows in data["by"].items():
        result[f"by_{dimension}"] = {
            "title": f"Volume by {dimension}",
            "header": [dimension.capitalize(), "New", "Solved"],
            "rows": [[LABELS[dimension].get(row["value"], row["value"]), row["new"],
                      row["solved"]] for row in rows],
        }  # fmt: skip
    return result


def to_csv(table: dict) -> str:
    """One table as CSV (header first); a cell starting with ``=``, ``+``, ``-`` or ``@`` is
    prefixed with ``'`` so a spreadsheet never runs an article title as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table["header"])
    for row in table["rows"]:
        writer.writerow(
            ["'" + cell if isinstance(cell, str) and cell[:1] in "=+-@" else
             ("" if cell is None else cell) for cell in row]
        )  # fmt: skip
    return out.getvalue()


def to_json(data: dict) -> dict:
    """The JSON document for BI tools: the summary (seconds), the comparison and the tables."""
    filters = data["filters"]

    def summary_dict(summary):
        return None if summary is None else asdict(summary)

    return {
        "range": {"start": filters.start.isoformat(), "end": filters.end.isoformat()},
        "filters": {name: getattr(filters, name) for name in
                    ("category", "priority", "channel", "tier", "agent_id")},
        "summary": summary_dict(data["summary"]),
        "previous": summary_dict(data["previous"]),
        "self_service": data["self_service"],
        "tables": {name: {"header": table["header"], "rows": table["rows"]}
                   for name, table in tables(data).items()},
    }  # fmt: skip
