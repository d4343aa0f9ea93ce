"""Readiness checks for load balancers: each is small, bounded and says what failed."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from app.extensions import db

#: Seconds a Redis check may take before the process counts as not ready.
REDIS_TIMEOUT = 1.0


def check_database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def redis_uri() -> str | None:
    """The Redis the rate limits use, or None when they are kept in memory."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    return uri if uri.startswith(("redis://", "rediss://", "unix://")) else None


def check_redis(uri: str) -> None:
    import redis

    client = redis.Redis.from_url(
        uri, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()


def check_search() -> None:
    """Read one key from the live index: opens it (Whoosh) or queries its table (PostgreSQL).

    An index that has not been built yet reads as empty, which is ready: pages still answer.
    """
    from app.search.backend import get_backend

    try:
        get_backend().url_for_key("readyz-probe")
    finally:
        db.session.rollback()


def readiness() -> dict[str, str]:
    """``{check: "ok" | "skipped" | "failed: <error type>"}`` for database, Redis and search."""
    uri = redis_uri()
    return {
        "database": _outcome(check_database),
        "redis": _outcome(lambda: check_redis(uri)) if uri else "skipped",
        "search": _outcome(check_search),
    }


def _outcome(check) -> str:
    try:
        check()
    except Exception as exc:  # any failure means "not ready"; the reason goes to the caller
        current_app.logger.warning("readiness check failed: %s", exc)
        return f"failed: {type(exc).__name__}"
    return "ok"
