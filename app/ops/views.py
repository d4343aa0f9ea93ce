"""``/healthz``, ``/readyz`` and ``/metrics``: answered without the site's hooks (no session,
CSRF, rate limits or sign-in), so a probe every second costs next to nothing and is never
limited."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from app.ops import health, metrics
from app.security import API_HEADERS

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """The process is alive and answering; touches nothing else."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready for traffic: database, Redis (when rate limits use it) and the search index."""
    checks = health.readiness()
    ready = all(result in {"ok", "skipped"} for result in checks.values())
    failed = [name for name, result in checks.items() if result not in {"ok", "skipped"}]
    body = jsonify(status="ok" if ready else "unavailable", checks=checks, failed=failed)
    body.status_code = 200 if ready else 503
    return body


@bp.get("/metrics")
def scrape():
    if not metrics.scrape_allowed():
        return Response("Forbidden\n", status=403, mimetype="text/plain")
    return Response(metrics.exposition(), mimetype=metrics.CONTENT_TYPE)


@bp.after_request
def headers(response):
    # Probes are never cached by anything in between, and nothing may render or frame them.
    response.headers["Cache-Control"] = "no-store"
    for name, value in API_HEADERS:
        response.headers.setdefault(name, value)
    return response
