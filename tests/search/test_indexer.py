"""Consistency: the outbox drain, crashes, the background writer, rebuild and check."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import utcnow
from app.outbox import OutboxEvent, commit, record_search_change
from app.search import services
from app.search.backend import get_backend
from app.search.indexer import drain_all, drain_search_outbox


def _keys(query):
    return [hit.key for hit in services.search(query, user=None).hits]


def _pending():
    return db.session.scalars(
        select(OutboxEvent).where(OutboxEvent.kind == "search", OutboxEvent.processed_at.is_(None))
    ).all()


def test_nothing_is_indexed_before_the_drain(ctx, now, factory):
    factory.article(now, "Frost protection", "Cover the beds with fleece.")
    assert _keys("frost") == []
    assert len(_pending()) == 1
    assert drain_search_outbox(now) == 1
    assert _keys("frost") != [] and _pending() == []


def test_rolled_back_change_never_reaches_the_index(ctx, now, factory):
    from app.kb.models import Article

    article_id = factory.article(now, "Mulching", "Straw keeps moisture in.")
    drain_all(now)
    article = db.session.get(Article, article_id)
    article.is_archived = True
    record_search_change("article", article_id, now)
    db.session.rollback()
    assert drain_all(now) == 0
    assert _keys("mulching") == [f"article:{article_id}"]


def test_crash_between_commit_and_indexing_loses_nothing(
    app, database_url, now, app_config, factory
):
    """The change commits, the process dies before indexing; a new process catches up."""
    with app.app_context():
        article_id = factory.article(now, "Harvesting garlic", "Lift the bulbs when leaves yellow.")
        db.session.remove()
    # A different application (another process after a restart) on the same database and index.
    restarted = create_app({**app.config, **app_config})
    with restarted.app_context():
        assert drain_all(now) == 1
        assert [h.key for h in services.search("garlic", user=None).hits] == [
            f"article:{article_id}"
        ]
        db.session.remove()
        db.engine.dispose()


def test_crash_during_a_drain_is_retried(ctx, now, factory):
    """A drainer claimed the event and died: once the claim expires the event is applied."""
    article_id = factory.article(now, "Composting leaves", "Shred them first.")
    event = _pending()[0]
    event.claimed_until = now + timedelta(seconds=60)
    commit()
    assert drain_search_outbox(now) == 0
    assert drain_search_outbox(now + timedelta(seconds=61)) == 1
    assert _keys("composting") == [f"article:{article_id}"]


def test_a_broken_document_is_retried_later_without_blocking_others(ctx, now, factory):
    article_id = factory.article(now, "Pea supports", "Use netting.")
    record_search_change("no_such_type", 1, now)
    commit()
    assert drain_search_outbox(now) == 1
    failed = _pending()
    assert len(failed) == 1 and failed[0].attempts == 1 and "KeyError" in failed[0].last_error
    assert failed[0].available_at > now
    assert _keys("pea") == [f"article:{article_id}"]


def test_only_one_writer_at_a_time(ctx, now, backend_name, factory):
    factory.article(now, "Raised beds", "Fill with compost.")
    backend = get_backend()
    if backend_name == "whoosh":
        holder = WhooshHolder(backend)
        with holder:
            assert drain_search_outbox(now) == 0  # somebody else writes: leave it to them
        assert drain_search_outbox(now) == 1
    else:
        # The advisory lock is held by another database session until it commits.
        from sqlalchemy import text

        other = db.engine.connect()
        other.execute(text("SELECT pg_advisory_xact_lock(7301958114)"))
        assert drain_search_outbox(now) == 0
        other.rollback()
        other.close()
        assert drain_search_outbox(now) == 1


class WhooshHolder:
    """Holds the Whoosh writer lock from another thread, as another process would."""

    def __init__(self, backend):
        self.backend = backend
        self.held = threading.Event()
        self.release = threading.Event()

    def _hold(self):
        with self.backend.writer_lock(blocking=True):
            self.held.set()
            self.release.wait(10)

    def __enter__(self):
        self.thread = threading.Thread(target=self._hold)
        self.thread.start()
        assert self.held.wait(5)

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(5)


def test_new_post_is_searchable_within_two_seconds(app, client, now, backend_name, factory):
    """Real commit, real index, the background writer woken by the commit."""
    app.config["SEARCH_BACKGROUND_INDEXER"] = True
    from app.search.indexer import BackgroundIndexer

    indexer = app.extensions["search_indexer"] = BackgroundIndexer(app)
    app.before_request(indexer.ensure_started)
    try:
        client.get("/search/?q=warmup")  # the first request starts the thread
        with app.app_context():
            started = time.monotonic()
            factory.article(utcnow(), "Overwintering dahlias", "Store the tubers somewhere cool.")
            saved = time.monotonic() - started
            found = []
            while time.monotonic() - started < 2.0 and not found:
                found = _keys("dahlias")
                time.sleep(0.05)
            assert found, "not searchable within 2 seconds"
            assert saved < 0.5  # the saving request did not wait for the index writer
            db.session.remove()
    finally:
        indexer.stop()


def test_a_commit_starts_the_indexer_where_no_page_was_served(app, now, backend_name, factory):
    """An API-only worker never runs the site's request hooks: its first commit starts it."""
    from app.search.indexer import BackgroundIndexer

    indexer = app.extensions["search_indexer"] = BackgroundIndexer(app)
    try:
        with app.app_context():
            assert indexer.thread is None
            factory.article(utcnow(), "Pruning figs", "Cut back to two buds in late winter.")
            assert indexer.thread is not None and indexer.thread.is_alive()
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and not _keys("figs"):
                time.sleep(0.05)
            assert _keys("figs"), "not searchable within 2 seconds"
            db.session.remove()
    finally:
        indexer.stop()


def test_rebuild_swaps_in_a_fresh_index_while_searches_continue(
    app, runner, now, backend_name, factory
):
    with app.app_context():
        ids = [factory.article(now, f"Seed starting {i}", "Warmth and light.") for i in range(30)]
        drain_all(now)
    errors, counts, stop = [], [], threading.Event()

    def search_loop():
        with app.app_context():
            while not stop.is_set():
                try:
                    counts.append(services.search("seed", user=None).total)
                except Exception as exc:
                    errors.append(exc)
                db.session.remove()

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        for _ in range(3):
            result = runner.invoke(args=["search", "rebuild"])
            assert result.exit_code == 0, result.output
            assert "indexed 30 document(s)" in result.output
    finally:
        stop.set()
        thread.join(10)
    assert not errors
    assert counts and all(count == 30 for count in counts)
    with app.app_context():
        assert len(services.search("seed", user=None, per_page=50).hits) == len(ids)


def test_check_reports_and_fixes(app, runner, now, factory):
    from app.kb.models import Article

    with app.app_context():
        kept = factory.article(now, "Slug control", "Beer traps work.")
        stale = factory.article(now, "Blight", "Remove affected leaves.")
        drain_all(now)
        missing = factory.article(now, "Crop rotation", "Move families each year.")
        article = db.session.get(Article, stale)
        article.title = "Late blight"  # changed without telling search
        extra = db.session.get(Article, kept)
        extra.is_archived = True
        commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"missing: 1 (article:{missing})" in result.output
    assert f"stale: 1 (article:{stale})" in result.output
    assert f"extra: 1 (article:{kept})" in result.output
    result = runner.invoke(args=["search", "check", "--fix"])
    assert result.exit_code == 0 and "fixed" in result.output
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0 and "consistent" in result.output
    with app.app_context():
        assert _keys("late blight") == [f"article:{stale}"]


def test_drain_command(app, runner, now, factory):
    with app.app_context():
        factory.article(now, "Sowing carrots", "Thin the seedlings.")
    result = runner.invoke(args=["search", "drain"])
    assert result.exit_code == 0 and "applied 1 change(s)" in result.output
    with app.app_context():
        assert len(_keys("carrots")) == 1


def test_generic_outbox_drain_uses_the_search_handler(app, runner, now, factory):
    with app.app_context():
        factory.article(now, "Potting mix", "Peat free.")
    result = runner.invoke(args=["outbox", "drain"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert len(_keys("potting")) == 1


def test_an_index_of_an_older_version_waits_for_a_rebuild(app, runner, now, backend_name, factory):
    """An index with another schema is neither searched nor written; a rebuild replaces it."""
    import pytest
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    from app.search.whoosh_store import OutdatedIndex

    if backend_name != "whoosh":
        pytest.skip("the Whoosh index format")
    with app.app_context():
        article_id = factory.article(now, "Pruning roses", "Cut above an outward bud.")
        store = get_backend().store
        folder = store.root / "gen-older"
        folder.mkdir(parents=True)
        older = Schema(id=ID(stored=True, unique=True), title=TEXT(stored=True), title_exact=TEXT())
        whoosh_index.create_in(str(folder), older)
        store.publish(folder)
        assert _keys("roses") == []
        with pytest.raises(OutdatedIndex, match="flask search rebuild"):
            drain_search_outbox(now)
        assert len(_pending()) == 1  # the change waits
        db.session.remove()
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "applied 1 change(s)" in result.output
    with app.app_context():
        assert _keys("roses") == [f"article:{article_id}"]
