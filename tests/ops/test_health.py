"""``/healthz`` and ``/readyz``: what a load balancer sees, healthy and not."""

from __future__ import annotations

import socket

import pytest

from app import create_app
from tests.conftest import site_config


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def make_app(app, tmp_path):
    """Another application on the test's database with some settings changed."""
    made = []

    def make(**overrides):
        config = site_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, **overrides)
        made.append(create_app(config))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            other.extensions["sqlalchemy"].engines[None].dispose()


def test_healthz_answers_without_the_database(make_app, tmp_path):
    broken = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/missing-folder/none.db")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "skipped", "search": "ok"},
        "failed": [],
    }


def test_readyz_names_the_database_when_it_is_down(make_app, tmp_path):
    broken = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/missing-folder/none.db")
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["database"]
    assert body["checks"]["database"].startswith("failed")


def test_readyz_checks_redis_when_rate_limits_use_it(make_app):
    down = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/0")
    response = down.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["redis"]


def test_readyz_with_a_live_redis(make_app):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    live = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    response = live.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["redis"] == "ok"


def test_readyz_names_an_unreadable_search_index(make_app, tmp_path):
    not_a_folder = tmp_path / "index-is-a-file"
    not_a_folder.write_text("not an index")
    broken = make_app(SEARCH_INDEX_DIR=str(not_a_folder))
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["search"]


@pytest.fixture
def default_limit_forgotten():
    """Flask-Limiter keeps a configured default limit on its one global instance for good:
    clear it again so later tests' applications don't inherit it."""
    yield
    from app.extensions import limiter

    limiter.limit_manager.set_default_limits([])


def test_probes_are_never_rate_limited(make_app, default_limit_forgotten):
    # Every other route gets a tiny default limit; the probes must still answer every time.
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = limited.test_client()
    assert [client.get("/").status_code for _ in range(4)][-1] == 429
    for path in ("/healthz", "/readyz", "/metrics"):
        assert {client.get(path).status_code for _ in range(5)} == {200}, path
