"""For ``bench.incidents`` (run in the benchmark's environment): with ``--declare``, an open
outage with its banner, declared through the real service."""

import sys
from datetime import UTC, datetime

from app import create_app
from app.accounts import services as accounts
from app.forum.cli import seed_categories
from app.incidents import services
from app.outbox import commit


def main() -> None:
    app = create_app()
    with app.app_context():
        now = datetime.now(UTC)
        seed_categories()
        if "--declare" in sys.argv:
            lead = accounts.create_user(
                "bench-lead@example.com", "Bench Lead", "bench password only", now, role="agent_t2"
            )
            services.declare(
                lead, kind="outage", severity="critical", title="Plant sync is down",
                categories=["app"], screens=["sync"], affected_features="plant sync",
                workaround_url="https://help.example/articles/sync-by-hand", message="",
                detected_at=None, aware_at=None, is_drill=False, now=now,
            )  # fmt: skip
        commit()


if __name__ == "__main__":
    main()
