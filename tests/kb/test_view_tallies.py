"""Page views are counted outside the database and written in batches: reading an article never
writes, and the totals after a flush are exact, also when a worker is killed between flushes
(counts in Redis) and when a flusher dies after writing a batch it had not yet deleted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import UTC, datetime

import pytest
import redis
from sqlalchemy import event, func, select

from app import tallies
from app.extensions import db
from app.kb import feedback, services
from app.kb.models import ArticleViewDay

REDIS_URL = "redis://127.0.0.1:6379/14"
BROWSER = {"User-Agent": "Mozilla/5.0"}


def _views(app, slug: str) -> int:
    with app.app_context():
        return feedback.views_on(services.get_article(slug), datetime.now(UTC).date())


def _flush(app) -> int:
    with app.app_context():
        return tallies.flush(datetime.now(UTC))


def test_reading_articles_writes_nothing_until_the_flush(synced, client):
    app = synced.app
    statements = []
    with app.app_context():
        engine = db.engine

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", note)
    try:
        for slug in ("cant-sign-in", "grow-journal-walkthrough", "export-your-data"):
            for _ in range(7):
                assert client.get(f"/articles/{slug}", headers=BROWSER).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements)
    assert _views(app, "cant-sign-in") == 0
    # Each view is also a page of the visitor's help-center session (app.metrics): two counts.
    assert _flush(app) == 2 * 21
    for slug in ("cant-sign-in", "grow-journal-walkthrough", "export-your-data"):
        assert _views(app, slug) == 7
    # A second flush adds nothing; later views add to the same daily row.
    assert _flush(app) == 0
    client.get("/articles/cant-sign-in", headers=BROWSER)
    _flush(app)
    assert _views(app, "cant-sign-in") == 8
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ArticleViewDay)) == 3


@pytest.fixture
def redis_prefix():
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def app_config(content_dir, redis_prefix, request):
    config = {"CONTENT_DIR": str(content_dir)}
    if "redis" in request.node.name:
        config.update(CACHE_REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=redis_prefix)
    return config


WORKER = textwrap.dedent(
    """
    import os, signal, sys
    from app import create_app
    app = create_app({config!r})
    client = app.test_client()
    for _ in range({views}):
        page = client.get("/articles/cant-sign-in", headers={{"User-Agent": "Mozilla/5.0"}})
        assert page.status_code == 200
    print("counted", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_counts_in_redis_survive_a_killed_worker(synced, client):
    app = synced.app
    client.get("/articles/cant-sign-in", headers=BROWSER)
    config = {
        key: app.config[key]
        for key in ("TESTING", "HELPCENTER_ENV", "SECRET_KEY", "DATABASE_URL", "CONTENT_DIR",
                    "SEARCH_INDEX_DIR", "MAIL_FILE_DIR", "CACHE_REDIS_URL", "CACHE_KEY_PREFIX",
                    "SERVER_NAME", "RATELIMIT_ENABLED")
    }  # fmt: skip
    worker = subprocess.run(
        [sys.executable, "-c", WORKER.format(config=config, views=25)],
        capture_output=True, text=True, timeout=120, check=False,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )  # fmt: skip
    assert worker.returncode == -signal.SIGKILL, worker.stderr
    assert "counted" in worker.stdout
    assert _views(app, "cant-sign-in") == 0
    assert _flush(app) == 2 * 26  # views, and the same pages in help-center sessions
    assert _views(app, "cant-sign-in") == 26


def test_a_redis_batch_left_by_a_dead_flusher_is_written_once(synced, client, redis_prefix):
    app = synced.app
    for _ in range(4):
        client.get("/articles/cant-sign-in", headers=BROWSER)
    store = redis.Redis.from_url(REDIS_URL)
    # What a flusher killed right after taking the counts leaves: a batch nobody deletes.
    stale = int(time.time()) - tallies.ORPHAN_SECONDS - 5
    orphan = f"{redis_prefix}tally:{feedback.VIEW_TALLY}:batch:{stale}:{uuid.uuid4().hex}"
    store.rename(f"{redis_prefix}tally:{feedback.VIEW_TALLY}", orphan)
    copy = dict(store.hgetall(orphan))
    assert _flush(app) == 2 * 4  # views, and the same pages in help-center sessions
    assert _views(app, "cant-sign-in") == 4
    # Killed after its commit but before deleting the batch: the batch comes back, and the
    # next flusher sees it was written already.
    store.hset(orphan, mapping=copy)
    _flush(app)
    assert _views(app, "cant-sign-in") == 4
    assert not list(store.scan_iter(f"{redis_prefix}tally:*"))
