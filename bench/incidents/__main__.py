"""``python -m bench.incidents``: anonymous pages with an incident banner on against the same
pages without one, in the same run.

Two copies of the site (same database content, one with an open outage declared through the
real service) under gunicorn with the production settings; the same bounded load generator as
``bench.pages`` drives each page on each copy in turn, ``--rounds`` times interleaved, best
round per row. Target (issue 21): with the banner, each anonymous page's req/s stays within
10 % of the page without it, i.e. the banner does not defeat the page cache.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.api.__main__ import (
    ROOT,
    free_port,
    load_average,
    measure,
    prepare_database,
    wait_for_quiet,
)
from bench.pages.__main__ import serve

PAGES = {
    "home": "/",
    "article": "/articles/export-your-data",
    "forum index": "/community/",
    "status page": "/status",
}


def _site(folder: Path, *, declare: bool) -> dict:
    folder.mkdir()
    env = prepare_database(folder)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder / "prometheus")
    Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir()
    env.pop("WEB_CONCURRENCY", None)
    args = [sys.executable, "-m", "bench.incidents.seed"] + (["--declare"] if declare else [])
    subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return env


def _ready(port: int, timeout: float = 120.0) -> None:
    """Wait until a worker answers (booting takes seconds on a loaded machine)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=10) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the site on port {port} did not answer")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-load", type=float, default=2.0)
    parser.add_argument("--wait", type=float, default=120.0)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        quiet_env = _site(Path(folder) / "quiet", declare=False)
        banner_env = _site(Path(folder) / "banner", declare=True)
        quiet_port, banner_port = free_port(), free_port()
        servers = [serve("wsgi:app", quiet_port, quiet_env),
                   serve("wsgi:app", banner_port, banner_env)]  # fmt: skip
        try:
            pids = {"without": servers[0].pid, "with banner": servers[1].pid}
            ports = {"without": quiet_port, "with banner": banner_port}
            for port in ports.values():
                _ready(port)
            load_before = wait_for_quiet(options.max_load, options.wait)
            for port in ports.values():
                for path in PAGES.values():
                    measure(port, path, {}, 200, options.clients, 1.0)  # warm every worker
            best: dict[tuple[str, str], dict] = {}
            for _ in range(options.rounds):
                for page, path in PAGES.items():
                    for state, port in ports.items():
                        result = measure(port, path, {}, 200, options.clients,
                                         options.duration, pids[state])  # fmt: skip
                        key = (page, state)
                        if key not in best or result["rps"] > best[key]["rps"]:
                            best[key] = result
            load_after = load_average()
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=15)

    print(f"gunicorn -c gunicorn.conf.py, {options.clients} clients, {options.duration:g} s x "
          f"{options.rounds} rounds (best round), {os.cpu_count()} CPUs")  # fmt: skip
    print(f"load average before: {load_before}; after (this benchmark included): {load_after}")
    print(f"{'page':<12} {'without req/s':>13} {'banner req/s':>12} {'ratio':>6} "
          f"{'p50 ms w/o':>10} {'p50 ms banner':>13} {'server µs/req w/o':>17} "
          f"{'banner':>7}")  # fmt: skip
    checks = {}
    for page in PAGES:
        quiet, banner = best[(page, "without")], best[(page, "with banner")]
        ratio = banner["rps"] / quiet["rps"]
        print(f"{page:<12} {quiet['rps']:>13.0f} {banner['rps']:>12.0f} {ratio:>6.0%} "
              f"{quiet['p50_ms']:>10.2f} {banner['p50_ms']:>13.2f} "
              f"{quiet['server_us']:>17.0f} {banner['server_us']:>7.0f}")  # fmt: skip
        checks[f"{page}: with banner >= 90% of without"] = ratio >= 0.9
        checks[f"{page}: no errors"] = not (quiet["errors"] or banner["errors"])
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
