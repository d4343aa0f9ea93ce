"""Two hosts on one PostgreSQL and one Redis: two gunicorn instances on different ports, two
ticket timers and two outbox drains, mail to a local SMTP server. Writes go to both hosts; then
every write is visible from both, the anonymous page cache lets go of a changed page on both,
each mail arrives once (by Message-ID), each timer action happens once and the search index
matches the database."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from email import message_from_bytes
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.extensions import db
from app.outbox import OutboxEvent
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith(("postgres", "postgresql")),
        reason="several hosts share PostgreSQL: runs with TEST_DATABASE_URL=postgresql://...",
    ),
]

REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD = "correct horse battery"
VENV_BIN = Path(sys.executable).parent
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app_config(tmp_path):
    return {"SEARCH_BACKEND": "postgres", "PAGE_CACHE_ENABLED": False}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Mailbox:
    def __init__(self):
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        return "250 OK"


class Browser:
    """One person's cookies, sent to whichever host is asked (as behind a load balancer)."""

    def __init__(self):
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def get(self, url: str) -> tuple[int, dict, str]:
        try:
            with self.opener.open(Request(url), timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def post(self, url: str, form_url: str, data: dict) -> tuple[int, str]:
        """Submit a form as a browser does: the page first (for its CSRF token), then the POST."""
        _status, _headers, page = self.get(form_url)
        token = TOKEN.search(page).group(1)
        body = urlencode({**data, "csrf_token": token}).encode()
        try:
            with self.opener.open(Request(url, data=body), timeout=20) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _started(url: str, processes: list, seconds: float = 60) -> None:
    def answers():
        for process, log in processes:
            if process.poll() is not None:
                raise AssertionError(f"{process.args} exited:\n{log.read_text()[-3000:]}")
        try:
            return Browser().get(url)[0] == 200
        except OSError:
            return False

    _wait(answers, seconds, url)


def test_two_hosts_share_one_database_and_redis(app, factory, database_url, tmp_path, now):
    store = redis.Redis.from_url(REDIS_URL)
    store.ping()  # .ci/run starts Redis; without it this test cannot run
    prefix = f"twohosts-{uuid.uuid4().hex[:10]}:"
    mailbox = _Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    ports = [_free_port(), _free_port()]
    hosts = [f"http://127.0.0.1:{port}" for port in ports]

    moderator = factory.user(role="moderator", email="mod@example.com", password=PASSWORD)
    thread_id = factory.thread(moderator, "Basil wilting", "My basil droops at noon.")
    requester = factory.user(email="requester@example.com")
    overdue = [factory.ticket(requester, now) for _ in range(6)]  # every timer is due
    # Their receipts went out through this test's own mailer; the hosts send only what follows.
    with app.app_context():
        mails_before = db.session.scalar(select(func.count()).where(OutboxEvent.kind == "mail"))

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST"))},
        "HELPCENTER_ENV": "production",
        "SECRET_KEY": "two-hosts-test-secret",
        "DATABASE_URL": database_url,
        "SEARCH_BACKEND": "postgres",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "HELPCENTER_REGISTER_LIMIT_PER_IP": json.dumps("1000 per hour"),
        "CACHE_REDIS_URL": REDIS_URL,
        "HELPCENTER_CACHE_KEY_PREFIX": json.dumps(prefix),
        "PAGE_CACHE_ENABLED": "true",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "SITE_URL": hosts[0],
        "EXTRA_TRUSTED_HOSTS": "127.0.0.1,localhost",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "FLASK_APP": "wsgi",
        "HELPCENTER_TALLY_FLUSH_SECONDS": "1",
    }
    processes = []

    def start(name: str, command: list[str], **extra) -> None:
        log = tmp_path / f"{name}.log"
        with log.open("w") as output:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(
                command, cwd=ROOT, env={**env, **extra}, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        processes.append((process, log))

    try:
        for index, port in enumerate(ports):
            metrics = tmp_path / f"metrics-{index}"
            metrics.mkdir()
            start(f"web{index}", [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
                  BIND=f"127.0.0.1:{port}", PROMETHEUS_MULTIPROC_DIR=str(metrics))  # fmt: skip
            start(f"timer{index}", [str(VENV_BIN / "flask"), "tickets", "tick", "--every", "1"])
            start(f"drain{index}", [str(VENV_BIN / "flask"), "outbox", "drain", "--every", "1"])
        for host in hosts:
            _started(f"{host}/healthz", processes)

        from app.tickets.models import TicketEvent

        def fired():
            with app.app_context():
                rows = db.session.execute(
                    select(TicketEvent.ticket_id, TicketEvent.rule, func.count())
                    .where(TicketEvent.actor_id.is_(None), TicketEvent.ticket_id.in_(overdue))
                    .group_by(TicketEvent.ticket_id, TicketEvent.rule)
                ).all()
                db.session.rollback()
            return rows if len({rule for _t, rule, _n in rows}) >= 5 else None

        rows = _wait(fired, 90, "the timers to fire")
        assert {count for _t, _r, count in rows} == {1}, rows  # each action once
        assert len(rows) == 5 * len(overdue)

        # The anonymous page is cached on both hosts.
        reader = Browser()
        thread_path = f"/community/t/{thread_id}"
        for host in hosts:
            _wait(lambda host=host: reader.get(host + thread_path)[1].get("X-Page-Cache") == "hit",
                  20, f"a cached page at {host}")  # fmt: skip

        # Writes at both hosts, by a signed-in moderator whose session both hosts accept.
        staff = Browser()
        status, _ = staff.post(f"{hosts[0]}/account/login", f"{hosts[0]}/account/login",
                               {"email": "mod@example.com", "password": PASSWORD})  # fmt: skip
        assert status == 200  # followed the redirect
        for host, words in zip(hosts, ("Water it at dawn", "Move it into shade"), strict=True):
            status, _ = staff.post(f"{host}{thread_path}/reply", f"{host}{thread_path}",
                                   {"body": f"{words}, basil hates noon sun."})  # fmt: skip
            assert status == 200
        status, _ = staff.post(f"{hosts[1]}/wiki/new", f"{hosts[1]}/wiki/new", {
            "title": "Basil on balconies", "body": "Basil wants six hours of sun.",
            "summary": "", "edit_token": uuid.uuid4().hex,
        })  # fmt: skip
        assert status == 200
        # A registration at one host, confirmed through the mailed link (SITE_URL: host 0)...
        visitor = Browser()
        status, _ = visitor.post(f"{hosts[1]}/account/register", f"{hosts[1]}/account/register", {
            "email": "newgardener@example.com", "display_name": "New Gardener",
            "password": "a long enough password",
        })  # fmt: skip
        assert status == 200
        confirmation = _wait(
            lambda: [m for m in mailbox.received if b"newgardener@example.com" in m],
            30,
            "the confirmation mail",
        )
        link = re.search(rb"(http://127\.0\.0\.1:\d+/account/register/confirm/\S+)",
                         confirmation[0].replace(b"=\r\n", b"")).group(1).decode()  # fmt: skip
        status, _ = visitor.post(link, link, {})
        assert status == 200
        # ... who then asks for help at the other host.
        status, _ = visitor.post(f"{hosts[1]}/requests/new", f"{hosts[1]}/requests/new", {
            "category": "app", "subject": "Reminders stopped", "impact": "minor",
            "description": "No watering reminders since Monday.",
        })  # fmt: skip
        assert status == 200

        # Every write is visible from both hosts, and neither serves the old cached thread.
        for host in hosts:
            _s, _headers, html = reader.get(host + thread_path)
            assert "Water it at dawn" in html and "Move it into shade" in html, host
            assert reader.get(f"{host}/wiki/basil-on-balconies")[0] == 200
            assert "Reminders stopped" in visitor.get(f"{host}/requests/")[2]

        # The background work settles: every outbox event handled, every timer fired.
        def settled():
            with app.app_context():
                pending = db.session.scalar(
                    select(func.count()).where(OutboxEvent.processed_at.is_(None))
                )
                db.session.rollback()
            return pending == 0

        _wait(settled, 90, "the outbox to drain")

        # Each mail once: as many distinct Message-IDs as messages, one per mail event.
        ids = [message_from_bytes(raw)["Message-ID"] for raw in mailbox.received]
        assert all(ids) and ids
        assert [mid for mid, n in Counter(ids).items() if n > 1] == []
        with app.app_context():
            mails = db.session.scalar(select(func.count()).where(OutboxEvent.kind == "mail"))
        assert len(ids) == mails - mails_before

        check = subprocess.run([str(VENV_BIN / "flask"), "search", "check"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr
        assert "consistent" in check.stdout
    finally:
        for process, _log in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _log in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        smtp.stop()
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)
