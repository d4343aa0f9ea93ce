"""Moderation: a new member's first post through the queue, claims, every queue action, flags
with weights and auto-hiding, thread actions with the audit log, spam checks, rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db


def _item_for(forum, post_id):
    return next(item for item in forum.queue_items() if item[1] == post_id)


def test_new_members_first_thread_goes_through_queue(client, auth, factory, forum, mailbox):
    newbie, moderator, other = factory.user(), factory.user("moderator"), factory.user()
    auth.login(newbie)
    response = client.post(
        "/community/new", data={"category": "general", "title": "Hello garden", "body": "Hi all"}
    )
    assert response.status_code == 302
    thread_url = response.headers["Location"]
    mine = client.get(thread_url).get_data(as_text=True)
    assert "Awaiting review" in mine and "waits for a moderator" in mine
    auth.logout()
    assert client.get(thread_url).status_code == 404
    assert "Hello garden" not in client.get("/community/").get_data(as_text=True)
    auth.login(other)
    assert client.get(thread_url).status_code == 404
    auth.logout()

    auth.login(moderator)
    queue = client.get("/community/moderation/queue").get_data(as_text=True)
    assert "Hello garden" in queue and "New member" in queue
    item_id = forum.queue_items()[0][0]
    # Acting without a claim first claims atomically; the page shows the claim step first.
    assert 'id="claim-item"' in client.get(f"/community/moderation/queue/{item_id}").get_data(
        as_text=True
    )
    assert (
        client.post(f"/community/moderation/queue/{item_id}", data={"action": "claim"}).status_code
        == 302
    )
    response = client.post(
        f"/community/moderation/queue/{item_id}", data={"action": "approve", "reason": "fine"}
    )
    assert response.status_code == 302
    auth.logout()
    assert "Hi all" in client.get(thread_url).get_data(as_text=True)
    assert ("approve", "post", forum.queue_items()[0][1], "fine") in forum.log_actions()
    assert "The queue is empty" in _as(auth, client, moderator, "/community/moderation/queue")


def _as(auth, client, user, url):
    auth.login(user)
    try:
        return client.get(url).get_data(as_text=True)
    finally:
        auth.logout()


def test_claim_keeps_second_moderator_out_until_it_expires(app, factory, forum, now):
    from app.forum import moderation, services
    from app.forum.models import ForumReviewItem

    first, second = factory.user("moderator"), factory.user("moderator")
    thread_id = forum.thread(factory.user())
    item_id = forum.queue_items()[0][0]
    with app.app_context():
        from app.accounts.models import User

        one, two = db.session.get(User, first.id), db.session.get(User, second.id)
        item = db.session.get(ForumReviewItem, item_id)
        moderation.claim(item, one, now)
        with pytest.raises(services.ForumError, match="is handling this item"):
            moderation.claim(item, two, now + timedelta(minutes=5))
        with pytest.raises(services.ForumError, match="is handling"):
            moderation.resolve(item, two, "reject", now + timedelta(minutes=5))
        moderation.claim(item, two, now + timedelta(minutes=16))  # the first claim expired
        moderation.resolve(item, two, "approve", now + timedelta(minutes=17))
        with pytest.raises(services.ForumError, match="already handled"):
            moderation.claim(item, one, now + timedelta(minutes=18))
        assert services.get_thread(thread_id).status == "published"


def test_second_moderator_sees_conflict_on_page(client, auth, factory, forum):
    first, second = factory.user("moderator"), factory.user("moderator")
    forum.thread(factory.user())
    item_id = forum.queue_items()[0][0]
    auth.login(first)
    client.post(f"/community/moderation/queue/{item_id}", data={"action": "claim"})
    auth.logout()
    auth.login(second)
    response = client.post(f"/community/moderation/queue/{item_id}", data={"action": "approve"})
    assert response.status_code == 409
    assert "is handling this item" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("action", "post_status", "extra"),
    [
        ("approve", "published", {}),
        ("reject", "rejected", {}),
        ("hide", "hidden", {}),
        ("edit", "published", {"body": "Cleaned up by a moderator"}),
        ("silence", "hidden", {"silence_hours": "5"}),
        ("suspend", "hidden", {}),
    ],
)
def test_every_queue_action(client, auth, factory, forum, app, action, post_status, extra):
    from app.accounts.models import User
    from app.forum.models import ForumUserState

    author, moderator = factory.user(), factory.user("moderator")
    thread_id = forum.thread(author, body="Original text")
    post_id = forum.opening(thread_id)
    item_id = _item_for(forum, post_id)[0]
    auth.login(moderator)
    client.post(f"/community/moderation/queue/{item_id}", data={"action": "claim"})
    data = {"action": action, "reason": f"why {action}", **extra}
    if action in {"reject", "suspend"}:
        # These ask first: the confirmation page changes nothing and posts confirm=1.
        asked = client.post(f"/community/moderation/queue/{item_id}", data=data)
        assert asked.status_code == 200
        assert 'name="confirm" value="1"' in asked.get_data(as_text=True)
        assert forum.post(post_id).status == "pending"
        assert _item_for(forum, post_id)[3] is None
        data["confirm"] = "1"
    response = client.post(f"/community/moderation/queue/{item_id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    post = forum.post(post_id)
    assert post.status == post_status
    assert _item_for(forum, post_id)[3] == action
    assert (action, "post", post_id, f"why {action}") in forum.log_actions()
    with app.app_context():
        if action == "edit":
            assert post.body == "Cleaned up by a moderator"
        if action == "silence":
            state = db.session.get(ForumUserState, author.id)
            assert state.silenced_until is not None
        if action == "suspend":
            assert db.session.get(User, author.id).is_suspended


def test_silenced_member_cannot_post(client, auth, factory, forum, app, now):
    from app.forum import moderation

    member, moderator = factory.user(), factory.user("moderator")
    thread_id = forum.thread(factory.user("moderator"))
    with app.app_context():
        from app.accounts.models import User
        from app.outbox import commit

        moderation.silence_user(
            db.session.get(User, member.id), db.session.get(User, moderator.id),
            datetime.now(UTC), hours=2,
        )  # fmt: skip
        commit()
    auth.login(member)
    response = client.post(f"/community/t/{thread_id}/reply", data={"body": "Let me speak"})
    assert response.status_code == 422
    assert "silenced" in response.get_data(as_text=True)


FLAG_CASES = [
    # (flagger roles, upheld history per flagger, expected status after the flags)
    (["member"] * 4, 0, "published"),
    # Five level-0 members weigh 5, but level 0 alone never hides (FORUM_FLAG_HIDE_MIN_LEVEL);
    # test_flags.py has the cases with flaggers of higher levels.
    (["member"] * 5, 0, "published"),
    (["moderator"], 0, "hidden"),
    (["member"] * 3, 6, "published"),  # reliable (3 x 2*(7/8) = 5.25), but still level 0
]


@pytest.mark.parametrize(("roles", "history", "expected"), FLAG_CASES)
def test_flag_weighting_and_auto_hide(app, factory, forum, now, roles, history, expected):
    from app.accounts.models import User
    from app.forum import moderation, services
    from app.forum.models import ForumFlag
    from app.outbox import commit

    author = factory.user("moderator")  # publishes at once
    # A member's post (staff posts are never hidden automatically), past pre-moderation.
    app.config["FORUM_PREMODERATE_POSTS"] = 0
    target = forum.reply(forum.thread(author), factory.user(), "Maybe rude")
    # Accounts old enough for full weight (new ones barely count: test_flags.py).
    flaggers = [factory.user(role, created_at=now - timedelta(days=30)) for role in roles]
    with app.app_context():
        for flagger in flaggers:
            for index in range(history):
                # Past flags, settled as upheld: the flagger's track record.
                old = forum.opening(
                    forum.thread(author, title="old", body=f"old {flagger.id} {index}")
                )
                db.session.add(
                    ForumFlag(post_id=old, flagger_id=flagger.id, reason="spam", note="",
                              weight=1.0, created_at=now, outcome="upheld", resolved_at=now)
                )  # fmt: skip
        commit()
        for flagger in flaggers:
            moderation.flag_post(
                services.get_post(target), db.session.get(User, flagger.id), "spam", "", now
            )
        commit()
        assert services.get_post(target).status == expected
        assert db.session.scalars(select(ForumFlag.post_id).where(ForumFlag.post_id == target))
    actions = [entry[0] for entry in forum.log_actions()]
    assert ("auto_hide" in actions) is (expected == "hidden")


def test_flag_page_needs_note_for_other_and_refuses_own(client, auth, factory, forum):
    author = factory.user("moderator")
    post_id = forum.opening(forum.thread(author))
    auth.login(factory.user())
    response = client.post(f"/community/posts/{post_id}/flag", data={"reason": "other"})
    assert response.status_code == 422
    assert 'id="note-error"' in response.get_data(as_text=True)
    assert (
        client.post(
            f"/community/posts/{post_id}/flag", data={"reason": "other", "note": "Rude"}
        ).status_code
        == 302
    )
    again = client.post(f"/community/posts/{post_id}/flag", data={"reason": "spam"})
    assert "already flagged" in again.get_data(as_text=True)
    assert _item_for(forum, post_id)[2] == "flags"


def test_spam_checks_send_post_to_queue(app_config, client, auth, factory, forum):
    member = factory.user()
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator)
    auth.login(member)
    client.post(f"/community/t/{thread_id}/reply", data={"body": "Best casino deals here"})
    item = forum.queue_items()[-1]
    assert item[2] == "spam"
    images = client.post(
        f"/community/t/{thread_id}/reply", data={"body": "![leaf](https://x.example/leaf.png)"}
    )
    assert images.status_code == 422
    assert "can&#39;t post images" in images.get_data(as_text=True)


def test_identical_repeated_post_is_refused(client, auth, factory, forum):
    thread_id = forum.thread(factory.user("moderator"))
    auth.login(factory.user())
    client.post(f"/community/t/{thread_id}/reply", data={"body": "Same words"})
    again = client.post(f"/community/t/{thread_id}/reply", data={"body": "  same   WORDS "})
    assert again.status_code == 422
    assert "already posted exactly this" in again.get_data(as_text=True)


def test_thread_actions_are_audited(client, auth, factory, forum):
    moderator, author = factory.user("moderator"), factory.user("moderator")
    source = forum.thread(author, title="Source")
    target = forum.thread(author, title="Target")
    moved_reply = forum.reply(source, author, "Split me off")
    auth.login(moderator)
    url = f"/community/t/{source}/moderate"
    for action in ("lock", "pin"):
        assert client.post(url, data={"action": action, "reason": action}).status_code == 302
    thread = forum.get_thread(source)
    assert thread.is_locked and thread.is_pinned
    client.post(url, data={"action": "move", "category": "bug-reports", "reason": "bug"})
    assert forum.get_thread(source).category_id != forum.get_thread(target).category_id
    split = {"action": "split", "post_ids": [moved_reply], "title": "Split", "reason": "x"}
    response = client.post(url, data={**split, "confirm": "1"})
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert forum.post(moved_reply).thread_id == new_id and forum.post(moved_reply).is_opening
    client.post(url, data={"action": "merge", "target": target, "reason": "dupe", "confirm": "1"})
    assert forum.get_thread(source).status == "merged"
    assert client.get(f"/community/t/{source}").headers["Location"].endswith(f"/t/{target}")
    actions = [entry[0] for entry in forum.log_actions()]
    assert actions == ["lock", "pin", "move", "split", "merge"]
    log = client.get("/community/moderation/log").get_data(as_text=True)
    assert "dupe" in log and "merge" in log
    bad = client.post(url, data={"action": "merge", "target": 99999})
    assert bad.status_code == 422


def test_locked_thread_refuses_member_replies(client, auth, factory, forum, app, now):
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator)
    auth.login(moderator)
    client.post(f"/community/t/{thread_id}/moderate", data={"action": "lock"})
    auth.logout()
    auth.login(factory.user())
    response = client.post(f"/community/t/{thread_id}/reply", data={"body": "Let me in"})
    assert response.status_code == 422
    assert "locked" in response.get_data(as_text=True)


def test_moderation_pages_are_for_moderators(client, auth, factory):
    for url in ("/community/moderation/queue", "/community/moderation/log",
                "/community/moderation/help"):  # fmt: skip
        assert client.get(url).status_code == 302
    auth.login(factory.user())
    for url in ("/community/moderation/queue", "/community/moderation/log",
                "/community/moderation/help"):  # fmt: skip
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("app_config", [{"FORUM_FLAG_HIDE_WEIGHT": 7.5}])
def test_help_shows_rule_numbers(client, auth, factory, app_config):
    auth.login(factory.user("moderator"))
    html = client.get("/community/moderation/help").get_data(as_text=True)
    assert "<strong>7.5</strong>" in html
    assert "FORUM_TRUST_LEVELS" in html and "casino" in html


class TestRateLimits:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "FORUM_PREMODERATE_POSTS": 0}

    def test_new_member_told_to_wait(self, client, auth, factory, forum):
        thread_id = forum.thread(factory.user("moderator"))
        auth.login(factory.user())
        for number in range(3):
            response = client.post(f"/community/t/{thread_id}/reply", data={"body": f"n{number}"})
            assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
        blocked = client.post(f"/community/t/{thread_id}/reply", data={"body": "one more"})
        assert blocked.status_code == 429
        html = blocked.get_data(as_text=True)
        assert "try again in" in html and "seconds" in html
        assert "one more" in html  # the form keeps what was typed
        assert 0 < int(blocked.headers["Retry-After"]) <= 300

    def test_window_passes_with_injected_time(self, app, factory, forum):
        from app.forum import services

        member = factory.user()
        thread_id = forum.thread(factory.user("moderator"))
        start = datetime.now(UTC)
        for number in range(3):
            forum.reply(thread_id, member, f"m{number}", now=start + timedelta(seconds=number))
        with pytest.raises(services.RateLimited) as caught:
            forum.reply(thread_id, member, "too soon", now=start + timedelta(seconds=10))
        assert caught.value.retry_after == 290
        forum.reply(thread_id, member, "later", now=start + timedelta(seconds=301))

    def test_moderators_are_not_limited(self, factory, forum):
        moderator = factory.user("moderator")
        thread_id = forum.thread(moderator)
        for number in range(6):
            forum.reply(thread_id, moderator, f"mod {number}")


@pytest.mark.parametrize("app_config", [{"FORUM_PREMODERATE_POSTS": 0}])
def test_merging_carries_the_follows_over(app_config, client, auth, factory, forum, mailbox):
    moderator, asker, other_asker = factory.user("moderator"), factory.user(), factory.user()
    follower, both, helper = factory.user(), factory.user(), factory.user()
    source = forum.thread(asker, title="Mildew on courgettes")
    target = forum.thread(other_asker, title="White powder on courgette leaves")
    for user, threads in ((follower, [source]), (both, [source, target])):
        auth.login(user)
        for thread_id in threads:
            client.post(f"/community/t/{thread_id}/follow", data={"follow": "1"})
        auth.logout()
    auth.login(moderator)
    response = client.post(
        f"/community/t/{source}/moderate",
        data={"action": "merge", "target": target, "reason": "same question", "confirm": "1"},
    )
    assert response.status_code == 302
    auth.logout()
    forum.reply(target, helper, "Milk spray helps.")
    recipients = sorted(message["To"] for message in mailbox.messages())
    # Each follower of either thread hears once; the source's author followed their own thread.
    assert recipients == sorted([asker.email, other_asker.email, follower.email, both.email])
