"""Flagged posts in the review queue: agree (hide), disagree (keep, and the flaggers' record
counts it) or ignore, instead of the actions for new members' posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db

#: Level 1 after a day: flaggers strong enough to hide a post automatically.
LEVELS = [
    {"level": 1, "name": "Basic", "min_days": 1, "min_posts_read": 0, "min_posts": 0,
     "min_likes_received": 0},
]  # fmt: skip


@pytest.fixture
def app_config():
    # Two established flaggers hide a post automatically; one does not.
    return {"FORUM_TRUST_LEVELS": LEVELS, "FORUM_PREMODERATE_POSTS": 0,
            "FORUM_FLAG_HIDE_WEIGHT": 2.5}  # fmt: skip


def _flagged(app, factory, forum, now, count=1):
    from app.accounts.models import User
    from app.forum import moderation, services
    from app.outbox import commit

    author = factory.user(created_at=now - timedelta(days=30))
    post_id = forum.opening(forum.thread(author, body="Buy cheap seeds at my shop"))
    flaggers = [factory.user(created_at=now - timedelta(days=30)) for _ in range(count)]
    with app.app_context():
        for flagger in flaggers:
            moderation.flag_post(
                services.get_post(post_id), db.session.get(User, flagger.id), "spam", "", now
            )
        commit()
    item_id = next(item[0] for item in forum.queue_items() if item[1] == post_id)
    return post_id, item_id, flaggers


def _outcomes(app, post_id):
    from app.forum.models import ForumFlag

    with app.app_context():
        query = select(ForumFlag.outcome).where(ForumFlag.post_id == post_id)
        return set(db.session.scalars(query))


def _record(app, user):
    from app.accounts.models import User
    from app.forum import trust

    with app.app_context():
        return trust.flag_track_record(db.session.get(User, user.id))


def test_flagged_item_offers_agree_disagree_ignore(client, auth, factory, forum, app, now):
    _, item_id, _ = _flagged(app, factory, forum, now)
    auth.login(factory.user("moderator"))
    client.post(f"/community/moderation/queue/{item_id}", data={"action": "claim"})
    page = client.get(f"/community/moderation/queue/{item_id}").get_data(as_text=True)
    for button in ('value="agree"', 'value="disagree"', 'value="ignore"'):
        assert button in page
    for new_post_action in ('id="approve-item"', 'id="edit-item"', 'id="reject-item"'):
        assert new_post_action not in page


def test_new_members_post_keeps_its_own_actions(client, auth, factory, forum, app):
    app.config["FORUM_PREMODERATE_POSTS"] = 1
    forum.thread(factory.user())
    item_id = forum.queue_items()[-1][0]
    auth.login(factory.user("moderator"))
    client.post(f"/community/moderation/queue/{item_id}", data={"action": "claim"})
    page = client.get(f"/community/moderation/queue/{item_id}").get_data(as_text=True)
    assert 'id="approve-item"' in page and 'value="disagree"' not in page
    refused = client.post(f"/community/moderation/queue/{item_id}", data={"action": "disagree"})
    assert refused.status_code in (409, 422)
    assert "only for flagged posts" in refused.get_data(as_text=True)
    assert forum.queue_items()[-1][3] is None


@pytest.mark.parametrize(
    ("action", "status", "outcome", "record", "flash"),
    [
        ("agree", "hidden", "upheld", (1, 0), "Flags upheld: the post is hidden."),
        ("disagree", "published", "dismissed", (0, 1), "Flags dismissed: the post stays"),
        ("ignore", "published", "ignored", (0, 0), "Flags ignored: the post stays as it is"),
    ],
)
def test_flag_decisions(client, auth, factory, forum, app, now, action, status, outcome,
                        record, flash):  # fmt: skip
    post_id, item_id, [flagger] = _flagged(app, factory, forum, now)
    auth.login(factory.user("moderator"))
    client.post(f"/community/moderation/queue/{item_id}", data={"action": "claim"})
    response = client.post(
        f"/community/moderation/queue/{item_id}",
        data={"action": action, "reason": "checked"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and flash in response.get_data(as_text=True)
    assert forum.post(post_id).status == status
    assert _outcomes(app, post_id) == {outcome}
    assert _record(app, flagger) == record
    assert next(item for item in forum.queue_items() if item[0] == item_id)[3] == action


def test_disagree_restores_a_post_hidden_automatically(client, auth, factory, forum, app, now):
    post_id, item_id, _ = _flagged(app, factory, forum, now, count=2)
    assert forum.post(post_id).status == "hidden"
    auth.login(factory.user("moderator"))
    client.post(f"/community/moderation/queue/{item_id}", data={"action": "claim"})
    client.post(f"/community/moderation/queue/{item_id}", data={"action": "disagree"})
    assert forum.post(post_id).status == "published"
