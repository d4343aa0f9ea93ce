"""The benchmark's forum threads as real database rows, for timing ``flask search rebuild``.

The index-build figure of the benchmark feeds generated documents straight to the backend;
this one measures the whole rebuild as an operator runs it: reading the forum's threads and
posts from the database in batches, turning post HTML into text, and indexing. The rows are
bulk-inserted (one opening post per thread, as in the generated corpus) with the forum's own
tables, seeded categories and the account service for the author.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from sqlalchemy import insert, select

from bench.search.corpus import corpus

BATCH = 2000


def insert_forum_threads(count: int) -> int:
    """Insert ``count`` published threads with their opening post; returns how many."""
    from app.accounts import services as accounts
    from app.extensions import db
    from app.forum.models import ForumCategory, ForumPost, ForumThread
    from app.forum.screening import body_hash
    from app.forum.services import slugify

    now = datetime.now(UTC)
    author = accounts.create_user("bench-author@example.com", "Bench author", "x" * 12, now)
    db.session.flush()
    category_id = db.session.scalar(select(ForumCategory.id).order_by(ForumCategory.id))
    documents = (d for d in corpus(count, 0) if d.type == "forum_thread")
    inserted = 0
    while True:
        batch = [d for _, d in zip(range(BATCH), documents, strict=False)]
        if not batch:
            break
        first = inserted + 1
        db.session.execute(
            insert(ForumThread),
            [
                {
                    "id": first + i, "title": d.title, "slug": slugify(d.title),
                    "category_id": category_id, "author_id": author.id, "created_at": d.date,
                    "last_activity_at": d.date, "is_locked": False, "is_pinned": False,
                    "status": "published",
                }
                for i, d in enumerate(batch)
            ],
        )  # fmt: skip
        db.session.execute(
            insert(ForumPost),
            [
                {
                    "thread_id": first + i, "author_id": author.id, "is_opening": True,
                    "is_staff_reply": False, "body": d.body,
                    "body_html": f"<p>{html.escape(d.body)}</p>", "body_hash": body_hash(d.body),
                    "status": "published", "created_at": d.date, "like_count": 0,
                    "moderation_note": "",
                }
                for i, d in enumerate(batch)
            ],
        )  # fmt: skip
        inserted += len(batch)
    db.session.commit()
    return inserted
