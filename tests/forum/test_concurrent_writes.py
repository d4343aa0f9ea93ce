"""Writes that race: the same person clicking twice (or from two tabs) and many people at once.

Each request runs in its own thread with its own client, application context and database
session against the same database (SQLite file or PostgreSQL), released together by a barrier,
so the check-then-insert window is really shared. Every request must succeed and the rows
must come out the same as if the requests had run one after the other."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.extensions import db

ROUNDS = 4
WORKERS = 6


def _race(app, auth_user_pairs, method: str, url: str, data=None) -> list[int]:
    """Sign each client in, then send the same request from every thread at once."""
    clients = []
    for user in auth_user_pairs:
        client = app.test_client()
        response = client.post(
            "/account/login", data={"email": user.email, "password": "correct horse battery"}
        )
        assert response.status_code == 302
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)

    def run(index: int, client) -> None:
        barrier.wait()
        statuses[index] = client.open(url, method=method, data=data).status_code

    threads = [
        threading.Thread(target=run, args=(index, client)) for index, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def _scalar(app, query):
    with app.app_context():
        return db.session.scalar(query)


def test_one_member_liking_from_several_tabs_at_once(app, factory, forum):
    from app.forum.models import ForumLike, ForumPost

    member = factory.user()
    author = factory.user("moderator")
    for _ in range(ROUNDS):
        post_id = forum.opening(forum.thread(author))
        statuses = _race(app, [member] * WORKERS, "POST", f"/community/posts/{post_id}/like")
        assert statuses == [302] * WORKERS
        likes = _scalar(app, select(func.count(ForumLike.id)).where(ForumLike.post_id == post_id))
        assert likes in (0, 1)
        assert _scalar(app, select(ForumPost.like_count).where(ForumPost.id == post_id)) == likes


def test_many_members_liking_at_once_count_every_like(app, factory, forum):
    from app.forum.models import ForumLike, ForumPost

    author = factory.user("moderator")
    members = [factory.user() for _ in range(WORKERS)]
    for _ in range(ROUNDS):
        post_id = forum.opening(forum.thread(author))
        statuses = _race(app, members, "POST", f"/community/posts/{post_id}/like")
        assert statuses == [302] * WORKERS
        likes = _scalar(app, select(func.count(ForumLike.id)).where(ForumLike.post_id == post_id))
        assert likes == WORKERS
        assert _scalar(app, select(ForumPost.like_count).where(ForumPost.id == post_id)) == WORKERS


def test_flagging_twice_at_once_keeps_one_flag(app, factory, forum):
    from app.forum.models import ForumFlag, ForumReviewItem

    member = factory.user()
    author = factory.user("moderator")
    for _ in range(ROUNDS):
        post_id = forum.opening(forum.thread(author))
        statuses = _race(
            app,
            [member] * WORKERS,
            "POST",
            f"/community/posts/{post_id}/flag",
            {"reason": "spam"},
        )
        # One flag is taken; the others are told it is flagged already (no error page).
        assert sorted(statuses) == [302] + [422] * (WORKERS - 1)
        flags = _scalar(app, select(func.count(ForumFlag.id)).where(ForumFlag.post_id == post_id))
        assert flags == 1
        items = select(func.count(ForumReviewItem.id)).where(ForumReviewItem.post_id == post_id)
        assert _scalar(app, items) == 1


def test_many_members_flagging_at_once_share_one_review_item(app, factory, forum):
    from app.forum.models import ForumFlag, ForumReviewItem

    author = factory.user("moderator")
    members = [factory.user() for _ in range(WORKERS)]
    for _ in range(ROUNDS):
        post_id = forum.opening(forum.thread(author))
        statuses = _race(
            app,
            members,
            "POST",
            f"/community/posts/{post_id}/flag",
            {"reason": "spam"},
        )
        assert statuses == [302] * WORKERS
        flags = _scalar(app, select(func.count(ForumFlag.id)).where(ForumFlag.post_id == post_id))
        assert flags == WORKERS
        items = select(func.count(ForumReviewItem.id)).where(ForumReviewItem.post_id == post_id)
        assert _scalar(app, items) == 1


def test_following_from_several_tabs_at_once_then_stop_following_sticks(app, factory, forum):
    from app.forum.models import ForumSubscription

    member = factory.user()
    author = factory.user("moderator")
    for _ in range(ROUNDS):
        thread_id = forum.thread(author)
        category_slug = "general"
        statuses = _race(
            app,
            [member] * WORKERS,
            "POST",
            f"/community/t/{thread_id}/follow",
            {"follow": "1"},
        )
        assert statuses == [302] * WORKERS
        follows = select(func.count(ForumSubscription.id)).where(
            ForumSubscription.user_id == member.id, ForumSubscription.thread_id == thread_id
        )
        assert _scalar(app, follows) == 1
        statuses = _race(
            app,
            [member] * WORKERS,
            "POST",
            f"/community/t/{thread_id}/follow",
            {"follow": "0"},
        )
        assert statuses == [302] * WORKERS
        assert _scalar(app, follows) == 0
    statuses = _race(
        app,
        [member] * WORKERS,
        "POST",
        f"/community/c/{category_slug}/follow",
        {"follow": "1"},
    )
    assert statuses == [302] * WORKERS
    category_follows = select(func.count(ForumSubscription.id)).where(
        ForumSubscription.user_id == member.id, ForumSubscription.category_id.is_not(None)
    )
    assert _scalar(app, category_follows) == 1


def test_reading_a_thread_in_several_tabs_at_once(app, factory, forum):
    from app.forum.models import ForumReadMark, ForumUserState

    member = factory.user()
    author = factory.user("moderator")
    for round_number in range(ROUNDS):
        thread_id = forum.thread(author)
        statuses = _race(app, [member] * WORKERS, "GET", f"/community/t/{thread_id}")
        assert statuses == [200] * WORKERS
        marks = select(func.count(ForumReadMark.id)).where(
            ForumReadMark.user_id == member.id, ForumReadMark.thread_id == thread_id
        )
        assert _scalar(app, marks) == 1
        # Each post counts once however many tabs showed it.
        read = select(ForumUserState.posts_read).where(ForumUserState.user_id == member.id)
        assert _scalar(app, read) == round_number + 1
