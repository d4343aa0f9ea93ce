"""Prometheus metrics at ``/metrics``.

Counted per process while serving (request latency by endpoint, search latency) and read from
the database at scrape time (outbox backlog and failures, ticket timers due and late), so the
figures are the same whichever web process answers the scrape and whichever host runs the
timer and the drain.

Under gunicorn ``scripts/start`` sets ``PROMETHEUS_MULTIPROC_DIR`` before any process starts:
each worker then writes its samples to files there and a scrape adds up every worker's
(prometheus-client's multiprocess mode; ``gunicorn.conf.py`` drops a dead worker's gauges).
Without it (tests, the development server) the samples live in the process.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from datetime import timedelta

from flask import Flask, current_app, g, request
from flask.signals import request_finished, request_started
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import case, func, select

from app.extensions import db
from app.models import utcnow
from app.outbox import OutboxEvent
from app.tickets.models import Ticket

#: Buckets from 5 ms to 10 s: pages are expected in tens of milliseconds, and anything past a
#: second is what an operator needs to see separately.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "helpcenter_request_seconds",
    "Time to answer a request, by endpoint (the route's name, never the raw path).",
    ["endpoint", "method", "status"],
    buckets=BUCKETS,
)
SEARCH_SECONDS = Histogram(
    "helpcenter_search_seconds",
    "Time to answer a search (the search page, its JSON results and the API's search).",
    ["endpoint"],
    buckets=BUCKETS,
)
#: The endpoints that answer a search query.
SEARCH_ENDPOINTS = frozenset({"search.index", "search.results_json", "api.search"})
#: Not measured: scrapes and probes would drown the site's own figures.
UNMEASURED = frozenset({"ops.scrape", "ops.healthz", "ops.readyz"})
CONTENT_TYPE = CONTENT_TYPE_LATEST
#: A label takes only these (any other method is "other"): a client can't grow the series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _started(sender: Flask, **_extra) -> None:
    g.request_started_at = time.perf_counter()


def _finished(sender: Flask, response, **_extra) -> None:
    started = g.get("request_started_at")
    endpoint = request.endpoint or "unmatched"
    if started is None or endpoint in UNMEASURED:
        return
    elapsed = time.perf_counter() - started
    status = f"{response.status_code // 100}xx"
    method = request.method if request.method in METHODS else "other"
    REQUEST_SECONDS.labels(endpoint, method, status).observe(elapsed)
    if endpoint in SEARCH_ENDPOINTS and request.args.get("q"):
        SEARCH_SECONDS.labels(endpoint).observe(elapsed)


class DatabaseCollector:
    """Gauges read from the database when scraped: three small queries on indexed columns."""

    def collect(self):
        now = utcnow()
        late_after = timedelta(seconds=current_app.config["METRICS_TIMER_LATE_SECONDS"])
        pending = GaugeMetricFamily(
            "helpcenter_outbox_pending",
            "Outbox events not yet handled, by kind.",
            labels=["kind"],
        )
        failing = GaugeMetricFamily(
            "helpcenter_outbox_failing",
            "Outbox events not yet handled that failed at least once, by kind.",
            labels=["kind"],
        )
        oldest = GaugeMetricFamily(
            "helpcenter_outbox_oldest_pending_seconds",
            "Age of the oldest outbox event not yet handled (0 when none).",
        )
        rows = db.session.execute(
            select(
                OutboxEvent.kind,
                func.count(),
                func.sum(case((OutboxEvent.attempts > 0, 1), else_=0)),
                func.min(OutboxEvent.created_at),
            )
            .where(OutboxEvent.processed_at.is_(None))
            .group_by(OutboxEvent.kind)
        ).all()
        first = None
        for kind, count, failed, created in rows:
            pending.add_metric([kind], count)
            failing.add_metric([kind], failed or 0)
            first = created if first is None or created < first else first
        oldest.add_metric([], (now - first).total_seconds() if first else 0)
        due = db.session.scalar(select(func.count()).where(Ticket.next_timer_at <= now))
        late = db.session.scalar(
            select(func.count()).where(Ticket.next_timer_at <= now - late_after)
        )
        db.session.rollback()
        yield pending
        yield failing
        yield oldest
        yield GaugeMetricFamily(
            "helpcenter_ticket_timers_due", "Ticket timer actions due now.", value=due
        )
        yield GaugeMetricFamily(
            "helpcenter_ticket_timers_late",
            "Ticket timer actions overdue by more than METRICS_TIMER_LATE_SECONDS.",
            value=late,
        )


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def scrape_allowed() -> bool:
    """Deny by default: the configured bearer token, or a loopback client that did not come
    through a proxy (a proxy on the same host would make every visitor look local)."""
    token = current_app.config["METRICS_TOKEN"]
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer "):
        return hmac.compare_digest(sent.removeprefix("Bearer ").encode(), token.encode())
    proxied = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return (
        current_app.config["METRICS_ALLOW_LOOPBACK"]
        and not proxied
        and _is_loopback(request.environ.get("REMOTE_ADDR"))
    )


def exposition() -> bytes:
    """Every sample in Prometheus' text format: the served ones (all workers' under gunicorn)
    followed by the database gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        served = generate_latest(registry)
    else:
        served = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return served + generate_latest(database)


def init_app(app: Flask) -> None:
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
