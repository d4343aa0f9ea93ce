"""In-app help read side, for the API: tooltip snippets with language fallback, onboarding
tours, suggestions per app screen, and a version hash of all synced content (for ETags)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.kb.models import Article, Snippet, Tour
from app.kb.visibility import public_articles_filter


def get_snippet(key: str, lang: str, default_lang: str = "en") -> Snippet | None:
    """The live snippet ``key`` in ``lang``, else in ``default_lang``, else None.

    ``lang`` may be a region tag such as ``de-AT``: ``de`` is tried before the default.
    """
    for candidate in _languages(lang, default_lang):
        snippet = db.session.scalar(
            select(Snippet).where(
                Snippet.key == key, Snippet.lang == candidate, Snippet.is_archived.is_(False)
            )
        )
        if snippet is not None:
            return snippet
    return None


def _languages(lang: str, default_lang: str) -> list[str]:
    lang = (lang or "").strip().lower().replace("_", "-")
    candidates = [lang, lang.split("-")[0], default_lang]
    return [
        item for index, item in enumerate(candidates) if item and item not in candidates[:index]
    ]


def get_snippets(keys, lang: str, default_lang: str = "en") -> dict[str, Snippet]:
    """Snippets for several keys with the same fallback; unknown keys are left out."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    found: dict[str, Snippet] = {}
    rows = db.session.scalars(
        select(Snippet).where(
            Snippet.key.in_(keys),
            Snippet.lang.in_(_languages(lang, default_lang)),
            Snippet.is_archived.is_(False),
        )
    ).all()
    order = {item: rank for rank, item in enumerate(_languages(lang, default_lang))}
    for snippet in sorted(rows, key=lambda row: order[row.lang]):
        found.setdefault(snippet.key, snippet)
    return {key: found[key] for key in keys if key in found}


def get_tour(name: str) -> Tour | None:
    """The live tour ``name`` with ``.steps`` in order, or None."""
    return db.session.scalar(
        select(Tour)
        .where(Tour.name == name, Tour.is_archived.is_(False))
        .options(selectinload(Tour.steps))
    )


def list_tours() -> list[Tour]:
    return list(
        db.session.scalars(
            select(Tour)
            .where(Tour.is_archived.is_(False))
            .order_by(Tour.name)
            .options(selectinload(Tour.steps))
        )
    )


def articles_for_screen(screen: str, limit: int = 5) -> list[Article]:
    """Live articles whose ``screens`` list names ``screen``: troubleshooting guides last,
    most helpful first."""
    # The screens list is JSON; filtering in Python keeps this the same on SQLite and
    # PostgreSQL, and the knowledge base is small (tens to hundreds of articles).
    rows = db.session.scalars(
        select(Article)
        .where(Article.is_archived.is_(False), public_articles_filter())
        .order_by(Article.title)
    ).all()
    matching = [article for article in rows if screen in (article.screens or [])]
    matching.sort(key=lambda article: (article.is_troubleshooting, -article.helpful_yes))
    return matching[: max(limit, 0)]


def snippets_for_screen(
    screen: str, lang: str, limit: int = 10, default_lang: str = "en"
) -> list[Snippet]:
    """Snippets shown on ``screen`` in ``lang`` (falling back per key), ordered by key."""
    keys = sorted(
        db.session.scalars(select(Snippet.key).where(Snippet.is_archived.is_(False)).distinct())
    )
    found = get_snippets(keys, lang, default_lang)
    matching = [snippet for key, snippet in found.items() if screen in (snippet.screens or [])]
    return matching[: max(limit, 0)]


def content_version() -> str:
    """A short hash that changes whenever synced or edited content changes (for ETags)."""
    digest = hashlib.sha256()
    for row in db.session.execute(
        select(Article.slug, Article.revision_number, Article.is_archived)
        .where(public_articles_filter())
        .order_by(Article.slug)
    ):
        digest.update(f"a|{row[0]}|{row[1]}|{int(row[2])}\n".encode())
    for row in db.session.execute(
        select(Snippet.key, Snippet.lang, Snippet.revision_number, Snippet.is_archived).order_by(
            Snippet.key, Snippet.lang
        )
    ):
        digest.update(f"s|{row[0]}|{row[1]}|{row[2]}|{int(row[3])}\n".encode())
    for row in db.session.execute(
        select(Tour.name, Tour.content_hash, Tour.is_archived).order_by(Tour.name)
    ):
        digest.update(f"t|{row[0]}|{row[1]}|{int(row[2])}\n".encode())
    return digest.hexdigest()[:16]
