"""Edits that would need review as a new post are held: the approved text stays public until a
moderator approves the edit (or rejects it, and the approved text stays)."""

from __future__ import annotations

import pytest


def _approve_first_post(client, auth, forum, moderator, thread_id):
    """The new member's first thread, approved through the queue like in real life."""
    item_id = next(item[0] for item in forum.queue_items() if item[3] is None)
    auth.login(moderator)
    assert (
        client.post(
            f"/community/moderation/queue/{item_id}", data={"action": "approve"}
        ).status_code
        == 302
    )
    auth.logout()
    assert forum.get_thread(thread_id).status == "published"


def _decide(client, auth, forum, moderator, action, **data):
    item_id = next(item[0] for item in forum.queue_items() if item[3] is None)
    auth.login(moderator)
    url = f"/community/moderation/queue/{item_id}"
    response = client.post(url, data={"action": action, "confirm": "1", **data})
    auth.logout()
    return response


@pytest.mark.parametrize("outcome", ["approve", "reject", "edit"])
def test_edit_by_a_premoderated_member_is_held(client, auth, factory, forum, outcome):
    newbie, moderator = factory.user(), factory.user("moderator")
    thread_id = forum.thread(newbie, title="Basil question", body="Why is my basil purple?")
    post_id = forum.opening(thread_id)
    _approve_first_post(client, auth, forum, moderator, thread_id)

    auth.login(newbie)
    response = client.post(
        f"/community/posts/{post_id}/edit", data={"body": "Cheap seeds at my shop, call me"}
    )
    assert response.status_code == 302
    mine = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert "Your edit waits for a moderator" in mine
    auth.logout()
    public = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert "Why is my basil purple?" in public and "Cheap seeds" not in public
    assert forum.post(post_id).status == "published"
    open_items = [item for item in forum.queue_items() if item[3] is None]
    assert [(item[1], item[2]) for item in open_items] == [(post_id, "edit")]

    auth.login(moderator)
    review = client.get(f"/community/moderation/queue/{open_items[0][0]}").get_data(as_text=True)
    assert "Cheap seeds at my shop" in review and "Why is my basil purple?" in review
    auth.logout()
    response = _decide(client, auth, forum, moderator, outcome, body="Why is basil purple, really?")
    assert response.status_code == 302
    public = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    post = forum.post(post_id)
    assert post.status == "published" and post.held_body is None
    expected = {
        "approve": "Cheap seeds at my shop, call me",
        "reject": "Why is my basil purple?",
        "edit": "Why is basil purple, really?",
    }[outcome]
    assert post.body == expected and expected in public
    assert [item for item in forum.queue_items() if item[3] is None] == []


def test_spam_added_by_an_edit_is_held_and_the_approved_text_stays(
    app, client, auth, factory, forum
):
    member, moderator = factory.user(), factory.user("moderator")
    thread_id = forum.thread(moderator, body="Share your harvest")
    app.config["FORUM_PREMODERATE_POSTS"] = 0  # past pre-moderation
    post_id = forum.reply(thread_id, member, "Two kilos of tomatoes")
    assert forum.post(post_id).status == "published"
    auth.login(member)
    client.post(f"/community/posts/{post_id}/edit", data={"body": "Best casino deals here"})
    auth.logout()
    public = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert "Two kilos of tomatoes" in public and "casino" not in public
    assert [(item[1], item[2]) for item in forum.queue_items() if item[3] is None] == [
        (post_id, "edit")
    ]
    # A second edit replaces the held one; there is still one item to decide.
    auth.login(member)
    client.post(f"/community/posts/{post_id}/edit", data={"body": "Best casino deals, 2"})
    auth.logout()
    assert forum.post(post_id).held_body == "Best casino deals, 2"
    assert len([item for item in forum.queue_items() if item[3] is None]) == 1
    _decide(client, auth, forum, moderator, "hide")
    post = forum.post(post_id)
    assert post.status == "hidden" and post.held_body is None


def test_edit_by_a_member_past_review_is_saved_at_once(app, client, auth, factory, forum):
    member, moderator = factory.user(), factory.user("moderator")
    thread_id = forum.thread(moderator)
    app.config["FORUM_PREMODERATE_POSTS"] = 0
    post_id = forum.reply(thread_id, member, "Water at dawn")
    auth.login(member)
    client.post(f"/community/posts/{post_id}/edit", data={"body": "Water at dawn, not at noon"})
    auth.logout()
    assert "not at noon" in client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert [item for item in forum.queue_items() if item[3] is None] == []
