"""The migration that makes follows unique first removes the duplicates racing requests left,
keeping the oldest follow of each person and thread or category (SQLite; a fresh database)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.conftest import ROOT


def test_migration_keeps_one_follow_per_person_and_thread(app, factory, forum):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the migration itself is plain SQL; one database is enough to run it here")
    member = factory.user()
    thread_id = forum.thread(factory.user("moderator"))
    directory = str(ROOT / "migrations")
    with app.app_context():
        # Back to the parent of forum_trust_and_races, where duplicates could still exist.
        downgrade(directory=directory, revision="kb_vote_daily_key")
        rows = [
            {"user_id": member.id, "thread_id": thread_id, "category_id": None},
            {"user_id": member.id, "thread_id": thread_id, "category_id": None},
            {"user_id": member.id, "thread_id": None, "category_id": 1},
            {"user_id": member.id, "thread_id": None, "category_id": 1},
        ]
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM forum_subscription"))
            for row in rows:
                connection.execute(
                    sa.text(
                        "INSERT INTO forum_subscription (user_id, thread_id, category_id, "
                        "created_at) VALUES (:user_id, :thread_id, :category_id, "
                        "'2026-11-24 10:00:00.000000')"
                    ),
                    row,
                )
            oldest = (
                connection.execute(sa.text("SELECT id FROM forum_subscription ORDER BY id"))
                .scalars()
                .all()[::2]
            )
        upgrade(directory=directory, revision="head")
        with db.engine.connect() as connection:
            left = connection.execute(
                sa.text("SELECT id, thread_id, category_id FROM forum_subscription ORDER BY id")
            ).all()
    assert [(row.thread_id, row.category_id) for row in left] == [(thread_id, None), (None, 1)]
    assert [row.id for row in left] == oldest
