"""With the PostgreSQL search engine, erasure rebuilds the documents that named the person."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from app.extensions import db
from app.outbox import commit
from app.privacy.erasure import erase_person
from app.search.indexer import drain_all

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="the PostgreSQL search engine runs only with TEST_DATABASE_URL=postgresql://...",
)


@pytest.fixture
def app_config(tmp_path):
    return {
        "TICKET_ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "FORUM_PREMODERATE_POSTS": 0,
        "SEARCH_BACKEND": "postgres",
    }


def _documents_naming(name: str) -> list[str]:
    documents = db.metadata.tables["search_document"]
    rows = db.session.execute(select(documents.c.key, documents.c.title, documents.c.body))
    return [key for key, title, body in rows if name.lower() in f"{title} {body}".lower()]


def test_search_documents_forget_the_name(app, person, now):
    with app.app_context():
        assert _documents_naming(person.name) == [f"forum_thread:{person.ids['thread']}"]
        erase_person(person.user_id, now=now)
        commit()
        drain_all(now)
        assert _documents_naming(person.name) == []
