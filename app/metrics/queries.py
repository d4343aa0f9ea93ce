"""Read-only figures for the dashboard, CSV and JSON: counts from the daily rollups,
percentiles from the per-ticket figures of the range (exact, not estimated from buckets)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.kb.models import Article, ArticleViewDay, ArticleVote, GuideOutcome
from app.metrics import rules, session_queries
from app.metrics.models import DailyRollup, TicketMetrics
from app.tickets.models import Ticket
from app.tickets.sla.clock import get_policy
from app.tickets.sla.policy import response_target

DIMENSIONS = ("category", "priority", "channel", "tier")
#: First response as a share of its target: the distribution chart's buckets (upper bounds).
TARGET_BUCKETS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, float("inf"))


@dataclass(frozen=True)
class Filters:
    """A dashboard question: a range of local days (inclusive) and optional dimensions."""

    start: date
    end: date
    category: str | None = None
    priority: str | None = None
    channel: str | None = None
    tier: int | None = None
    agent_id: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The range of the same length just before this one (for comparison)."""
        length = timedelta(days=self.days)
        return Filters(self.start - length, self.start - timedelta(days=1), self.category,
                       self.priority, self.channel, self.tier, self.agent_id)  # fmt: skip


def _where(model, filters: Filters) -> list:
    conditions = []
    for name in ("category", "priority", "channel", "tier", "agent_id"):
        value = getattr(filters, name)
        if value is not None:
            conditions.append(getattr(model, name) == value)
    return conditions


@dataclass
class Summary:
    """The headline figures of one range."""

    new: int = 0
    solved: int = 0
    reopened: int = 0
    backlog_start: int = 0
    backlog_end: int = 0
    first_response_business: dict = field(default_factory=dict)
    first_response_calendar: dict = field(default_factory=dict)
    next_reply_business: dict = field(default_factory=dict)
    next_reply_calendar: dict = field(default_factory=dict)
    resolution: dict = field(default_factory=dict)
    resolution_active: dict = field(default_factory=dict)
    reopen_rate: float | None = None
    sla_attainment: float | None = None
    tickets_answered: int = 0
    tickets_resolved: int = 0


def _stats(values: list[float]) -> dict:
    """Median, 90th percentile and mean of seconds (``None`` each without values)."""
    return {
        "count": len(values),
        "median": rules.percentile(values, 0.5),
        "p90": rules.percentile(values, 0.9),
        "mean": sum(values) / len(values) if values else None,
    }


def rollup_totals(filters: Filters) -> dict[str, int]:
    """Each measure summed over the range."""
    rows = db.session.execute(
        select(DailyRollup.measure, func.sum(DailyRollup.count))
        .where(DailyRollup.day >= filters.start, DailyRollup.day <= filters.end,
               *_where(DailyRollup, filters))
        .group_by(DailyRollup.measure)
    )  # fmt: skip
    return {measure: int(total or 0) for measure, total in rows}


def backlog_before(filters: Filters, day: date) -> int:
    """Tickets open at the start of ``day``: every ``new + reopened - solved`` before it."""
    rows = db.session.execute(
        select(DailyRollup.measure, func.sum(DailyRollup.count))
        .where(DailyRollup.day < day, DailyRollup.measure.in_(("new", "reopened", "solved")),
               *_where(DailyRollup, filters))
        .group_by(DailyRollup.measure)
    )  # fmt: skip
    totals = {measure: int(total or 0) for measure, total in rows}
    return totals.get("new", 0) + totals.get("reopened", 0) - totals.get("solved", 0)


def ticket_rows(filters: Filters):
    """Per-ticket figures of the tickets created in the range."""
    return db.session.execute(
        select(
            TicketMetrics.priority, TicketMetrics.first_response_business,
            TicketMetrics.first_response_calendar, TicketMetrics.next_replies,
            TicketMetrics.resolution_seconds, TicketMetrics.resolution_active_seconds,
            TicketMetrics.reopens,
        ).where(TicketMetrics.created_day >= filters.start,
                TicketMetrics.created_day <= filters.end, *_where(TicketMetrics, filters))
    ).all()  # fmt: skip


def summary(filters: Filters, rows: list | None = None, totals: dict | None = None) -> Summary:
    """The headline figures (see the formulas page for each definition).

    :param rows: :func:`ticket_rows` of ``filters`` when the caller has them already; the
        same for ``totals`` (:func:`rollup_totals`).
    """
    totals = rollup_totals(filters) if totals is None else totals
    result = Summary(
        new=totals.get("new", 0), solved=totals.get("solved", 0),
        reopened=totals.get("reopened", 0),
    )  # fmt: skip
    result.backlog_start = backlog_before(filters, filters.start)
    result.backlog_end = result.backlog_start + result.new + result.reopened - result.solved
    result.sla_attainment = rules.ratio(totals.get("fr_met", 0), totals.get("fr_count", 0))
    fr_b, fr_c, nr_b, nr_c, res, res_active = [], [], [], [], [], []
    resolved = reopened = 0
    rows = ticket_rows(filters) if rows is None else rows
    for _, first_b, first_c, replies, resolution, active, reopens in rows:
        if first_b is not None:
            fr_b.append(first_b)
            fr_c.append(first_c)
        for business, calendar in replies or ():
            nr_b.append(business)
            nr_c.append(calendar)
        if resolution is not None:
            res.append(resolution)
            res_active.append(active)
            resolved += 1
            reopened += bool(reopens)
    result.first_response_business = _stats(fr_b)
    result.first_response_calendar = _stats(fr_c)
    result.next_reply_business = _stats(nr_b)
    result.next_reply_calendar = _stats(nr_c)
    result.resolution = _stats(res)
    result.resolution_active = _stats(res_active)
    result.tickets_answered = len(fr_b)
    result.tickets_resolved = resolved
    result.reopen_rate = rules.ratio(reopened, resolved)
    return result


def _bucket_start(day: date, weekly: bool) -> date:
    return day - timedelta(days=day.weekday()) if weekly else day


def volume_trend(filters: Filters, weekly: bool, backlog: int | None = None) -> list[dict]:
    """New, solved and end-of-period backlog per day (or per week, Monday first)."""
    rows = db.session.execute(
        select(DailyRollup.day, DailyRollup.measure, func.sum(DailyRollup.count))
        .where(DailyRollup.day >= filters.start, DailyRollup.day <= filters.end,
               DailyRollup.measure.in_(("new", "reopened", "solved")),
               *_where(DailyRollup, filters))
        .group_by(DailyRollup.day, DailyRollup.measure)
    )  # fmt: skip
    per_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, measure, total in rows:
        per_day[day][measure] += int(total or 0)
    if backlog is None:
        backlog = backlog_before(filters, filters.start)
    periods: dict[date, dict] = {}
    day = filters.start
    while day <= filters.end:
        counts = per_day.get(day, {})
        backlog += counts.get("new", 0) + counts.get("reopened", 0) - counts.get("solved", 0)
        period = periods.setdefault(
            _bucket_start(day, weekly),
            {"period": _bucket_start(day, weekly), "new": 0, "solved": 0, "backlog": 0},
        )
        period["new"] += counts.get("new", 0)
        period["solved"] += counts.get("solved", 0)
        period["backlog"] = backlog
        day += timedelta(days=1)
    return list(periods.values())


def by_dimension(filters: Filters, dimension: str) -> list[dict]:
    """New and solved tickets in the range per value of ``dimension``."""
    column = getattr(DailyRollup, dimension)
    rows = db.session.execute(
        select(column, DailyRollup.measure, func.sum(DailyRollup.count))
        .where(DailyRollup.day >= filters.start, DailyRollup.day <= filters.end,
               DailyRollup.measure.in_(("new", "solved")), *_where(DailyRollup, filters))
        .group_by(column, DailyRollup.measure)
    )  # fmt: skip
    table: dict = defaultdict(lambda: {"new": 0, "solved": 0})
    for value, measure, total in rows:
        table[value][measure] += int(total or 0)
    return [{"value": value, **counts} for value, counts in sorted(table.items())]


def by_dimensions(filters: Filters) -> dict[str, list[dict]]:
    """:func:`by_dimension` for every dimension, from one query."""
    columns = [getattr(DailyRollup, dimension) for dimension in DIMENSIONS]
    rows = db.session.execute(
        select(*columns, DailyRollup.measure, func.sum(DailyRollup.count))
        .where(DailyRollup.day >= filters.start, DailyRollup.day <= filters.end,
               DailyRollup.measure.in_(("new", "solved")), *_where(DailyRollup, filters))
        .group_by(*columns, DailyRollup.measure)
    ).all()  # fmt: skip
    result = {}
    for index, dimension in enumerate(DIMENSIONS):
        table: dict = defaultdict(lambda: {"new": 0, "solved": 0})
        for row in rows:
            table[row[index]][row[-2]] += int(row[-1] or 0)
        result[dimension] = [{"value": v, **counts} for v, counts in sorted(table.items())]
    return result


def sla_attainment(filters: Filters) -> list[dict]:
    """First responses within target, per priority and tier (tickets created in the range)."""
    rows = db.session.execute(
        select(DailyRollup.priority, DailyRollup.tier, DailyRollup.measure,
               func.sum(DailyRollup.count))
        .where(DailyRollup.day >= filters.start, DailyRollup.day <= filters.end,
               DailyRollup.measure.in_(("fr_count", "fr_met")), *_where(DailyRollup, filters))
        .group_by(DailyRollup.priority, DailyRollup.tier, DailyRollup.measure)
    )  # fmt: skip
    table: dict = defaultdict(lambda: {"fr_count": 0, "fr_met": 0})
    for priority, tier, measure, total in rows:
        table[(priority, tier)][measure] += int(total or 0)
    return [
        {"priority": priority, "tier": tier, "answered": counts["fr_count"],
         "met": counts["fr_met"], "rate": rules.ratio(counts["fr_met"], counts["fr_count"])}
        for (priority, tier), counts in sorted(table.items())
    ]  # fmt: skip


def escalations(filters: Filters, totals: dict | None = None) -> list[dict]:
    """Escalations per tier transition in the range."""
    totals = rollup_totals(filters) if totals is None else totals
    return [
        {"transition": f"Tier {name[4]} \u2192 Tier {name[6]}", "count": totals.get(name, 0)}
        for name in ("esc_1_2", "esc_2_3", "esc_1_3")
    ]


def first_response_distribution(filters: Filters, rows: list | None = None) -> list[dict]:
    """First responses by their share of the target (business time): the bucket ending at
    100 % is the last one on target."""
    rows = ticket_rows(filters) if rows is None else rows
    policy = get_policy()
    targets = {p: response_target(policy, p)[1].total_seconds() for p in policy.first_response}
    counts = [0] * len(TARGET_BUCKETS)
    for priority, first_b, *_ in rows:
        if first_b is None:
            continue
        share = first_b / targets[priority]
        counts[next(i for i, bound in enumerate(TARGET_BUCKETS) if share <= bound)] += 1
    rows, low = [], 0.0
    for bound, count in zip(TARGET_BUCKETS, counts, strict=True):
        label = f"over {low:.0%}" if bound == float("inf") else f"{low:.0%}\u2013{bound:.0%}"
        rows.append({"bucket": label, "count": count, "on_target": bound <= 1.0})
        low = bound
    return rows


def _utc_range(filters: Filters) -> tuple[datetime, datetime]:
    zone = ZoneInfo(get_policy().timezone)
    start = datetime.combine(filters.start, time(0), zone).astimezone(UTC)
    end = datetime.combine(filters.end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def self_service(filters: Filters) -> dict:
    """Guide outcomes, sessions and searches in the range, and how many people opened
    tickets."""
    since, until = _utc_range(filters)
    outcomes = dict(
        db.session.execute(
            select(GuideOutcome.outcome, func.count())
            .where(GuideOutcome.created_at >= since, GuideOutcome.created_at < until)
            .group_by(GuideOutcome.outcome)
        ).all()
    )
    requesters = db.session.scalar(
        select(func.count(func.distinct(Ticket.requester_id))).where(
            Ticket.created_at >= since, Ticket.created_at < until
        )
    )
    solved, not_solved = outcomes.get("solved", 0), outcomes.get("not_solved", 0)
    return {
        "guide_solved": solved,
        "guide_not_solved": not_solved,
        "guide_success_rate": rules.guide_success_rate(solved, not_solved),
        "ticket_users": requesters or 0,
        **session_queries.session_figures(since, until, requesters or 0),
        "search": session_queries.search_click_through(since, until),
    }


def article_effectiveness(filters: Filters, limit: int = 20) -> list[dict]:
    """The most viewed articles of the range with their helpful votes of the range and their
    session views followed (or not) by a ticket on their topic."""
    views = (
        select(ArticleViewDay.article_id, func.sum(ArticleViewDay.count).label("views"))
        .where(ArticleViewDay.day >= filters.start, ArticleViewDay.day <= filters.end)
        .group_by(ArticleViewDay.article_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Article.id, Article.slug, Article.title, views.c.views)
        .join(views, views.c.article_id == Article.id)
        .order_by(views.c.views.desc(), Article.id)
        .limit(limit)
    ).all()
    since, until = _utc_range(filters)
    votes: dict = defaultdict(lambda: {True: 0, False: 0})
    for article_id, helpful, count in db.session.execute(
        select(ArticleVote.article_id, ArticleVote.helpful, func.count())
        .where(ArticleVote.article_id.in_([row.id for row in rows]),
               ArticleVote.updated_at >= since, ArticleVote.updated_at < until)
        .group_by(ArticleVote.article_id, ArticleVote.helpful)
    ):  # fmt: skip
        votes[article_id][bool(helpful)] = count
    follow = session_queries.article_follow_ups([row.id for row in rows], since, until)
    return [
        {"slug": row.slug, "title": row.title, "views": int(row.views or 0),
         "helpful": votes[row.id][True], "not_helpful": votes[row.id][False],
         "helpful_ratio": rules.helpful_ratio(votes[row.id][True], votes[row.id][False]),
         "session_views": follow[row.id][0], "followed_by_ticket": follow[row.id][1],
         "not_followed_rate": rules.article_follow_up_free_rate(*follow[row.id])}
        for row in rows
    ]  # fmt: skip


def feedback(filters: Filters) -> dict | None:
    """CSAT and NPS from the feedback feature, when one is installed: it registers a callable
    ``app.extensions["metrics_feedback"](start, end)`` returning ``{"csat": (good, bad, sent),
    "nps": [(quarter label, [scores], sent), ...]}``. ``None`` until then."""
    provider = current_app.extensions.get("metrics_feedback")
    if provider is None:
        return None
    since, until = _utc_range(filters)
    raw = provider(since, until)
    good, bad, sent = raw["csat"]
    return {
        "csat": rules.csat(good, bad, sent),
        "nps": [(label, rules.nps(scores, sent)) for label, scores, sent in raw["nps"]],
    }


def dashboard(filters: Filters, compare: bool) -> dict:
    """Every figure of the dashboard for one question (the page, the JSON and the CSVs)."""
    weekly = filters.days > 62
    rows, totals = ticket_rows(filters), rollup_totals(filters)
    current = summary(filters, rows, totals)
    return {
        "filters": filters,
        "weekly": weekly,
        "summary": current,
        "previous": summary(filters.previous()) if compare else None,
        "trend": volume_trend(filters, weekly, current.backlog_start),
        "by": by_dimensions(filters),
        "sla": sla_attainment(filters),
        "escalations": escalations(filters, totals),
        "distribution": first_response_distribution(filters, rows),
        "self_service": self_service(filters),
        "articles": article_effectiveness(filters),
        "feedback": feedback(filters),
    }


def agents() -> list[tuple[int, str]]:
    """Everyone who can hold tickets, for the agent filter."""
    return [
        (user_id, name)
        for user_id, name in db.session.execute(
            select(User.id, User.display_name)
            .where(User.role.in_(("agent_t1", "agent_t2", "agent_t3", "admin")))
            .order_by(User.display_name, User.id)
        )
    ]
