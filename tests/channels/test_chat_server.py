"""Chat on the production server: gunicorn (gunicorn.conf.py, gthread) with Redis between two
instances. Pages are served while every chat thread waits; and killing one web process with
SIGKILL during a chat loses no acknowledged line and shows none twice.

The thread counts are scaled down (12 threads, 4 for pages) so the test is quick; the
arithmetic is gunicorn.conf.py's own."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests

from app.channels.chat import presence
from app.extensions import db
from app.models import utcnow
from app.outbox import commit
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
VENV_BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery"
ALL_DAY = {day: "00:00-23:59" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CSRF = re.compile(r'(?:name="csrf_token"[^>]*value|data-csrf)="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, env: dict, tmp_path: Path, name: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"{name}.log"
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT,
                env={**env, "BIND": f"127.0.0.1:{self.port}"}, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{name} did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the whole instance (master and worker), as a crashed host."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def servers(app, tmp_path):
    started: list[Server] = []
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST"))},
        "HELPCENTER_ENV": "production", "SECRET_KEY": "chat-server-test-secret",
        "DATABASE_URL": app.config["DATABASE_URL"], "SITE_URL": "http://127.0.0.1",
        "EXTRA_TRUSTED_HOSTS": "127.0.0.1,localhost", "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(tmp_path / "mail"), "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "RATELIMIT_ENABLED": "false", "PAGE_CACHE_ENABLED": "false",
        "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "12", "GUNICORN_PAGE_THREADS": "4",
        "HELPCENTER_SUPPORT_TIER1_HOURS": json.dumps(ALL_DAY),
        "HELPCENTER_CHAT_WAIT_SECONDS": "3",
        "HELPCENTER_CHAT_REDIS_URL": json.dumps("redis://127.0.0.1:6379/0"),
        "HELPCENTER_CHAT_REDIS_CHANNEL": json.dumps(f"test-chat-{uuid.uuid4().hex}"),
    }  # fmt: skip
    redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()

    def start(name: str) -> Server:
        server = Server(env, tmp_path, name)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.kill()


def agent_online(app, factory):
    agent = factory.user(role="agent_t1", display_name="Kim Agent", password=PASSWORD)
    with app.app_context():
        presence.set_presence(db.session.get(type(agent), agent.id), "online", utcnow())
        commit()
    return agent


def csrf_of(session: requests.Session, url: str) -> str:
    return CSRF.search(session.get(url, timeout=10).text).group(1)


def guest_chat(host: str, question: str = "Reminders stopped"):
    person = requests.Session()
    token = csrf_of(person, f"{host}/chat/")
    person.headers["X-CSRFToken"] = token
    answer = person.post(f"{host}/chat/start", json={
        "question": question, "email": "guest@example.org", "origin": "widget",
        "client_id": "first",
    }, timeout=10)  # fmt: skip
    assert answer.status_code == 201, answer.text
    data = answer.json()
    person.headers["X-Chat-Secret"] = data["secret"]
    return person, data["conversation"]["id"]


def test_pages_are_served_while_every_chat_thread_waits(app, factory, servers):
    agent_online(app, factory)
    server = servers("web")
    person, cid = guest_chat(server.url)
    answers: list[dict] = []

    def wait_for_news():
        reply = person.get(f"{server.url}/chat/c/{cid}/events?after=1", timeout=20)
        answers.append(reply.json())

    waiters = [threading.Thread(target=wait_for_news) for _ in range(10)]
    for waiter in waiters:
        waiter.start()
    time.sleep(1.0)  # 8 (12 threads - 4 for pages) now wait; the other 2 answered at once
    began = time.monotonic()
    for path in ("/", "/healthz", "/chat/status"):
        assert requests.get(f"{server.url}{path}", timeout=5).status_code == 200
    pages_took = time.monotonic() - began
    busy = [a for a in answers if a["retry_ms"] > 0]
    for waiter in waiters:
        waiter.join(10)
    assert pages_took < 2.0
    assert len(busy) == 2  # told to poll again later instead of taking a page thread
    assert sum(1 for a in answers if a["retry_ms"] == 0) == 8


class Side:
    """One side of the chat as chat.js behaves: resend by client id until acknowledged, ask
    for everything after the last sequence number, fail over to the other host."""

    def __init__(self, session, hosts, events_path, send_path):
        self.session, self.hosts = session, list(hosts)
        self.events_path, self.send_path = events_path, send_path
        self.last, self.shown, self.acked = 0, [], set()
        self.stop = threading.Event()

    def _call(self, method, path, **kwargs):
        while True:
            try:
                return self.session.request(method, self.hosts[0] + path, timeout=10, **kwargs)
            except requests.ConnectionError:
                self.hosts.append(self.hosts.pop(0))  # the load balancer's next host
                time.sleep(0.2)

    def send(self, body: str) -> None:
        client_id = uuid.uuid4().hex
        while True:
            reply = self._call("POST", self.send_path, json={"client_id": client_id, "body": body})
            if reply.status_code == 201:
                assert reply.json()["ack"]["client_id"] == client_id
                self.acked.add(client_id)
                return
            time.sleep(0.2)

    def follow(self) -> None:
        while not self.stop.is_set():
            reply = self._call("GET", f"{self.events_path}?after={self.last}")
            if reply.status_code != 200:
                time.sleep(0.2)
                continue
            for line in reply.json()["lines"]:
                if line["seq"] > self.last:  # shown once, in order
                    self.shown.append(line)
                    self.last = line["seq"]


def test_kill_9_of_a_web_process_loses_and_doubles_nothing(app, factory, servers):
    agent = agent_online(app, factory)
    first, second = servers("web-a"), servers("web-b")
    person, cid = guest_chat(first.url)
    staff = requests.Session()
    token = csrf_of(staff, f"{second.url}/account/login")
    form = {"email": agent.email, "password": PASSWORD, "csrf_token": token}
    login = staff.post(f"{second.url}/account/login", data=form, timeout=10, allow_redirects=False)
    assert login.status_code == 302
    staff.headers["X-CSRFToken"] = csrf_of(staff, f"{second.url}/chat/console")
    assert staff.post(f"{second.url}/chat/console/c/{cid}/accept", timeout=10).status_code == 200

    hosts = [first.url, second.url]
    customer = Side(person, hosts, f"/chat/c/{cid}/events", f"/chat/c/{cid}/messages")
    # Both sides read through the host that will die, and fail over.
    console = Side(staff, hosts, f"/chat/console/c/{cid}/events",
                   f"/chat/console/c/{cid}/messages")  # fmt: skip
    followers = [threading.Thread(target=side.follow) for side in (customer, console)]
    for follower in followers:
        follower.start()
    for number in range(12):
        if number == 6:
            first.kill()
        customer.send(f"customer line {number}")
        console.send(f"agent line {number}")
    acked = customer.acked | console.acked
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if all(acked <= {line["client_id"] for line in side.shown} for side in (customer, console)):
            break
        time.sleep(0.2)
    for side in (customer, console):
        side.stop.set()
    for follower in followers:
        follower.join(15)
    assert len(acked) == 24
    for side in (customer, console):
        ids = [line["client_id"] for line in side.shown if line["client_id"] in acked]
        assert sorted(ids) == sorted(acked)  # every acknowledged line, each exactly once
        seqs = [line["seq"] for line in side.shown]
        assert seqs == list(range(1, len(seqs) + 1))  # in order, no gap, no repeat
