"""Documents built from the wiki's and the forum's own models, through their own services.

End to end: the feature's service records the change, the outbox is drained, the search finds
the document, its URL opens the real page, and the document goes when the content is deleted
or hidden.
"""

from __future__ import annotations

from app.extensions import db
from app.outbox import commit
from app.search import services
from app.search.indexer import drain_all


def _hits(query):
    return services.search(query, user=None).hits


def _keys(query):
    return [hit.key for hit in _hits(query)]


def _user(factory, role="moderator"):
    from app.accounts.models import User

    return db.session.get(User, factory.user(role=role).id)


def test_forum_thread_is_indexed_only_while_public(ctx, factory, now):
    from app.forum import services as forum
    from app.forum.models import HIDDEN, ForumThread

    author = _user(factory)
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


def test_wiki_page_end_to_end(app, client, factory, now):
    """Created through the wiki's service, found, opened from its result, deleted: gone."""
    from app.wiki import services as wiki
    from app.wiki.models import WikiPage

    with app.app_context():
        editor = _user(factory)
        saved = wiki.create_page(
            editor, "Companion planting", "Marigolds keep whitefly off tomatoes.", "", now
        )
        assert saved.outcome == "saved"
        page_id, slug = saved.page.id, saved.page.slug
        commit()
        assert _keys("marigolds") == []  # not before the outbox is drained
        drain_all(now)
        [hit] = _hits("marigolds")
        assert hit.key == f"wiki_page:{page_id}"
        assert hit.title == "Companion planting"
        url = hit.url
    response = client.get(url)
    assert response.status_code == 200
    assert "Companion planting" in response.get_data(as_text=True)
    assert url == f"/wiki/{slug}"
    with app.app_context():
        wiki.delete_page(db.session.get(WikiPage, page_id), _user(factory), "spam", now)
        commit()
        drain_all(now)
        assert _keys("marigolds") == []
        assert _keys("companion") == []


def test_forum_thread_end_to_end(app, client, factory, now):
    """Created through the forum's service, found with its replies, opened, hidden: gone."""
    from app.forum import moderation
    from app.forum import services as forum
    from app.forum.models import ForumThread

    with app.app_context():
        author, moderator = _user(factory), _user(factory)
        thread = forum.create_thread(
            author, forum.categories()[0], "Leeks bolting", "Mine flower in the first year.", now
        )
        commit()
        forum.post_reply(thread, moderator, "Sow them later; vernalisation triggers it.", now)
        commit()
        thread_id = thread.id
        drain_all(now)
        assert _keys("vernalisation") == [f"forum_thread:{thread_id}"]  # a reply's words
        [hit] = _hits("leeks")
        url = hit.url
    response = client.get(url)
    assert response.status_code == 200
    assert "Leeks bolting" in response.get_data(as_text=True)
    with app.app_context():
        thread = db.session.get(ForumThread, thread_id)
        opening = forum.opening_post(thread)
        moderation.moderate_post(opening, _user(factory), "hide", "off topic", now)
        commit()
        drain_all(now)
        assert _keys("leeks") == []
        assert _keys("vernalisation") == []


def test_deleted_forum_thread_disappears(ctx, factory, now):
    from app.forum import services as forum

    author = _user(factory)
    thread = forum.create_thread(
        author, forum.categories()[0], "Rhubarb forcing", "Cover the crowns in January.", now
    )
    commit()
    drain_all(now)
    assert _keys("rhubarb") == [f"forum_thread:{thread.id}"]
    forum.delete_post(forum.opening_post(thread), author, now)
    commit()
    drain_all(now)
    assert _keys("rhubarb") == []


def test_rebuild_reads_threads_in_batches_with_the_same_documents(ctx, factory, now):
    """The batched reader of a rebuild builds exactly what the one-by-one drain builds."""
    from sqlalchemy import select

    from app.forum import moderation
    from app.forum import services as forum
    from app.forum.models import ForumPost, ForumThread
    from app.search import documents

    author, moderator = _user(factory), _user(factory)
    category = forum.categories()[0]
    busy = forum.create_thread(author, category, "Peas", "Which support?", now)
    quiet = forum.create_thread(author, category, "Beans", "When to sow?", now)
    gone = forum.create_thread(author, category, "Kale", "Caterpillars.", now)
    commit()
    kept = forum.post_reply(busy, moderator, "Hazel twigs.", now)
    hidden = forum.post_reply(busy, moderator, "Buy my netting!", now)
    commit()
    forum.accept_answer(kept, author, now)
    moderation.moderate_post(hidden, moderator, "hide", "spam", now)
    forum.delete_post(forum.opening_post(gone), author, now)
    commit()
    threads = db.session.scalars(select(ForumThread).order_by(ForumThread.id)).all()
    single = [documents.forum_thread_document(thread) for thread in threads]
    assert documents.forum_thread_documents(threads) == single
    by_id = {thread.id: document for thread, document in zip(threads, single, strict=True)}
    assert by_id[gone.id] is None and by_id[quiet.id] is not None
    assert "Hazel twigs." in by_id[busy.id].body and "netting" not in by_id[busy.id].body
    assert by_id[busy.id].boost > 1
    assert db.session.get(ForumPost, hidden.id).status == "hidden"
    rebuilt = [d for d in documents.all_documents() if d.type == "forum_thread"]
    assert rebuilt == [document for document in single if document is not None]
