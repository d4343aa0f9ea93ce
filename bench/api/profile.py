"""``python -m bench.api.profile``: where the time of one ``GET /api/v1/snippets/<key>`` goes.

Builds the same temporary database as ``python -m bench.api`` (production settings, content
synced), then runs ``--requests`` requests (default 3000) under
cProfile for the 200 path and the 304 path, calling the WSGI application directly (no client,
no socket), and prints the mean time per request (measured without the profiler) and the
functions with the most cumulative time. Options: ``--top N`` rows (25; 0 for the times only),
``--sort`` (cumulative or tottime), ``--bare`` to measure the bare baseline app the same way.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

from bench.api.__main__ import SNIPPET, prepare_database


def _run(app, path: str, headers: dict, expect: int, count: int) -> float:
    """Mean CPU seconds per request, calling the WSGI app directly (no client, no socket)."""
    environ = EnvironBuilder(path=path, headers=headers).get_environ()
    environ["REMOTE_ADDR"] = "127.0.0.1"
    statuses: list[str] = []

    def start_response(status, _headers, _exc_info=None):
        statuses.append(status)

    # CPU time of this thread: on a shared machine, wall time would count other processes' turns.
    started = time.thread_time()
    for _ in range(count):
        body = app(dict(environ), start_response)
        try:
            b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
    elapsed = time.thread_time() - started
    assert all(status.startswith(str(expect)) for status in statuses), statuses[:3]
    return elapsed / count


def _profile(name: str, app, path: str, headers: dict, expect: int, options) -> None:
    _run(app, path, headers, expect, 200)  # warm caches and imports
    mean = min(_run(app, path, headers, expect, options.requests) for _ in range(3))
    print(f"\n== {name}: {mean * 1e6:.0f} µs CPU per request in-process (best of 3, no profiler)")
    if not options.top:
        return
    profiler = cProfile.Profile()
    profiler.enable()
    _run(app, path, headers, expect, options.requests)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats(options.sort).print_stats(options.top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--bare", action="store_true")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        os.environ.update(prepare_database(Path(folder)))
        from app import create_app

        app = create_app()
        client = app.test_client()
        first = client.get(SNIPPET)
        assert first.status_code == 200, first.status_code
        etag = first.headers["ETag"]
        _profile("snippet 200", app, SNIPPET, {}, 200, options)
        _profile("snippet 304", app, SNIPPET, {"If-None-Match": etag}, 304, options)
        if options.bare:
            from bench.api.bare import app as bare

            _profile("bare", bare, "/bare", {}, 200, options)
        indexer = app.extensions.get("search_indexer")
        if indexer is not None:
            indexer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
