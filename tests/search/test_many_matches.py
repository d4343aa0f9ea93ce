"""Ranking when a word is in many documents: PostgreSQL ranks a bounded set of candidates
(``postgres_query.CANDIDATES`` per source), so these hold it to what ranking everything gives."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.outbox import commit
from app.search import services
from app.search.backend import Document, get_backend
from app.search.postgres_query import CANDIDATES

MANY = CANDIDATES + 60


@pytest.fixture
def crowded(ctx, now):
    documents = [
        Document(
            type="article", object_id=1, title="Compost troubleshooting",
            body="Turn the heap every week.", url="/articles/compost",
            date=now - timedelta(days=400),
        ),
        Document(
            type="article", object_id=2, title="Greenhouse heating",
            body="Keep the compost bin warm; yellow mulch helps the compost.",
            url="/articles/greenhouse", date=now - timedelta(days=300),
        ),
    ]  # fmt: skip
    documents += [
        Document(
            type="forum_thread", object_id=10 + n, title=f"Question {n}",
            body=f"My compost smells, day {n}. Any idea?", url=f"/community/t/{10 + n}",
            date=now - timedelta(minutes=n),
        )
        for n in range(MANY)
    ]  # fmt: skip
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        backend.apply(documents, [])
    commit()


def test_an_old_title_match_outranks_many_newer_body_matches(crowded):
    results = services.search("compost", user=None)
    assert results.hits[0].key == "article:1"
    assert results.total == MANY + 2


def test_an_old_document_holding_every_word_comes_first(crowded):
    results = services.search("yellow mulch compost", user=None)
    assert results.hits[0].key == "article:2"
    assert results.total == MANY + 2


def test_deep_pages_are_not_cut_at_the_candidates(crowded):
    last = services.search("compost", user=None, page=(MANY + 2) // 10 + 1)
    assert len(last.hits) == (MANY + 2) % 10
