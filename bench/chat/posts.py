"""The chat post path in one process: ``.venv/bin/python -m bench.chat.posts [--lines N]``.

A fresh SQLite database, one accepted guest chat, then N lines through the test client,
alternating a pair of person lines and an agent line (what a chat looks like). Prints the
median and 95th percentile time per line, the CPU time and the SQL statements per line, so
two versions of the code compare without servers (``farm-bench --vs`` against a checkout).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

ALL_DAY = {day: "00:00-23:59" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.chat.posts")
    parser.add_argument("--lines", type=int, default=300)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from app.accounts import services as accounts
    from app.extensions import db
    from app.models import utcnow
    from app.outbox import commit

    folder = Path(tempfile.mkdtemp(prefix="bench-chat-posts-"))
    app = create_app({
        "DATABASE_URL": f"sqlite:///{folder / 'chat.db'}", "HELPCENTER_ENV": "testing",
        "SECRET_KEY": "bench", "TESTING": True, "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False, "SUPPORT_TIER1_HOURS": ALL_DAY, "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(folder / "mail"), "SEARCH_INDEX_DIR": str(folder / "index"),
    })  # fmt: skip
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
        accounts.create_user("agent@example.com", "Ada Agent", "correct horse battery",
                             utcnow(), role="agent_t1")  # fmt: skip
        commit()
        engine = db.engine
    agent = app.test_client()
    agent.post("/account/login", data={"email": "agent@example.com",
                                       "password": "correct horse battery"})  # fmt: skip
    agent.post("/chat/console/presence", json={"status": "online"})
    person = app.test_client()
    cid = person.post("/chat/start", json={
        "question": "Reminders stopped", "email": "guest@example.org", "origin": "widget",
        "client_id": "q",
    }).get_json()["conversation"]["id"]  # fmt: skip
    agent.post(f"/chat/console/c/{cid}/accept")

    statements = [0]
    event.listen(
        engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1)
    )
    times = []
    cpu_began = time.process_time()
    for number in range(args.lines):
        client, url = (
            (agent, f"/chat/console/c/{cid}/messages") if number % 3 == 2
            else (person, f"/chat/c/{cid}/messages")
        )  # fmt: skip
        began = time.perf_counter()
        answer = client.post(url, json={"client_id": f"l{number}", "body": f"Line **{number}**"})
        times.append(time.perf_counter() - began)
        assert answer.status_code == 201, answer.get_data(as_text=True)
    cpu = (time.process_time() - cpu_began) / args.lines
    times.sort()
    print(f"lines {args.lines}: median {statistics.median(times) * 1000:.2f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms, CPU {cpu * 1000:.2f} ms, "
          f"{statements[0] / args.lines:.1f} statements a line")  # fmt: skip


if __name__ == "__main__":
    main()
