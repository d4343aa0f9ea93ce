"""The one visibility rule, for each role, everywhere: thread lists, category counts, the
thread page, profiles, the search text and the look-ups other packages use."""

from __future__ import annotations

import re

import pytest

from app.extensions import db

ROLES = ("anonymous", "author", "other", "moderator")
#: Post state of the reply -> who sees it.
REPLY_CASES = {
    "published": {"anonymous", "author", "other", "moderator"},
    "pending": {"author", "moderator"},
    "hidden": {"author", "moderator"},
    "deleted": {"moderator"},
    "rejected": {"moderator"},
}


@pytest.fixture
def people(factory):
    return {
        "author": factory.user(),
        "other": factory.user(),
        "moderator": factory.user("moderator"),
    }


def _set_status(app, post_id, status):
    from app.forum.models import ForumPost
    from app.outbox import commit

    with app.app_context():
        post = db.session.get(ForumPost, post_id)
        post.status = status
        if post.is_opening:
            post.thread.status = status
        commit()


def _view(client, auth, people, role, url):
    if role != "anonymous":
        auth.login(people[role])
    try:
        return client.get(url)
    finally:
        if role != "anonymous":
            auth.logout()


@pytest.mark.parametrize("status", list(REPLY_CASES))
def test_reply_visibility_everywhere(app, client, auth, forum, people, status):
    from app.forum import queries, services

    starter = people["moderator"]
    thread_id = forum.thread(starter, title="Visible thread", body="Question text")
    reply_id = forum.reply(thread_id, people["author"], "SECRET-REPLY")
    _set_status(app, reply_id, status)
    for role in ROLES:
        expected = role in REPLY_CASES[status]
        page = _view(client, auth, people, role, f"/community/t/{thread_id}").get_data(as_text=True)
        assert ("SECRET-REPLY" in page) is expected, (role, status)
        listing = _view(client, auth, people, role, "/community/").get_data(as_text=True)
        assert ("1 reply" in listing) is expected, (role, status)
        profile = _view(client, auth, people, role, f"/community/users/{people['author'].id}")
        count = re.search(r'id="profile-posts">(\d+)<', profile.get_data(as_text=True)).group(1)
        assert count == ("1" if expected else "0"), (role, status)
    with app.app_context():
        thread = services.get_thread(thread_id)
        assert ("SECRET-REPLY" in services.thread_search_text(thread)) is (status == "published")
        assert queries.reply_counts(None, [thread_id]).get(thread_id, 0) == (
            1 if status == "published" else 0
        )


THREAD_CASES = {
    "published": {"anonymous", "author", "other", "moderator"},
    "pending": {"author", "moderator"},
    "hidden": {"author", "moderator"},
    "deleted": {"moderator"},
}


@pytest.mark.parametrize("status", list(THREAD_CASES))
def test_thread_visibility_everywhere(app, client, auth, forum, people, status):
    from app.accounts.models import User
    from app.forum import services

    thread_id = forum.thread(people["moderator"], title="SECRET-TITLE", body="Body")
    with app.app_context():
        from app.forum.models import ForumThread
        from app.outbox import commit

        # The author of record is the member (a moderator created it so it was published).
        thread = db.session.get(ForumThread, thread_id)
        thread.author_id = people["author"].id
        for post in thread.posts:
            post.author_id = people["author"].id
        commit()
    _set_status(app, forum.opening(thread_id), status)
    for role in ROLES:
        expected = role in THREAD_CASES[status]
        response = _view(client, auth, people, role, f"/community/t/{thread_id}")
        assert (response.status_code == 200) is expected, (role, status)
        listing = _view(client, auth, people, role, "/community/c/general").get_data(as_text=True)
        assert ("SECRET-TITLE" in listing) is expected, (role, status)
        front = _view(client, auth, people, role, "/community/").get_data(as_text=True)
        assert ("1 thread<" in front) is expected, (role, status)
        with app.app_context():
            viewer = None if role == "anonymous" else db.session.get(User, people[role].id)
            assert (services.visible_thread_for(viewer, thread_id) is not None) is expected
    with app.app_context():
        thread = services.get_thread(thread_id)
        assert services.is_thread_public(thread) is (status == "published")
        assert (services.thread_search_text(thread) != "") is (status == "published")
