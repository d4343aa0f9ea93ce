"""Repeated searches are answered from the results cache, which forgets them as soon as the
index changes through the indexer (a new post is found by the very next search)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.outbox import commit
from app.search import services
from app.search.backend import Document, get_backend
from app.search.indexer import drain_all


@pytest.fixture
def app_config(backend_name):
    # The page cache (and so the results cache) is on here.
    return {"SEARCH_BACKEND": backend_name, "PAGE_CACHE_ENABLED": True}


def test_a_repeated_search_is_cached_until_the_index_changes(ctx, factory, now):
    backend = get_backend()
    kale = Document(
        type="forum_thread", object_id=901, title="Aphids on kale",
        body="Tiny green aphids everywhere.", url="/community/t/901", date=now,
    )  # fmt: skip
    with backend.writer_lock(blocking=True):
        backend.apply([kale], [])
    commit()
    first = services.search("aphids", user=None)
    assert first.total == 1
    # Removed behind the cache's back (no indexer, no content change): still the kept answer,
    # a copy the view may set its log id on.
    with backend.writer_lock(blocking=True):
        backend.apply([], [kale.key])
    commit()
    again = services.search("aphids", user=None)
    assert again.total == 1 and again is not first
    # A real change goes through the indexer, which makes the kept answers stale.
    factory.thread(factory.user("moderator"), "More aphids", "Aphids came back on the kale.")
    drain_all(datetime.now(UTC))
    fresh = services.search("aphids", user=None)
    assert [hit.title for hit in fresh.hits] == ["More aphids"]
