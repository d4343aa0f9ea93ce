"""The common-issues report (support plan 7.3): built from tickets, forum threads, the
knowledge base's votes and guide outcomes, searches that found nothing and bad ratings, for a
weekly team meeting and a monthly product meeting; shown, exported and mailed once per period.

Reads only, except :func:`send_report` (records the sending and queues the mail; flush only).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

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

#: Articles need this many votes before their helpful ratio means anything.
MIN_VOTES = 3
FEATURE_CATEGORY, FEATURE_FORUM = "feature_request", "feature-requests"
LIMIT = 10
#: Forum posts and threads that count as someone asking: published, or held for review (a new
#: member's post is still a request); hidden, deleted and rejected ones don't.
ASKING = ("published", "pending")


def _ticket_counts(column, start: datetime, end: datetime) -> dict[str, int]:
    rows = db.session.execute(
        select(column, func.count())
        .where(Ticket.created_at >= start, Ticket.created_at < end)
        .group_by(column)
    ).all()
    return {key: count for key, count in rows}


def _texts(start: datetime, end: datetime) -> list[str]:
    """Subjects of new tickets and titles of new forum threads (a duplicate merged away still
    shows what people raise; hidden, deleted and rejected threads don't)."""
    subjects = db.session.scalars(
        select(Ticket.subject).where(Ticket.created_at >= start, Ticket.created_at < end)
    ).all()
    titles = db.session.scalars(
        select(ForumThread.title).where(
            ForumThread.created_at >= start, ForumThread.created_at < end,
            ForumThread.status.in_((*ASKING, "merged")),
        )
    ).all()  # fmt: skip
    return [*subjects, *titles]


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


def _worst_articles() -> list[tuple[str, int, int]]:
    """Articles with at least :data:`MIN_VOTES` votes, lowest share of helpful votes first."""
    helpful = func.sum(func.cast(ArticleVote.helpful, db.Integer))
    total = func.count()
    rows = db.session.execute(
        select(Article.title, helpful, total)
        .join(Article, Article.id == ArticleVote.article_id)
        .group_by(Article.id, Article.title)
        .having(total >= MIN_VOTES)
    ).all()
    ranked = sorted(rows, key=lambda row: (row[1] / row[2], -row[2], row[0]))
    return [(title, int(good), int(votes)) for title, good, votes in ranked[:LIMIT]]


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
    report.rising_topics = rules.rising(
        rules.terms(_texts(start, end)), rules.terms(_texts(before, start))
    )
    source = current_app.extensions.get("report_sources", {}).get("searches_without_results")
    report.searches_without_results = source(start, end, LIMIT) if source else None
    report.guide_give_ups = _guide_give_ups(start, end)
    report.worst_articles = _worst_articles()
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
        + site_link("feedback.report", kind=period.kind, start=f"{period.start:%Y-%m-%d}")
        + "\n"
    )
    for address in addresses:
        subject = f"Common issues: {period.label}"
        record_mail(OutgoingMail(address, subject, body), now)
    return len(addresses)
