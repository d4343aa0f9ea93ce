"""CSAT and NPS for the dashboard, read from the feedback feature's own queries (the metrics
sit above every feature and may read it; feedback never imports metrics)."""

from __future__ import annotations

from datetime import datetime

from app.feedback import queries as feedback


def quarter_of(moment: datetime) -> str:
    """The survey wave a moment falls in: ``2026-Q4``."""
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def quarters_between(start: datetime, end: datetime) -> list[str]:
    """The quarters that ``[start, end)`` touches, oldest first."""
    labels, year, month = [], start.year, start.month - (start.month - 1) % 3
    while datetime(year, month, 1, tzinfo=start.tzinfo) < end:
        labels.append(f"{year}-Q{(month - 1) // 3 + 1}")
        year, month = (year + 1, 1) if month == 10 else (year, month + 3)
    return labels


def feedback_figures(start: datetime, end: datetime) -> dict:
    """``{"csat": (good, bad, sent), "nps": [(quarter, scores, invited), ...]}``: surveys sent
    in the range with their current ratings, and each touched quarter's NPS wave."""
    summary = feedback.csat_summary(start, end)
    waves = []
    for label in quarters_between(start, end):
        quarter = feedback.nps_quarter(label)
        if quarter.invited:
            waves.append((label, feedback.nps_answers(label), quarter.invited))
    return {"csat": (summary.good, summary.bad, summary.asked), "nps": waves}
