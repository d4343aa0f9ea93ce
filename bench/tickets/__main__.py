"""``python -m bench.tickets [--tickets N] [--runs R] [--postgres URL]``

Builds 100,000 open tickets (bulk insert) whose next timers are spread over the coming days,
with about 1 % already due, then times the real ``run_tick`` on a fresh copy of that database
for each run (the tick changes what it touches) and reports the median. For comparison it times,
in the same run, a reference that reads every open ticket and computes its due actions in
Python (what the indexed ``next_timer_at`` query avoids), and prints the ratio.

SQLite always (a temporary file); PostgreSQL too when ``--postgres`` (or
``BENCH_DATABASE_URL``) points at a reachable server.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.tickets.models import Ticket
from app.tickets.sla import clock
from app.tickets.sla import deadlines as timers
from app.tickets.sla.tick import run_tick
from tests.tickets.conftest import berlin

ROOT = Path(__file__).resolve().parents[2]
#: A Tuesday afternoon in Berlin: every calendar is open.
NOW = berlin(2026, 11, 24, 14, 0)
TARGET_SECONDS = 5.0


def _config(url: str, folder: Path) -> dict:
    return {
        "HELPCENTER_ENV": "testing", "SECRET_KEY": "bench", "DATABASE_URL": url,
        "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(folder / "mail"),
        "SEARCH_INDEX_DIR": str(folder / "search"), "SEARCH_BACKGROUND_INDEXER": False,
        "RATELIMIT_ENABLED": False, "TESTING": True,
    }  # fmt: skip


def _rows(count: int, requester_id: int, due_fraction: float, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    policy = None
    rows = []
    for index in range(count):
        due = index % int(1 / due_fraction) == 0
        if due:
            # Tier 1, answered, 40 minutes old: its "Tier 1 attempt exceeded" flag is due.
            entered = NOW - timedelta(minutes=40)
            tier, priority, flags = 1, "medium", []
        else:
            # Tier 2, flagged already: escalation to Tier 3 falls somewhere in the next days.
            entered = NOW - timedelta(minutes=rnd.randint(0, 7 * 60))
            tier, priority, flags = 2, "low", ["tier2_attempt_exceeded"]
        created = entered - timedelta(minutes=5)
        rows.append({
            "requester_id": requester_id, "subject": f"Bench ticket {index}",
            "description": "bench", "description_html": "<p>bench</p>", "category": "app",
            "impact": "minor", "suggested_priority": priority, "priority": priority,
            "status": "open", "channel": "web", "tier": tier, "tier_entered_at": entered,
            "flags": flags, "created_at": created, "updated_at": created,
            "first_responded_at": created + timedelta(minutes=1), "pauses": [],
            "timer_version": 0, "awaiting_since": None, "sla_breached_at": None,
        })  # fmt: skip
    from flask import current_app  # noqa: F401  (inside an app context)

    policy = clock.get_policy()
    for row in rows:
        state = timers.ClockState(
            priority=row["priority"], category="app", status="open", tier=row["tier"],
            tier_entered_at=row["tier_entered_at"], created_at=row["created_at"],
            first_responded_at=row["first_responded_at"], flags=frozenset(row["flags"]),
        )  # fmt: skip
        row["next_timer_at"] = timers.schedule(policy, state).next_timer_at
    return rows


def _build(app, count: int) -> int:
    from app.accounts import services

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        user = services.create_user("bench@example.com", "Bench", "bench password 123", NOW)
        db.session.commit()
        rows = _rows(count, user.id, 0.01)
        started = time.perf_counter()
        for chunk in range(0, len(rows), 5000):
            db.session.execute(sa.insert(Ticket), rows[chunk : chunk + 5000])
        db.session.commit()
        due = db.session.scalar(
            sa.select(sa.func.count()).select_from(Ticket).where(Ticket.next_timer_at <= NOW)
        )
        print(f"  inserted {count} tickets in {time.perf_counter() - started:.1f}s; {due} due")
        db.session.remove()
        db.engine.dispose()
        return due


def _time_tick(app) -> tuple[float, int]:
    with app.app_context():
        started = time.perf_counter()
        result = run_tick(NOW)
        elapsed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return elapsed, result.actions


def _time_scan(app) -> tuple[float, int]:
    """Reference: read every open ticket and compute its next action in Python."""
    with app.app_context():
        policy = clock.get_policy()
        started = time.perf_counter()
        due = 0
        for ticket in db.session.scalars(sa.select(Ticket).where(Ticket.status == "open")):
            action = timers.schedule(policy, clock.clock_state(ticket)).action
            due += action is not None and action.due_at <= NOW
        elapsed = time.perf_counter() - started
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return elapsed, due


def _report(name: str, ticks: list[float], actions: int, scan: float) -> None:
    median = statistics.median(ticks)
    verdict = "OK" if median < TARGET_SECONDS else "TOO SLOW"
    print(f"  tick: median {median:.3f}s over {len(ticks)} runs "
          f"({', '.join(f'{t:.3f}' for t in ticks)}), {actions} actions -> {verdict} "
          f"(target < {TARGET_SECONDS:.0f}s)")  # fmt: skip
    print(f"  reference full scan: {scan:.2f}s; scan / tick = {scan / median:.1f}x")


def bench_sqlite(count: int, runs: int) -> None:
    print(f"SQLite, {count} open tickets")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = folder / "base.db"
        _build(create_app(_config(f"sqlite:///{base}", folder)), count)
        ticks, actions = [], 0
        for run in range(runs):
            copy = folder / f"run{run}.db"
            shutil.copyfile(base, copy)
            elapsed, actions = _time_tick(create_app(_config(f"sqlite:///{copy}", folder)))
            ticks.append(elapsed)
        scan, _ = _time_scan(create_app(_config(f"sqlite:///{base}", folder)))
        _report("sqlite", ticks, actions, scan)


def bench_postgres(server: str, count: int, runs: int) -> None:
    print(f"PostgreSQL, {count} open tickets")
    url = sa.engine.make_url(server.replace("postgres://", "postgresql://", 1))
    admin = sa.create_engine(
        url.set(drivername="postgresql+psycopg", database=url.database or "postgres"),
        isolation_level="AUTOCOMMIT",
    )
    base = f"bench_tickets_{uuid.uuid4().hex[:8]}"
    names = [base]

    def url_for(name: str) -> str:
        return url.set(database=name).render_as_string(hide_password=False)

    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{base}"'))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            _build(create_app(_config(url_for(base), folder)), count)
            ticks, actions = [], 0
            for run in range(runs):
                name = f"{base}_r{run}"
                names.append(name)
                with admin.connect() as connection:
                    connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{base}"'))
                elapsed, actions = _time_tick(create_app(_config(url_for(name), folder)))
                ticks.append(elapsed)
            scan, _ = _time_scan(create_app(_config(url_for(base), folder)))
            _report("postgresql", ticks, actions, scan)
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    bench_sqlite(args.tickets, args.runs)
    if args.postgres:
        try:
            bench_postgres(args.postgres, args.tickets, args.runs)
        except sa.exc.OperationalError as exc:
            print(f"PostgreSQL not reachable, skipped: {exc.orig}")


if __name__ == "__main__":
    main()
