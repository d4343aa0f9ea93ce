"""Tour progress, support requests, request validation, CORS and rate limits of /api/v1."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.api.models import TourProgress
from app.api.services import tour_stats
from app.extensions import db

INSTALL = {"X-Install-Id": "install-0001-abcd"}


def _post(client, url, body, headers=None, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, headers=headers or {}, content_type=content_type)


def test_anonymous_tour_progress_by_install_id(client, synced, app, runner):
    url = "/api/v1/tours/first-run/progress"
    first = _post(client, url, {"step": "today", "event": "reached"}, INSTALL)
    assert first.status_code == 200
    assert first.json == {
        "tour": "first-run", "status": "in_progress", "last_step": "today",
        "furthest_step": 0, "steps": 7,
    }  # fmt: skip
    _post(client, url, {"step": "identify", "event": "reached"}, INSTALL)
    done = _post(client, url, {"step": "sync", "event": "completed"}, INSTALL)
    assert done.json["status"] == "completed"
    assert done.json["furthest_step"] == 6
    late = _post(client, url, {"step": "plants", "event": "reached"}, INSTALL)
    assert late.json["status"] == "completed"
    other = {"X-Install-Id": "install-0002-abcd"}
    assert _post(client, url, {"step": "plants", "event": "dismissed"}, other).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(TourProgress)) == 2
        stats = tour_stats("first-run")
        assert (stats.started, stats.completed, stats.dismissed) == (2, 1, 1)
        assert stats.completion_rate == 0.5
    result = runner.invoke(args=["api", "tour-stats", "first-run"])
    assert "completion rate 50%" in result.output


def test_tour_progress_by_token_user(client, synced, bearer, member_token, app):
    response = _post(
        client, "/api/v1/tours/first-run/progress", {"step": "today", "event": "dismissed"}, bearer
    )
    assert response.status_code == 200
    with app.app_context():
        progress = db.session.scalar(select(TourProgress))
        assert progress.user_id == member_token[0].id
        assert progress.install_id is None
        assert progress.dismissed_at is not None


@pytest.mark.parametrize(
    ("body", "headers", "content_type", "status", "code"),
    [
        ({"step": "today", "event": "reached"}, {}, "application/json", 400,
         "install_id_required"),
        ({"step": "today", "event": "reached"}, INSTALL, "text/plain", 415,
         "unsupported_media_type"),
        ('{"step": "today", ', INSTALL, "application/json", 400, "malformed_json"),
        (b"\xff\xfe", INSTALL, "application/json", 400, "malformed_json"),
        ("[1, 2]", INSTALL, "application/json", 422, "validation_failed"),
        ({"step": "today", "event": "reached", "extra": 1}, INSTALL, "application/json", 422,
         "validation_failed"),
        ({"step": "today", "event": "jumped"}, INSTALL, "application/json", 422,
         "validation_failed"),
        ({"step": "nope", "event": "reached"}, INSTALL, "application/json", 422,
         "validation_failed"),
        ({"step": 3, "event": "reached"}, INSTALL, "application/json", 422, "validation_failed"),
        ({"step": "today", "event": "reached"}, {"X-Install-Id": "short"}, "application/json",
         422, "validation_failed"),
    ],
)  # fmt: skip
def test_progress_input_errors_are_clear_4xx(
    client, synced, body, headers, content_type, status, code
):
    response = _post(client, "/api/v1/tours/first-run/progress", body, headers, content_type)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code


def test_unknown_fields_are_named(client, synced):
    response = _post(
        client,
        "/api/v1/tours/first-run/progress",
        {"step": "today", "event": "reached", "colour": "red"},
        INSTALL,
    )
    assert response.json["error"]["details"] == {"colour": "unknown field"}


def test_oversize_body_is_413(client, synced, app):
    app.config["API_MAX_BODY_BYTES"] = 100
    body = {"step": "x" * 200, "event": "reached"}
    response = _post(client, "/api/v1/tours/first-run/progress", body, INSTALL)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_create_list_read_and_reply_to_a_request(client, bearer, factory, tokens):
    body = {
        "category": "billing",
        "subject": "Charged twice",
        "description": "I was charged twice for Premium this month.",
        "impact": "minor",
    }
    created = _post(client, "/api/v1/requests", body, bearer)
    assert created.status_code == 201, created.json
    ticket = created.json
    assert ticket["status"] == "new" and ticket["subject"] == "Charged twice"
    assert created.headers["Location"].endswith(f"/api/v1/requests/{ticket['id']}")
    listing = client.get("/api/v1/requests", headers=bearer)
    assert [item["id"] for item in listing.json["requests"]] == [ticket["id"]]
    assert listing.headers["Cache-Control"] == "private, no-cache"
    reply = _post(client, f"/api/v1/requests/{ticket['id']}/replies", {"body": "Any news?"}, bearer)
    assert reply.status_code == 201
    assert reply.json["from_support"] is False
    detail = client.get(f"/api/v1/requests/{ticket['id']}", headers=bearer).json
    assert "charged twice" in detail["description_html"]
    assert [m["body_html"] for m in detail["messages"]] == ["<p>Any news?</p>"]
    _, stranger = tokens.make()
    theirs = client.get(
        f"/api/v1/requests/{ticket['id']}", headers={"Authorization": f"Bearer {stranger}"}
    )
    assert theirs.status_code == 404


def test_request_validation_errors(client, bearer):
    response = _post(
        client,
        "/api/v1/requests",
        {"category": "weather", "subject": " ", "description": "x", "impact": "minor"},
        bearer,
    )
    assert response.status_code == 422
    details = response.json["error"]["details"]
    assert set(details) == {"category", "subject"}


def test_nul_characters_are_refused_not_stored(client, bearer, synced):
    """Valid JSON ("\\u0000"), but PostgreSQL text cannot hold it: 422, never a 500."""
    body = {"category": "billing", "subject": "Hi", "description": "a\x00b", "impact": "minor"}
    response = _post(client, "/api/v1/requests", body, bearer)
    assert response.status_code == 422
    assert response.json["error"]["details"] == {"description": "must not contain NUL characters"}
    progress = _post(
        client, "/api/v1/tours/first-run/progress", {"step": "today\x00", "event": "reached"},
        INSTALL,
    )  # fmt: skip
    assert progress.status_code == 422


def test_huge_ticket_id_is_404_not_500(client, bearer):
    assert client.get("/api/v1/requests/99999999999999999999", headers=bearer).status_code == 404


def test_requests_need_a_token(client):
    assert _post(client, "/api/v1/requests", {}).status_code == 401


def test_cors_only_for_configured_origins(client, app):
    app.config["API_CORS_ORIGINS"] = ["https://app.growgrebuddy.com"]
    allowed = client.get("/api/v1/status", headers={"Origin": "https://app.growgrebuddy.com"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.growgrebuddy.com"
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/api/v1/status", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/v1/tours/first-run/progress",
        headers={
            "Origin": "https://app.growgrebuddy.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, X-Install-Id",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "X-Install-Id" in preflight.headers["Access-Control-Allow-Headers"]


def test_rate_limit_per_ip_has_retry_after(client, app):
    app.config["RATELIMIT_ENABLED"] = True
    app.config["API_RATE_LIMIT_PER_IP"] = "3 per minute"
    statuses = [client.get("/api/v1/status").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/status")
    assert limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


def test_rate_limit_per_token(client, app, tokens):
    app.config["RATELIMIT_ENABLED"] = True
    app.config["API_RATE_LIMIT_PER_TOKEN"] = "2 per minute"
    _, first = tokens.make()
    _, second = tokens.make()
    one = {"Authorization": f"Bearer {first}"}
    two = {"Authorization": f"Bearer {second}"}
    assert [client.get("/api/v1/status", headers=one).status_code for _ in range(3)] == [
        200, 200, 429,
    ]  # fmt: skip
    assert client.get("/api/v1/status", headers=two).status_code == 200
    assert client.get("/api/v1/status").status_code == 200


def test_api_never_sets_a_session_cookie(client, auth, factory):
    auth.login(factory.user())
    response = client.get("/api/v1/status")
    assert "Set-Cookie" not in response.headers


def test_unknown_api_path_and_method_are_json(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/status")
    assert wrong.status_code == 405
    assert wrong.json["error"]["code"] == "method_not_allowed"


def test_demo_page_loads_widget_without_inline_script(client):
    html = client.get("/api/demo").get_data(as_text=True)
    # The URL carries the file's content hash, so browsers may keep it for a year.
    assert re.search(r'src="/static/js/helpwidget\.js\?v=[0-9a-f]{12}"', html)
    assert 'data-help="plant.add"' in html and 'id="add-plant-button"' in html
    assert 'data-help-tour="first-run"' in html
    assert "<script>" not in html and "style=" not in html
