"""``scripts/start`` in a copy of the project: gunicorn with the timer and the drain beside it,
metrics added up over the workers, and nothing left running after SIGTERM or Ctrl+C."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _project_copy(target: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not name.startswith(("tests/", "bench/", "node_modules/")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # The project's own environment: installing one would need the network and minutes.
    (target / ".venv").symlink_to(ROOT / ".venv")
    return target


def _venv_is_current() -> bool:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return any(
        stamp.read_text().strip() == wanted for stamp in (ROOT / ".venv").glob(".installed-*")
    )


def _get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode()


def _wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if _get(url)[0] == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer in {seconds} s:\n{log.read_text()[-3000:]}")


def _processes_in(folder: Path) -> list[str]:
    """Command lines of running processes started from the copy (by their command or cwd)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if str(folder) in command or cwd.startswith(str(folder)):
            found.append(f"{entry.name}: {command}")
    return found


def _start(copy: Path, port: int, log: Path, *options: str, **extra: str) -> subprocess.Popen:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "TEST_DATABASE_URL", "PROMETHEUS", "FLASK_"))
    }
    environment["PORT"] = str(port)
    environment.update(extra)
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            ["scripts/start", *options], cwd=copy, env=environment, stdout=output,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _stop(process: subprocess.Popen, signum: int, log: Path) -> None:
    process.send_signal(signum)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"still running 30 s after {signum}:\n{log.read_text()[-3000:]}")


def test_start_serves_with_gunicorn_and_stops_cleanly(tmp_path):
    if not _venv_is_current():
        pytest.skip("the .venv is older than pyproject.toml: run through scripts/test")
    copy = _project_copy(tmp_path / "helpcenter")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "first.log"
    process = _start(copy, port, log)
    try:
        _wait_for(f"{base}/healthz", process, log, 180)
        status, headers, page = _get(f"{base}/")
        assert status == 200 and headers["Server"].startswith("gunicorn")
        assert "Help Center" in page
        output = log.read_text()
        assert re.search(r"e-mail: +\S+@\S+", output) and re.search(r"password: +\S{12,}", output)
        assert f"Serving the Help Center at {base}" in output
        running = "\n".join(_processes_in(copy))
        assert running.count("gunicorn") >= 3, running  # the master and two workers
        assert "tickets tick --every 30" in running and "outbox drain --every 30" in running
        assert _get(f"{base}/readyz")[0] == 200

        # Each worker counts its own requests; a scrape adds them up, whichever worker answers.
        for _ in range(20):
            _get(f"{base}/")
        for _ in range(4):
            metrics = _get(f"{base}/metrics")[2]
            count = re.search(
                r'helpcenter_request_seconds_count\{endpoint="kb.home",method="GET",'
                r'status="2xx"\} (\S+)',
                metrics,
            )
            assert count and float(count.group(1)) == 21, metrics[:2000]
    finally:
        if process.poll() is None:
            _stop(process, signal.SIGTERM, log)
    assert _processes_in(copy) == []

    # A second start skips the installs and the migrations it finds done; Ctrl+C stops it.
    log = tmp_path / "second.log"
    process = _start(copy, port, log)
    try:
        seconds = _wait_for(f"{base}/healthz", process, log, 120)
        assert "First admin created" not in log.read_text()
        print(f"second start answered in {seconds:.1f} s")
        assert seconds < 60
    finally:
        if process.poll() is None:
            _stop(process, signal.SIGINT, log)
    assert _processes_in(copy) == []

    # --dev: the Flask development server (reloader and all) in gunicorn's place.
    log = tmp_path / "dev.log"
    process = _start(copy, port, log, "--dev")
    try:
        _wait_for(f"{base}/healthz", process, log, 120)
        assert _get(f"{base}/")[1]["Server"].startswith("Werkzeug")
    finally:
        if process.poll() is None:
            _stop(process, signal.SIGTERM, log)
    assert _processes_in(copy) == []


def test_sigterm_ends_waiting_chats_and_stops_within_honchos_wait(tmp_path):
    """honcho SIGKILLs what still runs 5 s after SIGTERM; gunicorn's graceful stop stays under
    that, and a chat long-poll waiting then answers at once instead of holding the stop."""
    if not _venv_is_current():
        pytest.skip("the .venv is older than pyproject.toml: run through scripts/test")
    import json
    import threading

    import requests

    copy = _project_copy(tmp_path / "helpcenter")
    port, log = _free_port(), tmp_path / "chat-stop.log"
    base = f"http://127.0.0.1:{port}"
    all_day = {day: "00:00-23:59" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    process = _start(copy, port, log, HELPCENTER_SUPPORT_TIER1_HOURS=json.dumps(all_day))
    answers: dict = {}
    try:
        _wait_for(f"{base}/healthz", process, log, 180)
        output = log.read_text()
        email = re.search(r"e-mail: +(\S+@\S+)", output).group(1)
        password = re.search(r"password: +(\S{12,})", output).group(1)
        staff = requests.Session()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                          staff.get(f"{base}/account/login", timeout=10).text).group(1)  # fmt: skip
        form = {"email": email, "password": password, "csrf_token": token}
        assert staff.post(f"{base}/account/login", data=form, timeout=10).ok
        chat_page = staff.get(f"{base}/chat/console", timeout=10).text
        staff.headers["X-CSRFToken"] = re.search(r'data-csrf="([^"]+)"', chat_page).group(1)
        online = staff.post(f"{base}/chat/console/presence", json={"status": "online"}, timeout=10)
        assert online.status_code == 200, online.text
        started = staff.post(f"{base}/chat/start", timeout=10,
                             json={"question": "Does stop wait?", "origin": "site"})  # fmt: skip
        assert started.status_code == 201, started.text
        events = f"{base}/chat/c/{started.json()['conversation']['id']}/events?after=1"
        tag = staff.get(events + "&wait=0", timeout=10).json()["tag"]

        def wait() -> None:
            began = time.monotonic()
            answers["status"] = staff.get(f"{events}&tag={tag}", timeout=40).status_code
            answers["seconds"] = time.monotonic() - began

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(1.5)  # the long-poll is waiting (CHAT_WAIT_SECONDS is 25)
        assert waiter.is_alive()
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        stop_seconds = time.monotonic() - stopped_at
        waiter.join(10)
    finally:
        if process.poll() is None:
            _stop(process, signal.SIGTERM, log)
    output = log.read_text()
    print(f"stopped in {stop_seconds:.1f} s; the waiting chat answered after "
          f"{answers.get('seconds', 0):.1f} s")  # fmt: skip
    assert answers.get("status") == 200 and answers["seconds"] < 4, answers
    assert "SIGKILL" not in output, output[-3000:]
    assert stop_seconds < 5, output[-3000:]
    assert _processes_in(copy) == []


def test_start_rejects_unknown_options(tmp_path):
    answer = subprocess.run(
        [str(ROOT / "scripts/start"), "--production"], capture_output=True, text=True
    )
    assert answer.returncode == 2
    assert "usage: scripts/start [--dev]" in answer.stderr
