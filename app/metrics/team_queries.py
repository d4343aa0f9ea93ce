"""Read-only figures of the quality audits and the team pulse."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.metrics import rules
from app.metrics.models import PulseAnswer, QualityAudit


def audit_scores(since: date) -> dict:
    """Reviewed audits from the week of ``since`` on: the team's mean score per week and each
    agent's (a fraction of the best score; see :func:`app.metrics.rules.audit_score`)."""
    rows = db.session.execute(
        select(QualityAudit.week, QualityAudit.agent_id, QualityAudit.score)
        .where(QualityAudit.week >= since, QualityAudit.score.is_not(None))
        .order_by(QualityAudit.week)
    ).all()
    team: dict[date, list[float]] = defaultdict(list)
    agents: dict[int, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for week, agent_id, score in rows:
        team[week].append(score)
        agents[agent_id][week].append(score)
    names = agent_names(set(agents))
    weeks = sorted(team)

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    return {
        "weeks": weeks,
        "team": [{"week": week, "audits": len(team[week]), "score": mean(team[week])}
                 for week in weeks],
        "agents": [
            {"agent_id": agent_id, "name": names.get(agent_id, "Nobody"),
             "scores": [mean(per_week.get(week, [])) for week in weeks],
             "audits": sum(len(values) for values in per_week.values()),
             "overall": mean([s for values in per_week.values() for s in values])}
            for agent_id, per_week in sorted(agents.items(),
                                             key=lambda item: names.get(item[0], ""))
        ],
    }  # fmt: skip


def agent_names(ids: set[int]) -> dict[int, str]:
    """Display names of the given accounts."""
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    return {user_id: name for user_id, name in rows}


def pulse_results(months: int = 12) -> list[dict]:
    """The latest months' pulse, newest first. A month with fewer than
    :data:`~app.metrics.rules.PULSE_MIN_ANSWERS` answers shows only that it has too few: no
    average, no distribution, no comments. Comments are shown in alphabetical order, never in
    the order they came in."""
    rows = db.session.execute(
        select(PulseAnswer.month, PulseAnswer.score, PulseAnswer.comment)
    ).all()
    by_month: dict[date, list[tuple[int, str]]] = defaultdict(list)
    for month, score, comment in rows:
        by_month[month].append((score, comment))
    results = []
    for month in sorted(by_month, reverse=True)[:months]:
        answers = by_month[month]
        scores = [score for score, _ in answers]
        average = rules.pulse_average(scores)
        shown = average is not None
        results.append({
            "month": month,
            "answers": len(answers),
            "average": average,
            "distribution": [Counter(scores)[value] for value in range(1, 6)] if shown else None,
            "comments": sorted(c for _, c in answers if c) if shown else [],
        })  # fmt: skip
    return results
