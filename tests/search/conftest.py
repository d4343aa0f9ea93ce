"""Search fixtures: the backend under test (Whoosh always; PostgreSQL when the test database is
PostgreSQL) and helpers that make real articles through the knowledge base's own service."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from app.extensions import db
from app.outbox import commit


@pytest.fixture(params=["whoosh", "postgres"])
def backend_name(request, database_url):
    if request.param == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL backend runs only with TEST_DATABASE_URL=postgresql://...")
    return request.param


@pytest.fixture
def app_config(backend_name):
    return {"SEARCH_BACKEND": backend_name, "SEARCH_REBUILD_PROCS": 1}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def make_article(
    now: datetime,
    title: str,
    body: str,
    *,
    tags: tuple[str, ...] = (),
    section: str = "getting-started",
    article_type: str = "guide",
    summary: str = "",
) -> int:
    """A committed article (needs an application context); returns its id."""
    from app.kb.models import Article
    from app.kb.services import add_revision

    article = Article(
        slug=f"a-{uuid.uuid4().hex[:10]}", title=title, type=article_type, section=section,
        created_at=now, updated_at=now,
    )  # fmt: skip
    db.session.add(article)
    db.session.flush()
    add_revision(
        article, title=title, summary=summary, tags=list(tags), body=body, source="file", now=now
    )
    commit()
    return article.id
