"""Read-only look-ups of the knowledge base for other pages: the internal space's list and
search, and the articles an agent's ticket panel suggests."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select

from app.extensions import db
from app.kb.models import Article
from app.kb.visibility import internal_articles_filter, public_articles_filter

#: Ticket category → the knowledge-base section that covers it (runbooks are also tagged with
#: the category key, e.g. ``billing``).
CATEGORY_SECTIONS = {
    "account": "account",
    "billing": "billing-and-payments",
    "app": "app-functionality",
    "feature_request": "app-functionality",
    "bug": "troubleshooting",
    "privacy": "data-and-privacy",
}
_WORD = re.compile(r"[a-z0-9]{4,}")


def internal_articles(user: Any, text: str = "", page: int = 1, per_page: int = 30):
    """The internal articles ``user`` may read, by title; ``text`` narrows to those whose
    title, summary or body contain it (a plain substring search: staff only, small space)."""
    query = select(Article).where(internal_articles_filter(user), Article.is_archived.is_(False))
    text = (text or "").strip()[:100]
    if text:
        like = f"%{text}%"
        query = query.where(
            or_(Article.title.ilike(like), Article.summary.ilike(like), Article.body.ilike(like))
        )
    return db.paginate(query.order_by(Article.title), page=page, per_page=per_page, error_out=False)


def _score(article: Article, category: str, words: set[str]) -> int:
    own = set(_WORD.findall(" ".join([article.title, article.summary, *article.tags]).lower()))
    score = 2 * len(words & own)
    if category in article.tags:
        score += 5
    if article.section == CATEGORY_SECTIONS.get(category):
        score += 2
    return score


def ticket_suggestions(
    user: Any, category: str, text: str, limit: int = 4
) -> tuple[list[Article], list[Article]]:
    """Internal articles (runbooks, saved-response guidance) ``user`` may read, and public
    articles to send, for a ticket's category and text, best match first.

    :returns: ``(internal, public)``, each at most ``limit`` long; articles that match
        neither the category nor a word of the text are left out.
    """
    words = set(_WORD.findall((text or "").lower()))
    picked = []
    for allowed in (internal_articles_filter(user), public_articles_filter()):
        rows = db.session.scalars(
            select(Article).where(allowed, Article.is_archived.is_(False))
        ).all()
        scored = [(_score(article, category, words), article) for article in rows]
        scored = [item for item in scored if item[0] > 0]
        scored.sort(key=lambda item: (-item[0], item[1].title))
        picked.append([article for _score_, article in scored[:limit]])
    return picked[0], picked[1]
