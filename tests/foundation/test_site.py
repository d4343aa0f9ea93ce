"""The site shell: headers, error pages, CSRF, rate limits, configuration and migrations."""

from __future__ import annotations

import pytest

from app import create_app
from app.accounts.permissions import ROLE_PERMISSIONS, can
from app.config import database_uri, ensure_secret_key


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_flags(client, factory):
    user = factory.user()
    response = client.post(
        "/account/login", data={"email": user.email, "password": "correct horse battery"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; see the https test below


def test_secure_cookie_when_served_over_https(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "HELPCENTER_ENV": "testing",
            "DATABASE_URL": database_url,
            "PREFERRED_URL_SCHEME": "https",
            "MAIL_FILE_DIR": str(tmp_path),
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_404_page_looks_like_the_site(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "We couldn&#39;t find that page" in html
    assert 'id="main"' in html and "Skip to content" in html


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["message"]


def test_405_api_is_json_with_allow(client):
    response = client.delete("/api/v1/status")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_500_page_without_details(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom-for-test")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom-for-test")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "secret internals" not in html


def test_require_refuses_members_and_redirects_visitors(app, client, auth, factory):
    from app.accounts.permissions import require

    @app.route("/admin-only-for-test")
    @require("users.manage")
    def admin_only():
        return "secret admin page"

    anonymous = client.get("/admin-only-for-test")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/account/login?next=")
    auth.login(factory.user())
    refused = client.get("/admin-only-for-test")
    assert refused.status_code == 403
    assert "secret admin page" not in refused.get_data(as_text=True)
    auth.logout()
    auth.login(factory.user("admin"))
    assert client.get("/admin-only-for-test").get_data(as_text=True) == "secret admin page"


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_form_without_token_is_refused_and_nothing_saved(self, client):
        response = client.post(
            "/account/register",
            data={
                "email": "csrf@example.com",
                "display_name": "C",
                "password": "a long enough pass",
            },
        )
        assert response.status_code == 400
        assert "This form has expired" in response.get_data(as_text=True)
        assert (
            client.post(
                "/account/login",
                data={"email": "csrf@example.com", "password": "a long enough pass"},
            ).status_code
            == 400
        )


class TestLoginRateLimit:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
            "LOGIN_LIMIT_PER_IP": "6 per minute",
        }

    def _attempt(self, client, email):
        return client.post("/account/login", data={"email": email, "password": "wrong password!"})

    def test_per_account(self, client):
        for _ in range(3):
            assert self._attempt(client, "a@example.com").status_code == 422
        limited = self._attempt(client, "A@example.com")
        assert limited.status_code == 429
        assert "Too many attempts" in limited.get_data(as_text=True)
        assert limited.headers["Retry-After"]
        # Another account from the same address still has its own budget.
        assert self._attempt(client, "b@example.com").status_code == 422

    def test_per_address(self, client):
        statuses = [self._attempt(client, f"user{n}@example.com").status_code for n in range(7)]
        assert statuses == [422] * 6 + [429]


def test_production_refuses_to_start_without_secret_key(tmp_path):
    config = {"HELPCENTER_ENV": "production", "SECRET_KEY": None}
    with pytest.raises(RuntimeError, match="SECRET_KEY is not configured"):
        ensure_secret_key(config, str(tmp_path))


def test_development_generates_and_keeps_a_key(tmp_path):
    first = {"HELPCENTER_ENV": "development"}
    ensure_secret_key(first, str(tmp_path))
    second = {"HELPCENTER_ENV": "development"}
    ensure_secret_key(second, str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "sqlite:////inst/helpcenter.db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url(url, expected):
    assert database_uri(url, "/inst") == expected


def test_permissions_deny_by_default(factory):
    admin = factory.user("admin")
    assert can(admin, "users.manage")
    assert not can(admin, "no.such.permission")
    assert not can(None, "wiki.edit")
    assert can(None, "kb.read")
    member = factory.user()
    assert can(member, "wiki.edit") and not can(member, "kb.edit")
    assert set(ROLE_PERMISSIONS) == {
        "anonymous",
        "member",
        "contributor",
        "moderator",
        "agent_t1",
        "agent_t2",
        "agent_t3",
        "admin",
    }


def test_migrations_match_models(app):
    """The schema built by the migrations is exactly what the models declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_cli_db_check_succeeds(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
