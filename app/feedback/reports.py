"""The common-issues report (support plan 7.3): built from tickets, forum threads, the
knowledge base's votes and guide outcomes, searches that found nothing and bad ratings, for a
weekly team meeting and a monthly product meeting; shown, exported and mailed once per period.

Reads only, except :func:`send_report` (records the sending and queues the mail; flush only).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.feedback import queries
from app.feedback import report_rules as rules
from app.feedback.models import FeedbackReportSent
from app.forum.models import ForumCategory, ForumPost, ForumThread
from app.kb.models import Article, ArticleVote, GuideOutcome
from app.mail import OutgoingMail, site_link
from app.outbox import record_mail
from app.tickets.catalog import CATEGORIES, CHANNELS, PRIORITY_LABELS
from app.tickets.models import Ticket
from app.tickets.sla.clock import get_policy

#: Articles need this many votes before their helpful ratio means anything.
MIN_VOTES = 3
FEATURE_CATEGORY, FEATURE_FORUM = "feature_request", "feature-requests"
LIMIT = 10
#: Forum posts and threads that count as someone asking: published, or held for review (a new
#: member's post is still a request); hidden, deleted and rejected ones don't.
ASKING = ("published", "pending")


def support_zone() -> str:
    """The support time zone (the ticket policy's): report weeks and months are its days."""
    return get_policy().timezone


def last_complete_period(kind: str, now: datetime) -> rules.Period:
    return rules.last_complete_period(kind, now, support_zone())


def period_starting(kind: str, first_day: date) -> rules.Period:
    return rules.period_starting(kind, first_day, support_zone())


def _ticket_counts(column, start: datetime, end: datetime) -> dict[str, int]:
    rows = db.session.execute(
        select(column, func.count())
        .where(Ticket.created_at >= start, Ticket.created_at < end)
        .group_by(column)
    ).all()
    return {key: count for key, count in rows}


def _topics(start: datetime, end: datetime) -> list[tuple[int | None, set[str]]]:
    """``(ticket id or None, topics)`` of every new ticket and forum thread: words of the
    subject or title, and for a ticket its category and the guide it followed first (a
    duplicate merged away still shows what people raise; hidden, deleted and rejected threads
    don't). The forum has no tags, so a thread brings its title's words only."""
    tickets = db.session.execute(
        select(Ticket.id, Ticket.subject, Ticket.category, Article.title)
        .outerjoin(Article, Article.slug == Ticket.guide_slug)
        .where(Ticket.created_at >= start, Ticket.created_at < end)
    ).all()
    titles = db.session.scalars(
        select(ForumThread.title).where(
            ForumThread.created_at >= start, ForumThread.created_at < end,
            ForumThread.status.in_((*ASKING, "merged")),
        )
    ).all()  # fmt: skip
    found = [
        (ticket_id, rules.ticket_topics(subject, CATEGORIES.get(category, category), guide))
        for ticket_id, subject, category, guide in tickets
    ]
    return found + [(None, rules.ticket_topics(title)) for title in titles]


def _guide_give_ups(start: datetime, end: datetime) -> list[tuple[str, int, int, int]]:
    """Where readers stopped: guides that ended ``not_solved`` at a step, and requests opened
    after following a guide (with the steps they tried), counted together per guide and step."""
    counts: dict[tuple[str, int, int], int] = defaultdict(int)
    rows = db.session.execute(
        select(Article.title, GuideOutcome.steps_tried, GuideOutcome.steps_total, func.count())
        .join(Article, Article.id == GuideOutcome.article_id)
        .where(GuideOutcome.outcome == "not_solved", GuideOutcome.created_at >= start,
               GuideOutcome.created_at < end)
        .group_by(Article.title, GuideOutcome.steps_tried, GuideOutcome.steps_total)
    ).all()  # fmt: skip
    for title, tried, total, count in rows:
        counts[(title, tried, total)] += count
    rows = db.session.execute(
        select(Article.title, Ticket.guide_steps, func.count())
        .join(Article, Article.slug == Ticket.guide_slug)
        .where(Ticket.guide_steps.is_not(None), Ticket.created_at >= start, Ticket.created_at < end)
        .group_by(Article.title, Ticket.guide_steps)
    ).all()
    for title, tried, count in rows:
        total = next((t for (g, s, t) in counts if g == title and s == tried), tried)
        counts[(title, tried, total)] += count
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(title, tried, total, count) for (title, tried, total), count in ranked[:LIMIT]]


def _votes(start: datetime, end: datetime) -> dict[int, tuple[str, int, int]]:
    """``article id -> (title, helpful, votes)`` of the votes cast or last changed in
    ``[start, end)`` (a vote is one row per person that a change of mind updates)."""
    helpful = func.sum(func.cast(ArticleVote.helpful, db.Integer))
    rows = db.session.execute(
        select(Article.id, Article.title, helpful, func.count())
        .join(Article, Article.id == ArticleVote.article_id)
        .where(ArticleVote.updated_at >= start, ArticleVote.updated_at < end)
        .group_by(Article.id, Article.title)
    ).all()
    return {article_id: (title, int(good), int(votes)) for article_id, title, good, votes in rows}


def _worst_articles(period: rules.Period) -> list[tuple]:
    """Articles with at least :data:`MIN_VOTES` votes in the period, lowest share of helpful
    votes first, with the period before's votes next to them (empty when it had none)."""
    current = _votes(period.start, period.end)
    previous = _votes(period.previous_start, period.start)
    return rules.worst_articles(current, previous, MIN_VOTES, LIMIT)


def _feature_requests(end: datetime) -> list[tuple[str, str, int]]:
    """Feature requests (the category's tickets and forum threads) by how many different
    people asked: a ticket merged into another counts for that one, a thread escalated to a
    ticket is that ticket, and each person counts once per request."""
    people: dict[tuple[str, int], set[int]] = defaultdict(set)
    titles: dict[tuple[str, int], str] = {}
    tickets = db.session.execute(
        select(Ticket.id, Ticket.subject, Ticket.requester_id, Ticket.merged_into_id,
               Ticket.forum_thread_id)
        .where(Ticket.category == FEATURE_CATEGORY, Ticket.created_at < end)
    ).all()  # fmt: skip
    by_thread = {}
    for ticket_id, subject, requester_id, merged_into, thread_id in tickets:
        key = ("ticket", merged_into or ticket_id)
        people[key].add(requester_id)
        if merged_into is None:
            titles[key] = subject
        if thread_id is not None:
            by_thread[thread_id] = key
    threads = db.session.execute(
        select(ForumThread.id, ForumThread.title, ForumThread.merged_into_id,
               ForumThread.escalated_ticket_id)
        .join(ForumCategory, ForumCategory.id == ForumThread.category_id)
        .where(ForumCategory.slug == FEATURE_FORUM, ForumThread.created_at < end,
               ForumThread.status.in_(ASKING))
    ).all()  # fmt: skip
    for thread_id, title, merged_into, ticket_id in threads:
        target = merged_into or thread_id
        if ticket_id is not None and ticket_id in {t[0] for t in tickets}:
            by_thread[thread_id] = ("ticket", ticket_id)
        key = by_thread.get(target, ("thread", target))
        by_thread[thread_id] = key
        if merged_into is None and key[0] == "thread":
            titles[key] = title
    if by_thread:
        posters = db.session.execute(
            select(ForumPost.thread_id, ForumPost.author_id).where(
                ForumPost.thread_id.in_(list(by_thread)), ForumPost.status.in_(ASKING)
            )
        ).all()
        for thread_id, author_id in posters:
            people[by_thread[thread_id]].add(author_id)
    rows = [
        (titles.get(key, f"#{key[1]}"), "ticket" if key[0] == "ticket" else "forum", len(who))
        for key, who in people.items()
    ]
    return sorted(rows, key=lambda row: (-row[2], row[0]))[:LIMIT]


def build(period: rules.Period) -> rules.Report:
    """The report of ``period`` with its comparisons against the period before."""
    start, end, before = period.start, period.end, period.previous_start
    report = rules.Report(period=period)
    for name, column, labels in (
        ("category", Ticket.category, CATEGORIES),
        ("priority", Ticket.priority, PRIORITY_LABELS),
        ("channel", Ticket.channel, CHANNELS),
    ):
        current, previous = (
            _ticket_counts(column, start, end),
            _ticket_counts(column, before, start),
        )
        report.volume[name] = rules.compare(
            {labels.get(k, k): v for k, v in current.items()},
            {labels.get(k, k): v for k, v in previous.items()},
            {label: label for label in labels.values()},
        )
    current_topics = _topics(start, end)
    report.rising_topics = rules.rising(
        rules.count_topics(current_topics), rules.count_topics(_topics(before, start))
    )
    report.topic_tickets = rules.tickets_by_topic(current_topics)
    source = current_app.extensions.get("report_sources", {}).get("searches_without_results")
    report.searches_without_results = source(start, end, LIMIT) if source else None
    report.guide_give_ups = _guide_give_ups(start, end)
    report.worst_articles = _worst_articles(period)
    report.feature_requests = _feature_requests(end)
    report.bad_reasons = queries.bad_reasons(start, end)
    summary = queries.csat_summary(start, end)
    report.csat = (summary.asked, summary.good, summary.bad)
    return report


def recipients(kind: str) -> list[str]:
    key = "FEEDBACK_REPORT_WEEKLY_TO" if kind == rules.WEEKLY else "FEEDBACK_REPORT_MONTHLY_TO"
    return [address.strip() for address in current_app.config[key] if address.strip()]


def send_report(period: rules.Period, now: datetime) -> int | None:
    """Mail the report of ``period`` to its list, once per period (a second run, or a second
    host, finds it recorded and sends nothing).

    :returns: how many addresses it was queued for, or None if it had been sent already.
    """
    if db.session.get(FeedbackReportSent, period.key) is not None:
        return None
    addresses = recipients(period.kind)
    db.session.add(FeedbackReportSent(key=period.key, sent_at=now, recipients=len(addresses)))
    db.session.flush()  # the primary key refuses a second sending of the same period
    body = (
        rules.to_markdown(build(period))
        + "\nOn the site, with CSV and Markdown downloads: "
        + site_link("feedback.report", kind=period.kind, start=period.first_day.isoformat())
        + "\n"
    )
    for address in addresses:
        subject = f"Common issues: {period.label}"
        record_mail(OutgoingMail(address, subject, body), now)
    return len(addresses)


def rising_topics_for_training(now: datetime, limit: int = 5) -> list[dict]:
    """The last complete month's fastest-rising topics with the new tickets that raised them,
    as the team's monthly training form wants them (``app.extensions["rising_topics_provider"]``,
    see docs/team.md): ``[{"topic": str, "ticket_ids": [int, ...]}]``, most rising first."""
    report = build(last_complete_period(rules.MONTHLY, now))
    return [
        {"topic": row.label, "ticket_ids": report.topic_tickets.get(row.label, [])}
        for row in report.rising_topics[:limit]
    ]
