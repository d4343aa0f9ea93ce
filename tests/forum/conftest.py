"""Forum test helpers: make threads and replies through the real services, read rows back."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.outbox import commit


class ForumHelper:
    """Threads and replies through the shared factory; rows of the forum read back."""

    def __init__(self, app, factory):
        self.app = app
        self.factory = factory

    def thread(self, author, title="Tomatoes wilting", body=None, *,
               category="general", now=None) -> int:  # fmt: skip
        return self.factory.thread(author, title, body, category=category, now=now)

    def reply(self, thread_id, author, body=None, *, now=None) -> int:
        return self.factory.reply(thread_id, author, body, now=now)

    def post(self, post_id):
        from app.forum.models import ForumPost

        with self.app.app_context():
            post = db.session.get(ForumPost, post_id)
            db.session.expunge(post)
            return post

    def get_thread(self, thread_id):
        from app.forum.models import ForumThread

        with self.app.app_context():
            thread = db.session.get(ForumThread, thread_id)
            db.session.expunge(thread)
            return thread

    def opening(self, thread_id) -> int:
        from app.forum import services

        with self.app.app_context():
            return services.opening_post(services.get_thread(thread_id)).id

    def queue_items(self):
        from sqlalchemy import select

        from app.forum.models import ForumReviewItem

        with self.app.app_context():
            return [
                (item.id, item.post_id, item.reason, item.outcome)
                for item in db.session.scalars(select(ForumReviewItem).order_by(ForumReviewItem.id))
            ]

    def log_actions(self):
        from sqlalchemy import select

        from app.forum.models import ForumModerationLog

        with self.app.app_context():
            return [
                (entry.action, entry.target_type, entry.target_id, entry.reason)
                for entry in db.session.scalars(
                    select(ForumModerationLog).order_by(ForumModerationLog.id)
                )
            ]

    def search_events(self):
        from sqlalchemy import select

        from app.outbox import OutboxEvent

        with self.app.app_context():
            return [
                event.payload
                for event in db.session.scalars(
                    select(OutboxEvent).where(OutboxEvent.kind == "search").order_by(OutboxEvent.id)
                )
            ]


@pytest.fixture(autouse=True)
def _categories(app):
    """The migration seeds the categories, but on PostgreSQL the shared fixture empties every
    table before each test; seeding again (idempotent, the same code as
    ``flask forum seed-categories``) puts them back. On SQLite this creates nothing."""
    from app.forum.cli import seed_categories

    with app.app_context():
        seed_categories()
        commit()


@pytest.fixture
def forum(app, factory) -> ForumHelper:
    return ForumHelper(app, factory)
