"""Documents built from the forum's own models, through its own services."""

from __future__ import annotations

from app.extensions import db
from app.outbox import commit
from app.search import services
from app.search.indexer import drain_all


def _keys(query):
    return [hit.key for hit in services.search(query, user=None).hits]


def test_forum_thread_is_indexed_only_while_public(ctx, factory, now):
    from app.accounts.models import User
    from app.forum import services as forum
    from app.forum.models import HIDDEN, ForumThread

    author = db.session.get(User, factory.user(role="moderator").id)
    category = forum.categories()[0]
    thread = forum.create_thread(
        author, category, "Cucumber leaves curl", "Mine curl at the edges in July.", now
    )
    commit()
    drain_all(now)
    assert forum.is_thread_public(thread)
    assert _keys("cucumber") == [f"forum_thread:{thread.id}"]
    thread = db.session.get(ForumThread, thread.id)
    thread.status = HIDDEN
    forum.touch_search(thread, now)
    commit()
    drain_all(now)
    assert _keys("cucumber") == []
