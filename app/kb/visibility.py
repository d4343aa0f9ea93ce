"""The knowledge base's one visibility rule as query filters. Pages, lists, counts, related
links, screen suggestions, the API, search documents and the ticket side panel all select
articles through these, so an internal article never reaches anyone outside its audience.

The rule itself (who may read what, and why) is in ``app.accounts.permissions``
(:func:`~app.accounts.permissions.kb_read_reason`); these filters must agree with it, and
``tests/kb/test_internal_visibility.py`` checks they do for every role.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

from app.accounts.permissions import can, can_read_kb_article, role_of
from app.kb.models import Article

PUBLIC = "public"
INTERNAL = "internal"


def public_articles_filter() -> ColumnElement[bool]:
    """What a signed-out visitor may see: the filter of every public surface (home, sections,
    counts, the API, search documents), whoever is signed in."""
    return Article.visibility == PUBLIC


def visible_articles_filter(user: Any) -> ColumnElement[bool]:
    """A where-clause on :class:`Article` selecting the articles ``user`` may read."""
    if not can(user, "kb.read"):
        return false()
    public = public_articles_filter()
    if not can(user, "kb.internal"):
        return public
    if can(user, "kb.internal_all"):
        # Every known visibility; an unknown value denies, like the rule.
        return Article.visibility.in_((PUBLIC, INTERNAL))
    role = role_of(user)
    internal = and_(
        Article.visibility == INTERNAL,
        or_(Article.audience == "", Article.audience.contains(f",{role},", autoescape=True)),
    )
    return or_(public, internal)


def internal_articles_filter(user: Any) -> ColumnElement[bool]:
    """The internal articles ``user`` may read (none for people outside the team)."""
    return and_(Article.visibility == INTERNAL, visible_articles_filter(user))


def can_read(user: Any, article: Article | None) -> bool:
    """One loaded article (the same rule as :func:`visible_articles_filter`)."""
    return can_read_kb_article(user, article)
