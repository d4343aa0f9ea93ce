"""Moderators' pages say what happened and where: claim races, hiding with a reason and a
confirmation, specific messages, linked log entries, "Approve" for pending posts, merge by
title, split with excerpts."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def app_config():
    return {"FORUM_PREMODERATE_POSTS": 0}


def _flashes(response) -> str:
    return response.get_data(as_text=True)


def test_claim_button_is_hidden_while_another_moderator_holds_the_item(
    client, auth, factory, forum, app
):
    app.config["FORUM_PREMODERATE_POSTS"] = 1
    first = factory.user("moderator", display_name="Mia Moderator")
    second = factory.user("moderator")
    forum.thread(factory.user())
    item_id = forum.queue_items()[-1][0]
    auth.login(first)
    client.post(f"/community/moderation/queue/{item_id}", data={"action": "claim"})
    auth.logout()
    auth.login(second)
    page = client.get(f"/community/moderation/queue/{item_id}").get_data(as_text=True)
    assert 'id="claim-item"' not in page and "Mia Moderator is handling this item" in page
    lost = client.post(f"/community/moderation/queue/{item_id}", data={"action": "claim"})
    assert lost.status_code == 409
    assert 'id="claim-item"' not in lost.get_data(as_text=True)


def test_hide_asks_for_a_reason_and_confirmation(client, auth, factory, forum):
    author = factory.user()
    thread_id = forum.thread(author)
    reply_id = forum.reply(thread_id, author, "Rude words here")
    auth.login(factory.user("moderator"))
    thread = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert f'href="/community/posts/{reply_id}/hide"' in thread
    ask = client.get(f"/community/posts/{reply_id}/hide").get_data(as_text=True)
    assert 'name="reason"' in ask and 'name="confirm" value="1"' in ask and "Rude words" in ask
    # Without the confirmation nothing happens; the page asks first.
    first = client.post(f"/community/posts/{reply_id}/moderate", data={"action": "hide"})
    assert first.status_code == 200 and 'name="confirm" value="1"' in first.get_data(as_text=True)
    assert forum.post(reply_id).status == "published"
    done = client.post(
        f"/community/posts/{reply_id}/moderate",
        data={"action": "hide", "reason": "Insults", "confirm": "1"},
        follow_redirects=True,
    )
    assert forum.post(reply_id).status == "hidden"
    assert forum.post(reply_id).moderation_note == "Insults"
    assert "Post hidden: Insults" in _flashes(done)


def test_pending_post_is_approved_not_restored(client, auth, factory, forum, app):
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator)
    app.config["FORUM_PREMODERATE_POSTS"] = 1
    pending = forum.reply(thread_id, factory.user(), "My first reply")
    assert forum.post(pending).status == "pending"
    auth.login(moderator)
    page = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    button = re.search(rf'<button[^>]*id="restore-{pending}"[^>]*>([^<]+)</button>', page)
    assert button and button.group(1) == "Approve"
    done = client.post(
        f"/community/posts/{pending}/moderate", data={"action": "restore"}, follow_redirects=True
    )
    assert forum.post(pending).status == "published"
    assert "Post approved" in _flashes(done)


def test_thread_action_messages_are_specific(client, auth, factory, forum):
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator, title="Basil turns purple")
    auth.login(moderator)
    url = f"/community/t/{thread_id}/moderate"
    locked = client.post(url, data={"action": "lock", "reason": "solved"}, follow_redirects=True)
    assert "Thread locked: no new replies to \u201cBasil turns purple\u201d." in _flashes(locked)
    moved = client.post(url, data={"action": "move", "category": "bug-reports"},
                        follow_redirects=True)  # fmt: skip
    assert "Thread moved to Bug Reports." in _flashes(moved)


def test_log_entries_link_to_their_posts(client, auth, factory, forum):
    author = factory.user()
    thread_id = forum.thread(author)
    reply_id = forum.reply(thread_id, author)
    auth.login(factory.user("moderator"))
    client.post(f"/community/posts/{reply_id}/moderate",
                data={"action": "hide", "reason": "x", "confirm": "1"})  # fmt: skip
    log = client.get("/community/moderation/log").get_data(as_text=True)
    assert re.search(rf'href="/community/t/{thread_id}[^"]*#post-{reply_id}"', log)


def test_merge_finds_threads_by_title(client, auth, factory, forum):
    moderator = factory.user("moderator")
    source = forum.thread(moderator, title="Tomato leaves curl")
    target = forum.thread(moderator, title="Curling tomato leaves in July")
    forum.thread(moderator, title="Basil turns purple")
    auth.login(moderator)
    url = f"/community/t/{source}/moderate"
    found = client.get(url + "?find=tomato").get_data(as_text=True)
    section = found.split('id="merge-matches"', 1)[1].split("</ul>", 1)[0]
    assert "Curling tomato leaves in July" in section and "Basil" not in section
    assert f'value="{target}"' in section and f'value="{source}"' not in section
    # Picking a match asks to confirm the merge into that thread.
    asked = client.post(url, data={"pick_target": str(target), "reason": "same question"})
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="confirm" value="1"' in text
    assert "Curling tomato leaves in July" in text
    done = client.post(url, data={"action": "merge", "target": target, "confirm": "1"})
    assert done.status_code == 302 and forum.get_thread(source).status == "merged"
    nothing = client.get(url.replace(str(source), str(target)) + "?find=zzzz")
    assert "No other thread has" in nothing.get_data(as_text=True)


def test_split_lists_replies_with_an_excerpt(client, auth, factory, forum):
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator)
    forum.reply(thread_id, factory.user(display_name="Max"), "Use **neem oil** twice a week. " * 8)
    auth.login(moderator)
    page = client.get(f"/community/t/{thread_id}/moderate").get_data(as_text=True)
    assert re.search(r"by Max: \u201cUse neem oil twice a week\. [^\u201d]*\u2026\u201d", page)
