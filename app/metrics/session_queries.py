"""Read-only self-service figures from the help-center sessions (``app/metrics/sessions.py``):
session success, the self-service score, article views followed by a ticket on their topic,
and search click-through (from the search feature, through a registered source)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, exists, func, select

from app.extensions import db
from app.kb.models import Article
from app.kb.queries import CATEGORY_SECTIONS
from app.metrics import rules
from app.metrics.models import HelpSession, HelpSessionArticle
from app.tickets.models import Ticket


def _in_range(since: datetime, until: datetime):
    return and_(HelpSession.first_seen_at >= since, HelpSession.first_seen_at < until)


def session_figures(since: datetime, until: datetime, ticket_users: int) -> dict:
    """Sessions begun in ``[since, until)``: how many, how many a request of the same person
    followed within 24 h, the help-center users and the self-service score.

    :param ticket_users: people who opened a ticket in the range (the score's denominator).
    """
    followed_by_request = exists().where(
        Ticket.requester_id == HelpSession.user_id,
        Ticket.created_at >= HelpSession.first_seen_at,
        Ticket.created_at <= HelpSession.follow_until,
    )
    sessions, followed, anonymous, accounts = db.session.execute(
        select(
            func.count(),
            func.count().filter(followed_by_request),
            func.count().filter(HelpSession.user_id.is_(None)),
            func.count(func.distinct(HelpSession.user_id)),
        ).where(_in_range(since, until))
    ).one()
    # Anonymous keys cannot be linked across days: each is one user per day.
    help_center_users = anonymous + accounts
    return {
        "sessions": sessions,
        "sessions_followed_by_request": followed,
        "session_success_rate": rules.session_success_rate(sessions, followed),
        "help_center_users": help_center_users,
        "self_service_score": rules.self_service_score(help_center_users, ticket_users),
    }


def article_follow_ups(article_ids: list[int], since: datetime, until: datetime) -> dict:
    """Per article: session views in the range and those followed within 24 h by a ticket of
    the same person whose category is the article's section (``{id: (views, followed)}``)."""
    views: dict[int, int] = defaultdict(int)
    for article_id, count in db.session.execute(
        select(HelpSessionArticle.article_id, func.sum(HelpSessionArticle.views))
        .join(HelpSession, HelpSession.id == HelpSessionArticle.session_id)
        .where(HelpSessionArticle.article_id.in_(article_ids), _in_range(since, until))
        .group_by(HelpSessionArticle.article_id)
    ):  # fmt: skip
        views[article_id] = int(count or 0)
    followed_rows: dict[int, tuple[int, int]] = {}
    for row_id, article_id, count, section, category in db.session.execute(
        select(
            HelpSessionArticle.id, HelpSessionArticle.article_id, HelpSessionArticle.views,
            Article.section, Ticket.category,
        )
        .join(HelpSession, HelpSession.id == HelpSessionArticle.session_id)
        .join(Article, Article.id == HelpSessionArticle.article_id)
        .join(Ticket, and_(
            Ticket.requester_id == HelpSession.user_id,
            Ticket.created_at >= HelpSessionArticle.first_viewed_at,
            Ticket.created_at <= HelpSessionArticle.follow_until,
        ))
        .where(HelpSessionArticle.article_id.in_(article_ids), _in_range(since, until))
    ):  # fmt: skip
        if CATEGORY_SECTIONS.get(category) == section:
            followed_rows[row_id] = (article_id, count)  # once per viewing, however many tickets
    followed: dict[int, int] = defaultdict(int)
    for article_id, count in followed_rows.values():
        followed[article_id] += count
    return {article_id: (views[article_id], followed[article_id]) for article_id in article_ids}


def search_click_through(since: datetime, until: datetime) -> dict | None:
    """Searches logged in the range and those followed by a click on a result, from the search
    feature's ``report_sources["search_clicks"]`` (``None`` when search is not installed)."""
    source = current_app.extensions.get("report_sources", {}).get("search_clicks")
    if source is None:
        return None
    searches, clicked = source(since, until)
    return {
        "searches": searches,
        "clicked": clicked,
        "click_through": rules.click_through(searches, clicked),
    }
