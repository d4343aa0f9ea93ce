"""The API's own rate limits (windows, Retry-After, what is counted) and the snippet cache
(no database work once cached, one entry per host, no 304 for what does not exist)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.api import limits
from app.extensions import db

SNIPPET = "/api/v1/snippets/billing.update-card"


class Clock:
    """Stands in for ``time.time`` in :mod:`app.api.limits`."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(limits.time, "time", fake.time)
    return fake


@pytest.fixture
def limited(app):
    app.config["RATELIMIT_ENABLED"] = True
    app.config["API_RATE_LIMIT_PER_IP"] = "2 per minute"
    return app


def test_retry_after_counts_down_and_the_window_resets(client, limited, clock):
    assert [client.get("/api/v1/status").status_code for _ in range(3)] == [200, 200, 429]
    clock.now += 45
    limited_response = client.get("/api/v1/status")
    assert limited_response.status_code == 429
    assert limited_response.json["error"]["code"] == "rate_limited"
    assert limited_response.headers["Retry-After"] == "15"
    assert limited_response.headers["Cache-Control"] == "no-store"
    clock.now += 15
    assert client.get("/api/v1/status").status_code == 200


def test_every_budget_of_a_limit_applies(client, limited, clock):
    limited.config["API_RATE_LIMIT_PER_IP"] = "100 per minute; 3 per hour"
    assert [client.get("/api/v1/status").status_code for _ in range(4)] == [200, 200, 200, 429]
    clock.now += 120  # a new minute, the same hour
    response = client.get("/api/v1/status")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == 3600 - 120


def test_addresses_are_counted_apart(client, limited, clock):
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert [client.get("/api/v1/status").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/api/v1/status", environ_base=other).status_code == 200


def test_preflights_are_not_counted(client, limited, clock):
    for _ in range(5):
        client.options("/api/v1/status")
    assert client.get("/api/v1/status").status_code == 200


def test_token_budget_is_kept_by_digest_not_by_token(client, app, tokens, clock):
    app.config["RATELIMIT_ENABLED"] = True
    app.config["API_RATE_LIMIT_PER_TOKEN"] = "1 per minute"
    _, plain = tokens.make()
    bearer = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/status", headers=bearer).status_code == 200
    refused = client.get("/api/v1/status", headers=bearer)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    stored = " ".join(app.extensions["api_rate_counter"].counts)
    assert plain not in stored and plain[4:14] not in stored


def test_limits_off_counts_nothing(client, app, clock):
    app.config["RATELIMIT_ENABLED"] = False
    app.config["API_RATE_LIMIT_PER_IP"] = "1 per minute"
    assert {client.get("/api/v1/status").status_code for _ in range(3)} == {200}


def test_shared_storage_windows_go_through_limits():
    counter = limits.SharedFixedWindow("memory://")
    (budget,) = limits.parse_budgets("2 per minute", "ip")
    now = 1_800_000_000.0
    assert counter.hit(budget, "192.0.2.1", now) is None
    assert counter.hit(budget, "192.0.2.1", now) is None
    reset = counter.hit(budget, "192.0.2.1", now)
    assert reset is not None and reset > 0
    assert counter.hit(budget, "192.0.2.2", now) is None


def test_the_site_limiter_filter_covers_every_api_path(app):
    with app.test_request_context("/api/v1/nothing-here"):
        assert limits.is_api_request()
    with app.test_request_context("/account/login"):
        assert not limits.is_api_request()


class TestSiteLimiter:
    @pytest.fixture
    def app_config(self):
        # Flask-Limiter registers its hooks only in an application created with limits on.
        return {"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_IP": "2 per minute"}

    def test_it_leaves_the_api_alone_and_still_limits_the_site(self, client):
        for _ in range(3):
            response = client.get("/api/v1/status")
            assert response.status_code == 200
            assert not [name for name, _ in response.headers if name.startswith("X-RateLimit")]
        logins = [
            client.post("/account/login", data={"email": f"u{n}@example.com", "password": "x"})
            for n in range(3)
        ]
        # The site's own limits still apply, with Flask-Limiter's Retry-After.
        assert [response.status_code for response in logins] == [422, 422, 429]
        assert logins[-1].headers["Retry-After"]


class Statements:
    """Counts the SQL statements the application runs."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args) -> None:
        self.count += 1


def test_cached_snippet_and_its_revalidation_need_no_database(client, synced, app):
    app.config["API_CONTENT_VERSION_TTL"] = 3600  # the version stays cached for this test
    first = client.get(SNIPPET)
    assert first.status_code == 200
    with app.app_context():
        engine = db.engine
    statements = Statements()
    event.listen(engine, "before_cursor_execute", statements)
    try:
        again = client.get(SNIPPET)
        revalidated = client.get(SNIPPET, headers={"If-None-Match": first.headers["ETag"]})
        cached_statements = statements.count
        assert client.get("/api/v1/snippets/no.such-key").status_code == 404
        looked_up = statements.count
        assert client.get("/api/v1/snippets/no.such-key").status_code == 404
    finally:
        event.remove(engine, "before_cursor_execute", statements)
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert revalidated.status_code == 304
    assert cached_statements == 0
    assert looked_up > 0, "an unknown key is looked up once..."
    assert statements.count == looked_up, "...and its absence is remembered for the version"


@pytest.fixture
def app_config():
    # A second host name the site is configured to serve (any other Host is refused with 400).
    return {"EXTRA_TRUSTED_HOSTS": ["help.example.org"]}


def test_snippet_links_follow_the_host_asked(client, synced):
    ours = client.get(SNIPPET)
    other = client.get(SNIPPET, base_url="https://help.example.org")
    assert ours.json["article"]["url"].startswith("http://help.test/")
    assert other.json["article"]["url"].startswith("https://help.example.org/")
    assert ours.headers["ETag"] != other.headers["ETag"]
    assert client.get(SNIPPET).json == ours.json


def test_star_revalidates_only_what_exists(client, synced):
    star = {"If-None-Match": "*"}
    assert client.get(SNIPPET, headers=star).status_code == 304
    assert client.get("/api/v1/snippets/no.such-key", headers=star).status_code == 404
    assert client.get("/api/v1/tours/no-such-tour", headers=star).status_code == 404


def test_api_answers_have_the_api_security_headers(client, synced):
    answers = [
        client.get(SNIPPET),
        client.get("/api/v1/snippets/no.such-key"),
        client.post("/api/v1/requests", json={}),  # 401, raised before the view
    ]
    assert [response.status_code for response in answers] == [200, 404, 401]
    for response in answers:
        assert response.headers["Content-Security-Policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Set-Cookie" not in response.headers
        assert "Strict-Transport-Security" not in response.headers
    secure = client.get(SNIPPET, base_url="https://help.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    # A 304 carries what updates the stored answer, which keeps the headers above.
    revalidated = client.get(SNIPPET, headers={"If-None-Match": answers[0].headers["ETag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["ETag"] == answers[0].headers["ETag"]
    assert revalidated.headers["Cache-Control"] == answers[0].headers["Cache-Control"]
