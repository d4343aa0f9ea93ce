"""Browser tests: the real application served on 127.0.0.1, driven by Debian's Chromium
through Playwright, with axe-core checking the accessibility of every page visited.

Locally these tests skip with a reason when Chromium is missing; in CI (CI=true) they fail."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Flags for a closed network: no background calls home, no sandbox as root, no GPU.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    _require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}; apt-get install chromium")
    _require(AXE.exists(), "axe-core missing; run npm install")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class LiveServer:
    def __init__(self, app, url: str):
        self.app = app
        self.url = url

    def mail(self):
        """Messages sent so far through the development (file) mailer."""
        return self.app.extensions["mailer"].messages()

    def cli(self, *args: str):
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """The site on a random local port, with its own migrated database and starter content."""
    folder = tmp_path_factory.mktemp("live")
    if database_url.startswith("sqlite"):
        target = folder / "live.db"
        shutil.copyfile(database_url.removeprefix("sqlite:///"), target)
        url = "sqlite:///" + str(target)
    else:
        pytest.skip("browser tests run on SQLite; the PostgreSQL run covers the same services")
    app = create_app(
        {
            "HELPCENTER_ENV": "testing",
            "SECRET_KEY": "browser-test-secret",
            "DATABASE_URL": url,
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "file",
            "MAIL_FILE_DIR": str(folder / "mail"),
            "SEARCH_INDEX_DIR": str(folder / "search_index"),
            "KB_MEDIA_DIR": str(folder / "media"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    server = LiveServer(app, "")
    with app.app_context():
        if "content" in app.cli.commands:
            server.cli("content", "sync")
        db.session.remove()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    server.url = f"http://127.0.0.1:{http.server_port}"
    # Links in mail point at the address the site is really served on, as SITE_URL does.
    app.config["SITE_URL"] = server.url
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield server
    http.shutdown()
    thread.join(timeout=5)


#: The password of every account the browser tests make.
PASSWORD = "sow peas in early spring"
DESKTOP = {"width": 1280, "height": 900}


def unique() -> str:
    """A short unique tag, so names made on the shared live site never collide."""
    return uuid.uuid4().hex[:8]


def account(live_server, role: str, name: str) -> str:
    """An account created through the real CLI; returns its e-mail address."""
    email = f"{role}-{unique()}@example.com"
    live_server.cli(
        "users", "create", "--email", email, "--name", name, "--role", role,
        "--password", PASSWORD,
    )  # fmt: skip
    return email


def sign_in(tab, email: str, name: str) -> None:
    """Sign in through the real form and wait for the greeting."""
    from playwright.sync_api import expect

    tab.goto("/account/login")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_text(f"Signed in as {name}.")).to_be_visible()


class Tabs:
    """Other people's browsers (own cookies each), closed after the test."""

    def __init__(self, browser, live_server):
        self.browser, self.live_server = browser, live_server
        self.contexts: list = []
        self.errors: list[str] = []

    def open(self, viewport: dict | None = None):
        context = self.browser.new_context(
            base_url=self.live_server.url, viewport=viewport or DESKTOP
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda error: self.errors.append(str(error)))
        return tab


@pytest.fixture
def tabs(browser, live_server):
    """Opens tabs at a given size (``tabs.open(size)``); their JavaScript errors fail the test."""
    opened = Tabs(browser, live_server)
    yield opened
    for context in opened.contexts:
        context.close()
    assert opened.errors == [], f"JavaScript errors on the page: {opened.errors}"


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def check_accessibility(page, *, context: str = "") -> None:
    """Run axe-core on the current page; fail on serious or critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP (no inline script) holds.
        page.evaluate(AXE.read_text() + "\n;undefined")
    results = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    serious = [v for v in results if v["impact"] in {"serious", "critical"}]
    assert serious == [], f"axe violations on {context or page.url}: {serious}"
