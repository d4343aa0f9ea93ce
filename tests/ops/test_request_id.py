"""Every answer carries a request id, and the log lines written during it carry the same id."""

from __future__ import annotations

import io
import re

import pytest

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize("path", ["/", "/api/v1/status", "/healthz", "/no-such-page"])
def test_an_id_is_generated_when_none_is_sent(client, path):
    first = client.get(path).headers["X-Request-ID"]
    second = client.get(path).headers["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("path", ["/", "/api/v1/status", "/readyz"])
def test_a_well_formed_id_is_kept(client, path):
    sent = "lb-7f3a:2026.12.07_abc"
    assert client.get(path, headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent


@pytest.mark.parametrize(
    "sent",
    ["has space", "x" * 129, "<script>", 'quote"d', "-starts-with-dash", "tab\there", "ünï"],
)
def test_a_malformed_id_is_replaced(client, sent):
    answered = client.get("/", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert GENERATED.fullmatch(answered)


def test_log_lines_carry_the_request_id(app, client):
    @app.get("/test-logs-something")
    def logs_something():
        app.logger.warning("watering schedule looked odd")
        return "ok"

    stream = io.StringIO()
    response = client.get(
        "/test-logs-something",
        headers={"X-Request-ID": "probe-1234"},
        environ_overrides={"wsgi.errors": stream},
    )
    assert response.headers["X-Request-ID"] == "probe-1234"
    assert "[request probe-1234]: watering schedule looked odd" in stream.getvalue()


def test_an_error_page_carries_the_id_too(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-fails")
    def fails():
        raise RuntimeError("boom")

    stream = io.StringIO()
    response = client.get(
        "/test-fails",
        headers={"X-Request-ID": "fail-42"},
        environ_overrides={"wsgi.errors": stream},
    )
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "fail-42"
    assert "[request fail-42]: Exception on /test-fails" in stream.getvalue()
