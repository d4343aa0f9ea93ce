"""Search benchmark, one command: build rate and query latency per backend, FTS5 as reference.

    .venv/bin/python -m bench.search                 # quick: 5,000 documents
    .venv/bin/python -m bench.search --docs 100000   # the target size (takes minutes)

Whoosh always; PostgreSQL when ``--pg`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``)
answers (a throw-away database is created and dropped). HTTP goes through a real threaded
werkzeug server on 127.0.0.1 in its own process.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import socket
import sqlite3
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

from bench.search.corpus import QUERIES, corpus
from bench.search.server import serve

ROOT = Path(__file__).resolve().parents[2]


def _config(db_url: str, index_dir: Path, backend: str) -> dict:
    return {
        "HELPCENTER_ENV": "development", "SECRET_KEY": "bench", "DATABASE_URL": db_url,
        "SEARCH_INDEX_DIR": str(index_dir), "SEARCH_BACKEND": backend,
        "SEARCH_BACKGROUND_INDEXER": False, "RATELIMIT_ENABLED": False,
    }  # fmt: skip


def _app(config: dict, migrate: bool = False):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(config)
    if migrate:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"), revision="heads")
    return app


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Whoosh's second process)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _stats(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return f"p50 {statistics.median(samples):7.1f}  p95 {p95:7.1f}  max {samples[-1]:7.1f}"


def _time_queries(run, repeat: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for kind, queries in QUERIES.items():
        for query in queries:
            run(query)  # warm the caches once, as a live site would be
        for _ in range(repeat):
            for query in queries:
                started = time.perf_counter()
                run(query)
                out.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _http(config: dict, repeat: int) -> dict[str, list[float]]:
    port = _free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(config, port))
    server.start()
    base = f"http://127.0.0.1:{port}/search/results.json?q="
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "warmup", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)

        def run(query):
            urllib.request.urlopen(base + urllib.parse.quote(query), timeout=5).read()

        return _time_queries(run, repeat)
    finally:
        server.terminate()
        server.join()


def _python_api(app, repeat: int) -> tuple[dict[str, list[float]], int]:
    from app.search import services

    partial = 0
    with app.app_context():

        def run(query):
            nonlocal partial
            partial += services.search(query, user=None).partial

        return _time_queries(run, repeat), partial


def _fts5(forum_posts: int, articles: int, folder: Path, repeat: int):
    connection = sqlite3.connect(folder / "fts5.db")
    connection.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, tags, body, tokenize='porter unicode61')"
    )
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO docs VALUES (?, ?, ?)",
            ((d.title, " ".join(d.tags), d.body) for d in corpus(forum_posts, articles)),
        )
    rate = (forum_posts + articles) / (time.perf_counter() - started)

    def run(query):
        # Phrases as they are; words as prefixes, like the help center's own search.
        words = " ".join(f"{word}*" for word in query.split())
        match = query if query.startswith('"') else words
        connection.execute(
            "SELECT rowid, snippet(docs, 2, '<mark>', '</mark>', '…', 20) FROM docs"
            " WHERE docs MATCH ? ORDER BY bm25(docs, 3.0, 2.0, 1.0) LIMIT 10",
            (match,),
        ).fetchall()

    return rate, _time_queries(run, repeat)


def _load() -> str:
    """The load average now (1, 5, 15 minutes): other work on the machine skews timings."""
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def _report(name: str, rate: float, api: dict, http: dict | None, reference: dict | None):
    print(f"\n## {name}: build {rate:,.0f} docs/s ({_load()})")
    for kind in QUERIES:
        line = f"  {kind:12s} api  {_stats(api[kind])}"
        if reference:
            ratio = statistics.median(api[kind]) / max(statistics.median(reference[kind]), 0.001)
            line += f"   (x{ratio:.1f} FTS5 p50)"
        print(line)
        if http:
            print(f"  {'':12s} http {_stats(http[kind])}")
    every = [value for values in api.values() for value in values]
    print(f"  all queries  api  {_stats(every)}")
    if http:
        every = [value for values in http.values() for value in values]
        print(f"  all queries  http {_stats(every)}  ({_load()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000, help="forum posts (articles: docs/50)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds over the query set")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--backends", default="whoosh,postgres,fts5")
    parser.add_argument(
        "--db-docs", type=int, default=None,
        help="forum threads inserted in the database for a full `flask search rebuild`"
        " (default: --docs; 0 skips it)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.db_docs is None:
        args.db_docs = args.docs
    articles = max(1, args.docs // 50)
    total = args.docs + articles
    backends = args.backends.split(",")
    folder = Path(tempfile.mkdtemp(prefix="bench-search-"))
    print(f"# Search benchmark: {args.docs:,} forum posts + {articles:,} articles, seed 42")
    print(f"# {os.cpu_count()} CPUs, {_load()}")
    reference = None
    try:
        if "fts5" in backends:
            rate, reference = _fts5(args.docs, articles, folder, args.repeat)
            _report("SQLite FTS5 (reference, bare table)", rate, reference, None, None)
        if "whoosh" in backends:
            config = _config("sqlite:///" + str(folder / "whoosh.db"), folder / "index", "whoosh")
            app = _app(config, migrate=True)
            with app.app_context():
                from app.search.backend import get_backend

                started, cpu = time.perf_counter(), _cpu()
                get_backend().rebuild(corpus(args.docs, articles))
                rate = total / (time.perf_counter() - started)
                print(
                    f"\nWhoosh rebuild: {total / (_cpu() - cpu):,.0f} docs per CPU-second"
                    f" (all processes), {_load()}"
                )
            api, partial = _python_api(app, args.repeat)
            _report("Whoosh", rate, api, _http(config, args.repeat), reference)
            print(f"  partial (time-limited) answers: {partial}")
            if args.db_docs:
                _db_rebuild(app, args.db_docs)
        if "postgres" in backends:
            _postgres(args, articles, total, folder, reference)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _db_rebuild(app, count: int) -> None:
    """``flask search rebuild`` as an operator runs it: from the forum's rows in the database."""
    from app.search import services
    from bench.search.dbcorpus import insert_forum_threads

    with app.app_context():
        started = time.perf_counter()
        inserted = insert_forum_threads(count)
        print(f"\nInserted {inserted:,} forum threads in {time.perf_counter() - started:.0f} s")
        started, cpu = time.perf_counter(), _cpu()
        indexed = services.rebuild_index()
        elapsed = time.perf_counter() - started
        print(
            f"Whoosh `flask search rebuild` from the database: {indexed:,} documents in"
            f" {elapsed:.1f} s = {indexed / elapsed:,.0f} docs/s"
            f" ({indexed / (_cpu() - cpu):,.0f} per CPU-second; {_load()})"
        )


def _postgres(args, articles: int, total: int, folder: Path, reference) -> None:
    server = sa.engine.make_url(args.pg).set(drivername="postgresql+psycopg")
    name = f"bench_search_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        print(f"\n## PostgreSQL: skipped ({exc.__class__.__name__}: cannot reach {args.pg})")
        return
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        config = _config(url, folder / "unused", "postgres")
        app = _app(config, migrate=True)
        with app.app_context():
            from app.extensions import db
            from app.search.backend import get_backend

            started = time.perf_counter()
            get_backend().rebuild(corpus(args.docs, articles))
            db.session.commit()
            rate = total / (time.perf_counter() - started)
            db.session.execute(sa.text("ANALYZE search_document"))
            db.session.commit()
        api, partial = _python_api(app, args.repeat)
        _report("PostgreSQL full text", rate, api, _http(config, args.repeat), reference)
        print(f"  partial (time-limited) answers: {partial}")
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
