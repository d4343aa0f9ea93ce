"""``python -m bench.email [--messages N] [--runs R]``

Against a real Dovecot (started as in the tests) and a migrated SQLite database in a temporary
folder, times the three figures of issue 16, each next to a reference measured in the same run:

1. ``flask mail fetch`` over a mailbox of N messages of about 20 KB (target >= 50 messages/s),
   against only fetching the same messages over IMAP without importing them;
2. one ``scripts/mail-receive`` (the MTA's pipe: spools the message) from start to exit,
   median of R (target < 1 s), against ``flask mail receive`` (starts the application and
   imports at once); then ``flask mail drain`` imports the spooled messages;
3. with ``flask mail fetch --idle`` running, the delay from IMAP delivery (APPEND) to the ticket
   in the database, median of R (target < 5 s).
"""

from __future__ import annotations

import argparse
import imaplib
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from tests.channels.email.conftest import PASSWORD, running_dovecot

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
RECEIVE = str(ROOT / "scripts" / "mail-receive")


def message(number: int, size: int = 20_000) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Requester {number} <requester{number % 200}@example.org>"
    mail["To"] = "support@growgrebuddy.com"
    mail["Subject"] = f"Watering reminders stopped ({number})"
    mail["Message-ID"] = f"<bench-{number}-{time.time_ns()}@example.org>"
    paragraph = "Since the update my basil reminders do not arrive any more. " * 10
    mail.set_content((paragraph + "\n\n") * (size // (len(paragraph) + 2)))
    return bytes(mail)


def environment(folder: Path, database: Path, port: int) -> dict:
    env = dict(os.environ)
    env.update({
        "FLASK_APP": "wsgi", "HELPCENTER_ENV": "testing", "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{database}", "SITE_URL": "http://127.0.0.1:5000",
        "HELPCENTER_MAIL_BACKEND": "file", "HELPCENTER_MAIL_FILE_DIR": str(folder / "mail"),
        "HELPCENTER_SEARCH_INDEX_DIR": str(folder / "search"),
        "HELPCENTER_EMAIL_RAW_DIR": str(folder / "raw"),
        "HELPCENTER_EMAIL_SPOOL_DIR": str(folder / "spool"),
        "HELPCENTER_EMAIL_IMAP_HOST": "127.0.0.1", "HELPCENTER_EMAIL_IMAP_PORT": str(port),
        "HELPCENTER_EMAIL_IMAP_SECURITY": "none", "HELPCENTER_EMAIL_IMAP_USERNAME": "support",
        "HELPCENTER_EMAIL_IMAP_PASSWORD": PASSWORD,
        "HELPCENTER_EMAIL_SENDER_MAX_PER_HOUR": "100000",
    })  # fmt: skip
    return env


def migrate(database: Path, env: dict) -> None:
    config = {
        "HELPCENTER_ENV": "testing",
        "SECRET_KEY": "bench",
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{database}",
        "SITE_URL": "http://127.0.0.1:5000",
    }
    app = create_app(config)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")


def tickets(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("select count(*) from ticket").fetchone()[0]


def fill(server, count: int) -> None:
    client = server.client("support")
    try:
        for number in range(count):
            client.append("INBOX", None, None, message(number))
    finally:
        client.logout()


def plain_fetch_seconds(server) -> float:
    client = server.client("support")
    try:
        start = time.perf_counter()
        _, data = client.uid("SEARCH", None, "ALL")
        uids = data[0].split()
        for first in range(0, len(uids), 50):
            client.uid("FETCH", b",".join(uids[first : first + 50]), "(UID BODY.PEEK[])")
        return time.perf_counter() - start
    finally:
        client.logout()


def timed(command: list[str], env: dict, stdin: bytes = b"") -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, input=stdin, env=env, capture_output=True, cwd=ROOT, check=False)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as scratch, running_dovecot() as server:
        folder = Path(scratch)
        database = folder / "bench.db"
        env = environment(folder, database, server.port)
        migrate(database, env)

        fill(server, options.messages)
        reference = plain_fetch_seconds(server)
        elapsed, code = timed([FLASK, "mail", "fetch"], env)
        imported = tickets(database)
        print(
            f"fetch: {imported} of {options.messages} imported in {elapsed:.1f} s = "
            f"{imported / elapsed:.1f} messages/s (target >= 50); IMAP fetch alone "
            f"{reference:.2f} s ({options.messages / reference:.0f} messages/s), exit {code}"
        )

        receive, in_app = [], []
        before = tickets(database)
        for run in range(options.runs):
            seconds, code = timed([sys.executable, RECEIVE], env, message(100_000 + run))
            assert code == 0, code
            receive.append(seconds)
            seconds, code = timed([FLASK, "mail", "receive"], env, message(150_000 + run))
            assert code == 0, code
            in_app.append(seconds)
        drained, code = timed([FLASK, "mail", "drain"], env)
        assert tickets(database) - before == 2 * options.runs, "spooled mail not imported"
        print(f"receive: scripts/mail-receive median {statistics.median(receive):.3f} s "
              f"(target < 1 s); flask mail receive {statistics.median(in_app):.2f} s; "
              f"flask mail drain of {options.runs} spooled {drained:.2f} s")  # fmt: skip

        idle = subprocess.Popen([FLASK, "mail", "fetch", "--idle"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            time.sleep(5)  # started and waiting in IDLE
            delays = []
            for run in range(options.runs):
                before = tickets(database)
                raw = message(200_000 + run)
                client = server.client("support")
                start = time.perf_counter()
                client.append("INBOX", None, None, raw)
                client.logout()
                while tickets(database) == before and time.perf_counter() - start < 30:
                    time.sleep(0.02)
                delays.append(time.perf_counter() - start)
                time.sleep(0.5)
            print(f"IDLE: delivery to ticket median {statistics.median(delays):.2f} s, "
                  f"max {max(delays):.2f} s (target < 5 s)")  # fmt: skip
        finally:
            idle.terminate()
            idle.wait(10)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    imaplib.Debug = 0
    main()
