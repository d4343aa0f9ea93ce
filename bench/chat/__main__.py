"""Live chat under load: ``.venv/bin/python -m bench.chat`` (options below).

Two gunicorn instances with the production settings (gunicorn.conf.py: gthread, 192 threads,
32 kept for pages) share PostgreSQL and Redis. The run measures, side by side:
1. anonymous page requests per second (GET /) with no chat open (the reference);
2. the same while N chat connections wait (long-poll, half on each instance) and M messages a
   second are posted on one instance and delivered to a waiter on the other: delivery latency
   (post sent → line received) median and p99.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ALL_DAY = {day: "00:00-23:59" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CSRF = re.compile(r'data-csrf="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(url: str, conversations: int) -> list[tuple[int, str]]:
    """An online agent and ``conversations`` guest chats; returns (id, secret) pairs."""
    from app import create_app
    from app.accounts import services as accounts
    from app.channels.chat import presence, services
    from app.extensions import db
    from app.outbox import commit

    app = create_app({"DATABASE_URL": url, "HELPCENTER_ENV": "testing", "SECRET_KEY": "bench",
                      "SUPPORT_TIER1_HOURS": ALL_DAY, "MAIL_BACKEND": "file",
                      "MAIL_FILE_DIR": "/tmp/bench-chat-mail"})  # fmt: skip
    now = datetime.now(UTC)
    chats = []
    with app.app_context():
        agent = accounts.create_user(f"bench-{uuid.uuid4().hex[:6]}@example.com", "Bench Agent",
                                     "correct horse battery", now, role="agent_t1")  # fmt: skip
        presence.set_presence(agent, "online", now)
        commit()
        for number in range(conversations):
            conversation, secret = services.start(
                None, question=f"Bench question {number}", email=f"guest{number}@example.org",
                name="", origin="widget", client_id="first", now=now,
            )  # fmt: skip
            chats.append((conversation.id, secret))
            if number % 50 == 49:
                commit()
        commit()
        db.engine.dispose()
    return chats


def start_server(env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{port}"}, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")


def page_rate(hosts: list[str], seconds: float, clients: int) -> float:
    """Anonymous GET / per second over ``clients`` concurrent clients."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        session = requests.Session()
        host = hosts[index % len(hosts)]
        while time.monotonic() < stop:
            if session.get(f"{host}/", timeout=30).status_code == 200:
                done[index] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - began)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.chat")
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--page-clients", type=int, default=8)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL",
                        "postgresql://postgres@127.0.0.1:5432/postgres"))  # fmt: skip
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    name = f"bench_chat_{os.getpid()}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": url, "HELPCENTER_ENV": "production",
           "SECRET_KEY": "bench-chat", "SITE_URL": "http://127.0.0.1",
           "EXTRA_TRUSTED_HOSTS": "127.0.0.1", "RATELIMIT_ENABLED": "false",
           "MAIL_BACKEND": "file", "MAIL_FILE_DIR": "/tmp/bench-chat-mail",
           "SEARCH_INDEX_DIR": f"/tmp/{name}-index", "WEB_CONCURRENCY": "1",
           "HELPCENTER_SUPPORT_TIER1_HOURS": json.dumps(ALL_DAY),
           "HELPCENTER_CHAT_REDIS_URL": json.dumps("redis://127.0.0.1:6379/0"),
           "HELPCENTER_CHAT_REDIS_CHANNEL": json.dumps(f"{name}:chat")}  # fmt: skip
    processes = []
    try:
        migrated = subprocess.run([str(VENV_BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env,
                                  capture_output=True, text=True)  # fmt: skip
        if migrated.returncode:
            raise SystemExit(migrated.stderr[-2000:])
        chats = seed(url, args.connections)
        for index in range(2):
            processes.append(start_server(env, Path(f"/tmp/{name}-web{index}.log")))
        hosts = [url_ for _, url_ in processes]
        load_before = os.getloadavg()[0]
        reference = page_rate(hosts, args.seconds, args.page_clients)

        sent: dict[str, float] = {}
        latencies: list[float] = []
        stop = threading.Event()

        def wait_on(index: int, cid: int, secret: str) -> None:
            session = requests.Session()
            session.headers["X-Chat-Secret"] = secret
            host, after = hosts[index % 2], 1
            while not stop.is_set():
                try:
                    reply = session.get(f"{host}/chat/c/{cid}/events?after={after}", timeout=40)
                except requests.RequestException:
                    continue
                arrived = time.monotonic()
                for line in reply.json()["lines"]:
                    after = max(after, line["seq"])
                    if line["client_id"] in sent:
                        latencies.append(arrived - sent[line["client_id"]])

        waiters = [threading.Thread(target=wait_on, args=(i, cid, secret), daemon=True)
                   for i, (cid, secret) in enumerate(chats)]  # fmt: skip
        for waiter in waiters:
            waiter.start()
        time.sleep(3)  # every connection open and waiting

        posters = 8  # concurrent, like many people typing: one slow POST delays no other

        def post_messages(offset: int) -> None:
            session = requests.Session()
            token = CSRF.search(session.get(f"{hosts[0]}/chat/").text).group(1)
            session.headers["X-CSRFToken"] = token
            interval, number = posters / args.rate, offset
            next_at = time.monotonic() + offset / args.rate
            while not stop.is_set():
                time.sleep(max(0.0, next_at - time.monotonic()))
                index = number % len(chats)
                cid, secret = chats[index]
                client_id = uuid.uuid4().hex
                sent[client_id] = time.monotonic()
                # Posted on the other instance than the one the waiter is on: through Redis.
                session.post(f"{hosts[(index + 1) % 2]}/chat/c/{cid}/messages",
                             json={"client_id": client_id, "body": f"line {number}"},
                             headers={"X-Chat-Secret": secret}, timeout=30)  # fmt: skip
                number += posters
                next_at += interval

        for offset in range(posters):
            threading.Thread(target=post_messages, args=(offset,), daemon=True).start()
        loaded = page_rate(hosts, args.seconds, args.page_clients)
        load_during = os.getloadavg()[0]
        stop.set()
        time.sleep(1)
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
        print(f"connections {len(chats)}, messages sent {len(sent)}, delivered {len(latencies)}")
        print(f"delivery latency median {statistics.median(latencies) * 1000:.0f} ms, "
              f"p99 {p99 * 1000:.0f} ms (target < 500 ms)")  # fmt: skip
        print(f"pages/s without chat {reference:.1f}, with chat {loaded:.1f}, "
              f"ratio {loaded / reference:.0%} (target >= 70 %)")  # fmt: skip
        print(f"load average (1 min) before {load_before:.1f}, during {load_during:.1f}")
    finally:
        for process, _ in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process, _ in processes:
            process.wait(20)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
