"""Pages for ``bench.pages`` (run in the benchmark's environment): a moderator, a forum thread
with 20 posts and a wiki page; prints their URLs as JSON."""

import json
from datetime import UTC, datetime

from app import create_app
from app.accounts import services as accounts
from app.forum import services as forum
from app.forum.cli import seed_categories
from app.outbox import commit
from app.wiki import services as wiki

EMAIL = "bench-moderator@example.com"
PASSWORD = "bench password only"


def main() -> None:
    app = create_app()
    with app.app_context():
        now = datetime.now(UTC)
        seed_categories()
        author = accounts.create_user(EMAIL, "Bench Moderator", PASSWORD, now, role="moderator")
        thread = forum.create_thread(
            author, forum.category_by_slug("general"), "Tomato leaves curling at the edges",
            "My tomatoes' lower leaves curl up at the edges after a hot week. Watering?", now,
        )  # fmt: skip
        for number in range(19):
            forum.post_reply(
                thread, author, f"Reply {number}: water deeply in the morning, mulch the soil, "
                "and check the undersides of the leaves for mites.", now,
            )  # fmt: skip
        page = wiki.create_page(
            author, "Balcony tomatoes", "## Varieties\n\nCherry tomatoes suit pots of 20 litres "
            "or more.\n\n## Watering\n\nWater every morning in summer.", "First version", now,
        )  # fmt: skip
        commit()
        print(json.dumps({"thread": f"/community/t/{thread.id}",
                          "wiki": f"/wiki/{page.page.slug}"}))  # fmt: skip


if __name__ == "__main__":
    main()
