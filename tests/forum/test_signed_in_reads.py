"""What a signed-in member's view of a thread costs: a fixed number of statements (no reload of
each post after the read mark's commit), and no write at all when they read it before; new
replies are still counted once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.forum.models import ForumUserState

#: Thread, session with its user, posts, their count, the reader's likes, following, read mark.
STATEMENTS_OF_A_REREAD = 7


@pytest.fixture
def app_config():
    # As in production: with the page cache on, the incident banner is kept per content version
    # (no statement per page); signed-in pages are never cached whole either way.
    return {"FORUM_POSTS_PER_PAGE": 20, "PAGE_CACHE_ENABLED": True}


@pytest.fixture
def view(sql_statements):
    """The SQL statements a page cost its client."""

    def get(client, path: str) -> list[str]:
        with sql_statements() as seen:
            assert client.get(path).status_code == 200
        return seen

    return get


def _posts_read(app, user) -> int:
    with app.app_context():
        return db.session.scalar(
            select(ForumUserState.posts_read).where(ForumUserState.user_id == user.id)
        )


def test_rereading_a_thread_writes_nothing_and_costs_a_fixed_number_of_statements(
    app, client, auth, factory, forum, view
):
    author = factory.user("moderator")
    thread_id = forum.thread(author)
    for _ in range(12):
        forum.reply(thread_id, author)
    member = factory.user()
    auth.login(member)
    path = f"/community/t/{thread_id}"
    first = view(client, path)
    assert any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in first)
    assert _posts_read(app, member) == 13

    again = view(client, path)
    writes = [s for s in again if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert len(again) == STATEMENTS_OF_A_REREAD, again
    assert _posts_read(app, member) == 13

    forum.reply(thread_id, author)  # one new reply: counted once
    view(client, path)
    view(client, path)
    assert _posts_read(app, member) == 14
