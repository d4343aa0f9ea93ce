"""Flags and automatic hiding: brand-new accounts can't hide a post, trust level 0 can't hide
alone, staff posts are never hidden automatically (they wait in the queue), and the numbers in
force are shown to moderators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db

#: Level 1 needs only a day since joining here, so a test can make flaggers of either level.
LEVELS = [
    {"level": 1, "name": "Basic", "min_days": 1, "min_posts_read": 0, "min_posts": 0,
     "min_likes_received": 0},
]  # fmt: skip


@pytest.fixture
def app_config():
    return {"FORUM_TRUST_LEVELS": LEVELS}


def _flag_all(app, forum, post_id, flaggers, now):
    from app.accounts.models import User
    from app.forum import moderation, services
    from app.outbox import commit

    with app.app_context():
        for flagger in flaggers:
            moderation.flag_post(
                services.get_post(post_id), db.session.get(User, flagger.id), "spam", "", now
            )
        commit()
    return forum.post(post_id)


def test_accounts_registered_seconds_earlier_cannot_hide_a_post(app, factory, forum, now):
    post_id = forum.reply(
        forum.thread(factory.user("moderator")),
        factory.user(created_at=now - timedelta(days=90)),
        "A fine answer",
    )
    flaggers = [factory.user(created_at=now - timedelta(seconds=30)) for _ in range(12)]
    post = _flag_all(app, forum, post_id, flaggers, now)
    assert post.status == "published"
    assert "auto_hide" not in [entry[0] for entry in forum.log_actions()]
    assert [item[2] for item in forum.queue_items() if item[1] == post_id] == ["flags"]


def test_new_accounts_flags_weigh_by_account_age(app, factory, forum, now):
    from app.forum.models import ForumFlag

    post_id = forum.opening(forum.thread(factory.user("moderator"), body="Some answer"))
    fresh = factory.user(created_at=now - timedelta(hours=1))
    settled = factory.user(created_at=now - timedelta(days=60))
    _flag_all(app, forum, post_id, [fresh, settled], now)
    with app.app_context():
        weights = dict(db.session.execute(select(ForumFlag.flagger_id, ForumFlag.weight)).all())
    assert weights[settled.id] == pytest.approx(1.5)  # level 1, no history, full age
    assert weights[fresh.id] < 0.1  # an hour old: a sliver of a level-0 flag


def test_trust_level_0_cannot_hide_alone(app, factory, forum, now):
    """Old enough, but still level 0 (the configured level 1 needs posts read): ten flags of
    full weight are not enough without one flagger of ``FORUM_FLAG_HIDE_MIN_LEVEL``."""
    from app.accounts.models import User
    from app.forum import trust
    from app.outbox import commit

    author = factory.user(created_at=now - timedelta(days=90))
    target = forum.reply(forum.thread(factory.user("moderator")), author, "Rude words")
    app.config["FORUM_TRUST_LEVELS"] = [{**LEVELS[0], "min_posts_read": 5}]
    level0 = [factory.user(created_at=now - timedelta(days=60)) for _ in range(10)]
    assert _flag_all(app, forum, target, level0, now).status == "published"
    member = factory.user(created_at=now - timedelta(days=60))
    with app.app_context():
        trust.state_for(db.session.get(User, member.id)).posts_read = 5
        commit()
    assert _flag_all(app, forum, target, [member], now).status == "hidden"
    assert "auto_hide" in [entry[0] for entry in forum.log_actions()]


def test_established_members_hide_a_post(app, factory, forum, now):
    target = forum.reply(
        forum.thread(factory.user("moderator")),
        factory.user(created_at=now - timedelta(days=90)),
        "Buy followers",
    )
    flaggers = [factory.user(created_at=now - timedelta(days=30)) for _ in range(4)]
    # 3 x 1.5 = 4.5 < 5: still published; the fourth reaches 6.
    assert _flag_all(app, forum, target, flaggers[:3], now).status == "published"
    assert _flag_all(app, forum, target, flaggers[3:], now).status == "hidden"


@pytest.mark.parametrize("role", ["moderator", "agent_t1", "admin"])
def test_staff_posts_are_never_hidden_automatically(app, factory, forum, now, role):
    staff_post = forum.opening(forum.thread(factory.user(role), body="Official answer"))
    flaggers = [factory.user("moderator") for _ in range(2)]
    flaggers += [factory.user(created_at=now - timedelta(days=30)) for _ in range(6)]
    assert _flag_all(app, forum, staff_post, flaggers, now).status == "published"
    assert "auto_hide" not in [entry[0] for entry in forum.log_actions()]
    items = [item for item in forum.queue_items() if item[1] == staff_post]
    assert [(item[2], item[3]) for item in items] == [("flags", None)]


def test_help_page_shows_the_flag_numbers_in_force(app, client, auth, factory):
    app.config.update(
        FORUM_FLAG_HIDE_WEIGHT=6.5, FORUM_FLAG_FULL_WEIGHT_DAYS=11, FORUM_FLAG_HIDE_MIN_LEVEL=2
    )
    auth.login(factory.user("moderator"))
    page = client.get("/community/moderation/help").get_data(as_text=True)
    for key in (
        "FORUM_FLAG_HIDE_WEIGHT",
        "FORUM_FLAG_FULL_WEIGHT_DAYS",
        "FORUM_FLAG_HIDE_MIN_LEVEL",
    ):
        assert key in page
    assert "<strong>6.5</strong>" in page
    assert 'id="flag-full-weight-days">11<' in page
    assert 'id="flag-hide-min-level">2: ' in page
