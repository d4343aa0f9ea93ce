"""A fresh machine's first start ends with an admin who can sign in: the same commands as
``scripts/start`` (migrate, bootstrap the admin) on an empty database, then the printed
address and password typed into the sign-in page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from tests.browser.conftest import ROOT, check_accessibility

pytestmark = pytest.mark.browser


def _flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def first_start(tmp_path: Path, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite; the PostgreSQL run covers the same services")
    settings = {
        "HELPCENTER_ENV": "development",
        "SECRET_KEY": "first-start-browser-test",
        "DATABASE_URL": "sqlite:///" + str(tmp_path / "fresh.db"),
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "RATELIMIT_ENABLED": "false",
    }
    env = {**os.environ, **settings, "FLASK_APP": "wsgi"}
    env.pop("TEST_DATABASE_URL", None)
    _flask(env, "db", "upgrade")
    printed = _flask(env, "users", "bootstrap-admin")
    app = create_app({**settings, "RATELIMIT_ENABLED": False})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", printed
    http.shutdown()
    thread.join(timeout=5)


def test_printed_first_admin_signs_in(browser, first_start):
    url, printed = first_start
    email = re.search(r"e-mail:\s+(\S+)", printed).group(1)
    password = re.search(r"password:\s+(\S+)", printed).group(1)
    assert email == "admin@growgrebuddy.local"
    context = browser.new_context(base_url=url)
    page = context.new_page()
    page.goto("/account/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as Help Center Admin.").wait_for()
    check_accessibility(page, context="first admin signed in")
    context.close()
