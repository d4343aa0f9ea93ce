"""``python -m bench.metrics [--tickets N] [--requests R] [--postgres URL]``

Seeds N tickets (default 1,000,000) with their event logs spread over 3 years (bulk insert:
created, assignment, first response, next replies, pending, escalations, solved, reopens), then

* times ``flask metrics rebuild`` (the real :func:`app.metrics.services.rebuild`) in tickets/s,
  against a reference in the same run: only reading the same ticket and event rows;
* serves the site on a local port (werkzeug, threaded) and times R dashboard requests over HTTP,
  each for a random 90-day range (p50/p95/max), against a reference page in the same run that
  does no aggregation (the formulas page: same sign-in, permission check and page frame).

SQLite always (a temporary file); PostgreSQL too when ``--postgres`` (or ``BENCH_DATABASE_URL``)
points at a reachable server (a throw-away database is created and dropped).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.metrics import services
from app.outbox import commit
from app.tickets.models import Ticket, TicketEvent

ROOT = Path(__file__).resolve().parents[2]
END = datetime(2026, 11, 30, 12, tzinfo=UTC)
START = END - timedelta(days=3 * 365)
TARGET_P95_MS = 300
TARGET_RATE = 20_000
PASSWORD = "bench password 123"
CATEGORIES = ["account", "billing", "app", "feature_request", "bug", "privacy"]
CHANNELS = ["web", "forum", "email", "api", "social"]
PRIORITIES = ["critical", "high", "medium", "medium", "low", "low"]


def _config(url: str, folder: Path) -> dict:
    return {
        "HELPCENTER_ENV": "testing", "SECRET_KEY": "bench", "DATABASE_URL": url,
        "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(folder / "mail"),
        "SEARCH_INDEX_DIR": str(folder / "search"), "SEARCH_BACKGROUND_INDEXER": False,
        "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }  # fmt: skip


def _history(rnd: random.Random, index: int, requester: int, agents: list[int]):
    """One ticket row and its events, shaped like the ticket services write them."""
    created = START + timedelta(seconds=rnd.randrange(int((END - START).total_seconds())))
    priority = rnd.choice(PRIORITIES)
    agent = rnd.choice(agents)
    t = created
    events = [("created", None, {"priority": priority, "tier": 1}, t)]
    status, tier, solved_at, first = "new", 1, None, None

    def step(minutes: int) -> datetime:
        nonlocal t
        t += timedelta(minutes=rnd.randint(1, minutes))
        return t

    events.append(("assigned", {"assignee_id": None}, {"assignee_id": agent}, step(30)))
    if rnd.random() < 0.2:
        events.append(("escalated", {"tier": 1}, {"tier": 2}, step(120)))
        tier = 2
    if rnd.random() < 0.92:
        first = step(600)
        events += [("agent_reply", None, {}, first), ("first_response", None, {}, first),
                   ("status", {"status": "new"}, {"status": "open"}, first)]  # fmt: skip
        status = "open"
        if rnd.random() < 0.3:
            events.append(("status", {"status": "open"}, {"status": "pending"}, step(5)))
            events += [("status", {"status": "pending"}, {"status": "open"}, step(1440)),
                       ("requester_reply", None, {}, t),
                       ("agent_reply", None, {}, step(300))]  # fmt: skip
        if rnd.random() < 0.88:
            solved_at = step(2000)
            events.append(("status", {"status": "open"}, {"status": "solved"}, solved_at))
            status = "solved"
            if rnd.random() < 0.06:
                events += [
                    ("status", {"status": "solved"}, {"status": "open"}, step(2000)),
                    ("requester_reply", None, {}, t),
                    ("agent_reply", None, {}, step(300)),
                ]
                solved_at = step(900)
                events.append(("status", {"status": "open"}, {"status": "solved"}, solved_at))
    ticket = {
        "requester_id": requester, "subject": f"Bench {index}", "description": "b",
        "description_html": "<p>b</p>", "category": rnd.choice(CATEGORIES), "impact": "minor",
        "suggested_priority": priority, "priority": priority, "status": status,
        "channel": rnd.choice(CHANNELS), "tier": tier, "tier_entered_at": created, "flags": [],
        "assignee_id": agent, "created_at": created, "updated_at": t, "solved_at": solved_at,
        "first_responded_at": first, "pauses": [], "timer_version": 0,
    }  # fmt: skip
    return ticket, events


def _seed(app, count: int) -> None:
    from app.accounts import services as accounts

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        admin = accounts.create_user("lead@example.com", "Lead", PASSWORD, START, role="admin")
        requester = accounts.create_user("r@example.com", "Requester", PASSWORD, START)
        agents = [
            accounts.create_user(f"a{n}@example.com", f"Agent {n}", PASSWORD, START,
                                 role="agent_t3").id
            for n in range(10)
        ]  # fmt: skip
        del admin
        db.session.commit()
        rnd = random.Random(20)
        started = time.perf_counter()
        next_id = 1
        for chunk in range(0, count, 20_000):
            tickets, events = [], []
            for index in range(chunk, min(chunk + 20_000, count)):
                ticket, log = _history(rnd, index, requester.id, agents)
                ticket["id"] = next_id
                tickets.append(ticket)
                events += [
                    {"ticket_id": next_id, "actor_id": None, "kind": kind, "before": before,
                     "after": after, "rule": None, "created_at": at}
                    for kind, before, after, at in log
                ]  # fmt: skip
                next_id += 1
            db.session.execute(sa.insert(Ticket), tickets)
            db.session.execute(sa.insert(TicketEvent), events)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("SELECT setval('ticket_id_seq', :n)"), {"n": next_id})
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        events_total = db.session.scalar(sa.select(sa.func.count()).select_from(TicketEvent))
        print(f"  seeded {count:,} tickets and {events_total:,} events over 3 years "
              f"in {time.perf_counter() - started:.0f}s")  # fmt: skip
        db.session.remove()


def _time_rebuild(app, count: int) -> None:
    with app.app_context():
        started = time.perf_counter()
        rows = 0
        for _ in db.session.execute(
            sa.select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.created_at,
                      TicketEvent.before, TicketEvent.after).execution_options(yield_per=20_000)
        ):  # fmt: skip
            rows += 1
        reference = time.perf_counter() - started
        db.session.rollback()
        started = time.perf_counter()
        done = services.rebuild(END)
        commit()
        elapsed = time.perf_counter() - started
        rate = done / elapsed
        verdict = "OK" if rate >= TARGET_RATE else "TOO SLOW"
        print(f"  rebuild: {done:,} tickets in {elapsed:.1f}s = {rate:,.0f} tickets/s -> "
              f"{verdict} (target >= {TARGET_RATE:,}/s)")  # fmt: skip
        print(f"  reference (only reading the {rows:,} event rows): {reference:.1f}s; "
              f"rebuild / reference = {elapsed / reference:.1f}x")  # fmt: skip
        db.session.remove()


class Client:
    """A signed-in browser without a browser: one keep-alive connection and the cookie."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        body = f"email=lead%40example.com&password={PASSWORD.replace(' ', '+')}"
        self.request("POST", "/account/login", body,
                     {"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip

    def request(self, method: str, path: str, body: str | None = None, headers=None) -> int:
        headers = {**(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (f"p50 {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms, "
            f"max {ordered[-1]:.0f} ms")  # fmt: skip


def _time_http(app, requests: int) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = Client(server.server_port)
        rnd = random.Random(3)
        first = START.date()
        span = (END.date() - first).days - 90
        for _ in range(3):  # warm up (connection pool, templates)
            client.request("GET", "/metrics/formulas")
        reference, dashboard = [], []
        for _ in range(requests):
            start = first + timedelta(days=rnd.randrange(span))
            end = start + timedelta(days=89)
            for target, path in ((reference, "/metrics/formulas"),
                                 (dashboard, f"/metrics/?start={start}&end={end}")):  # fmt: skip
                began = time.perf_counter()
                status = client.request("GET", path)
                target.append((time.perf_counter() - began) * 1000)
                assert status == 200, (path, status)
        ordered = sorted(dashboard)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        verdict = "OK" if p95 < TARGET_P95_MS else "TOO SLOW"
        print(f"  dashboard, random 90-day ranges, {requests} requests: {_percentiles(dashboard)}"
              f" -> {verdict} (target p95 < {TARGET_P95_MS} ms)")  # fmt: skip
        print(f"  reference (formulas page, no aggregation): {_percentiles(reference)}; "
              f"dashboard / reference median = "
              f"{statistics.median(dashboard) / statistics.median(reference):.1f}x")  # fmt: skip
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _run(url: str, folder: Path, count: int, requests: int) -> None:
    _seed(create_app(_config(url, folder)), count)
    app = create_app(_config(url, folder))
    _time_rebuild(app, count)
    _time_http(app, requests)
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    if not args.skip_sqlite:
        print(f"SQLite, {args.tickets:,} tickets")
        with tempfile.TemporaryDirectory() as tmp:
            _run(f"sqlite:///{tmp}/bench.db", Path(tmp), args.tickets, args.requests)
    if args.postgres:
        url = sa.engine.make_url(args.postgres.replace("postgres://", "postgresql://", 1))
        admin = sa.create_engine(url.set(drivername="postgresql+psycopg"),
                                 isolation_level="AUTOCOMMIT")  # fmt: skip
        name = f"bench_metrics_{uuid.uuid4().hex[:8]}"
        print(f"PostgreSQL, {args.tickets:,} tickets")
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            with tempfile.TemporaryDirectory() as tmp:
                target = url.set(database=name).render_as_string(hide_password=False)
                _run(target, Path(tmp), args.tickets, args.requests)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
