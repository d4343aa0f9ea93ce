"""A split never leaves a thread nobody can act on: the new thread opens with the first
published reply it gets, and a thread that is not public is either pending with its opening
post in the review queue or plainly hidden/deleted like its opening post."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db


def _split(app, thread_id, post_ids, now):
    from app.accounts.models import User
    from app.forum import services, thread_actions
    from app.outbox import commit

    with app.app_context():
        moderator = db.session.scalar(select(User).where(User.role == "moderator"))
        new = thread_actions.split_thread(
            services.get_thread(thread_id), post_ids, "Split off", moderator, "", now
        )
        new_id = new.id
        commit()
    return new_id


def _set_status(app, post_id, status):
    from app.forum.models import ForumPost

    with app.app_context():
        db.session.get(ForumPost, post_id).status = status
        db.session.commit()


@pytest.mark.parametrize("first_state", ["hidden", "deleted", "rejected", "pending"])
def test_split_opens_with_the_first_published_reply(app, factory, forum, now, first_state):
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator)
    first = forum.reply(thread_id, moderator, "First reply")
    second = forum.reply(thread_id, moderator, "Second reply")
    _set_status(app, first, first_state)
    new_id = _split(app, thread_id, [first, second], now)
    assert forum.get_thread(new_id).status == "published"
    assert forum.opening(new_id) == second
    assert forum.post(first).status == first_state


@pytest.mark.parametrize(
    ("state", "thread_state"),
    [("hidden", "hidden"), ("deleted", "deleted"), ("rejected", "deleted"), ("pending", "pending")],
)
def test_split_of_replies_none_published(app, factory, forum, now, state, thread_state):
    """Nothing public to open with: the thread takes its opening post's state, and a pending
    one is in the review queue, where approving the post publishes the thread."""
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator)
    only = forum.reply(thread_id, moderator, "Only reply")
    _set_status(app, only, state)  # no review item: e.g. restored to pending by hand
    new_id = _split(app, thread_id, [only], now)
    assert forum.get_thread(new_id).status == thread_state
    open_items = [item for item in forum.queue_items() if item[1] == only and item[3] is None]
    assert len(open_items) == (1 if state == "pending" else 0)
