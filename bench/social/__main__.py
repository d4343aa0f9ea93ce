"""``python -m bench.social [--deliveries N]``

Times the social webhook endpoint per delivery through the WSGI app (Flask's test client, no
network) on a migrated temporary SQLite database: new signed direct messages (each opens a
ticket through the ticket services), replays of the same deliveries (dedupe only), unsigned
deliveries (refused before parsing), and, as the reference in the same run, ``GET /healthz``.
Prints medians and 95th percentiles in milliseconds, and each median as a ratio of the
reference's.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from flask_migrate import upgrade

from app import create_app
from app.accounts.models import User
from app.accounts.services import add_user
from app.channels.social.services import connect_account
from app.extensions import db
from app.outbox import commit

SECRET = "bench-meta-secret"
PAGE = "1100220033"


def _delivery(number: int) -> bytes:
    message = {
        "sender": {"id": f"7{number:06d}"}, "recipient": {"id": PAGE}, "timestamp": 1,
        "message": {"mid": f"m_bench_{number}", "text": f"Reminders stopped ({number})"},
    }  # fmt: skip
    return json.dumps({"object": "page", "entry": [{"id": PAGE, "messaging": [message]}]}).encode()


def _timed(call, count: int) -> list[float]:
    times = []
    for number in range(count):
        start = time.perf_counter()
        call(number)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _summary(name: str, times: list[float], reference: float) -> str:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    return f"{name:<28} median {median:7.2f} ms   p95 {p95:7.2f} ms   x{median / reference:5.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-social-"))
    app = create_app({
        "HELPCENTER_ENV": "testing", "SECRET_KEY": "bench", "TESTING": True,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(folder / "mail"), "SEARCH_INDEX_DIR": str(folder / "search"),
        "SEARCH_BACKGROUND_INDEXER": False, "RATELIMIT_ENABLED": False,
        "SOCIAL_TOKEN_KEYS": [Fernet.generate_key().decode()], "SOCIAL_META_APP_SECRET": SECRET,
    })  # fmt: skip
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
        admin = add_user("admin@bench.example", "Admin", "!", now, "admin")
        connect_account(
            db.session.get(User, admin.id), "facebook", PAGE, "Page", "EAAGbenchtoken1", now
        )
        commit()
    client = app.test_client()
    bodies = [_delivery(n) for n in range(args.deliveries)]
    signatures = [
        "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest() for body in bodies
    ]

    def signed(number: int) -> None:
        answer = client.post(
            "/channels/social/webhooks/meta", data=bodies[number],
            headers={"X-Hub-Signature-256": signatures[number]},
        )  # fmt: skip
        assert answer.status_code == 200, answer.data

    def unsigned(number: int) -> None:
        answer = client.post("/channels/social/webhooks/meta", data=bodies[number])
        assert answer.status_code == 403

    def health(number: int) -> None:
        assert client.get("/healthz").status_code == 200

    reference = _timed(health, args.deliveries)
    new = _timed(signed, args.deliveries)
    replayed = _timed(signed, args.deliveries)
    refused = _timed(unsigned, args.deliveries)
    base = statistics.median(reference)
    print(f"{args.deliveries} deliveries each, load average {os.getloadavg()[0]:.1f}")
    print(_summary("GET /healthz (reference)", reference, base))
    print(_summary("new DM -> ticket", new, base))
    print(_summary("replayed DM (duplicate)", replayed, base))
    print(_summary("unsigned (403)", refused, base))


if __name__ == "__main__":
    main()
