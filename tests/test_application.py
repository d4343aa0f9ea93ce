"""The help center's Flask class: self-contained blueprints skip the site's request hooks, and
nothing else changes about how a request is handled."""

from __future__ import annotations

import pytest
from flask import Blueprint, after_this_request, g


@pytest.fixture
def probe(app):
    """Records which hooks ran: app-wide ones, and those of a self-contained blueprint with a
    nested blueprint, registered on the real application (before its first request)."""
    calls: list[str] = []
    outer = Blueprint("probe", __name__, url_prefix="/probe")
    inner = Blueprint("inner", __name__, url_prefix="/inner")

    @inner.get("/<word>")
    def echo():
        @after_this_request
        def once(response):
            calls.append("after_this_request")
            return response

        calls.append(f"view {g.word}")
        return {"word": g.word}

    @inner.get("/fail")
    def fail():
        raise LookupError("broken")

    @inner.url_value_preprocessor
    def pull(_endpoint, values):
        g.word = (values or {}).pop("word", "-")
        calls.append("inner url_value_preprocessor")

    for name, blueprint in (("outer", outer), ("inner", inner)):
        blueprint.before_request(lambda name=name: calls.append(f"{name} before"))
        blueprint.after_request(lambda r, name=name: calls.append(f"{name} after") or r)
        blueprint.teardown_request(
            lambda exc, name=name: calls.append(f"{name} teardown {type(exc).__name__}")
        )
    outer.register_blueprint(inner)
    app.register_blueprint(outer)
    app.make_self_contained("probe")
    app.before_request(lambda: calls.append("site before"))
    app.after_request(lambda r: calls.append("site after") or r)
    app.teardown_request(lambda exc: calls.append("site teardown"))
    return calls


def test_a_self_contained_blueprint_runs_its_own_hooks_only(app, client, probe):
    response = client.get("/probe/inner/hello")
    assert response.json == {"word": "hello"}
    assert probe == [
        "inner url_value_preprocessor",
        "outer before",
        "inner before",
        "view hello",
        "after_this_request",
        "inner after",
        "outer after",
        "inner teardown NoneType",
        "outer teardown NoneType",
    ]
    assert "Set-Cookie" not in response.headers


def test_teardown_hooks_get_the_exception(app, client, probe):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/probe/inner/fail").status_code == 500
    assert "inner teardown LookupError" in probe
    assert "site teardown" not in probe


def test_every_other_request_runs_the_site_hooks(client, probe):
    assert client.get("/").status_code == 200
    assert probe == ["site before", "site after", "site teardown"]
    probe.clear()
    # A path under a self-contained prefix that matches no route belongs to no blueprint.
    assert client.get("/probe/nothing/here/at/all").status_code == 404
    assert probe == ["site before", "site after", "site teardown"]


def test_the_api_is_self_contained_and_the_site_keeps_its_guards(app, client, factory):
    assert "api" in app.self_contained_blueprints
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/account/login")
    assert "style-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    user = factory.user()
    forged = client.post(
        "/account/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert forged.status_code == 400  # no CSRF token: the site's check still runs
    api = client.get("/api/v1/status")
    assert api.status_code == 200
    assert api.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "Referrer-Policy" not in api.headers


def test_flask_is_the_minor_version_the_request_processing_was_written_for():
    """``HelpCenterFlask`` re-implements parts of Flask's request processing with Flask's private
    ``request_ctx`` internals: an untested Flask minor version must fail here first."""
    import re
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    from app.application import FLASK_MINOR

    installed = ".".join(version("flask").split(".")[:2])
    assert installed == FLASK_MINOR, "re-check app/application.py against Flask's, then bump"
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    major, minor = FLASK_MINOR.split(".")
    pins = [d for d in pyproject["project"]["dependencies"] if re.match(r"flask\b(?!-)", d)]
    assert pins == [f"flask>={major}.{minor},<{major}.{int(minor) + 1}"]
