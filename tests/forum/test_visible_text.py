"""One rule for "visible text": titles and bodies made only of invisible characters (zero-width
spaces, joiners, BOM, NUL, fillers, white space) are refused next to their field; NUL never
reaches the database."""

from __future__ import annotations

import pytest

INVISIBLE = [
    "\u200b\u200b\u200b",  # zero-width spaces
    "\ufeff",  # byte-order mark
    "\x00\x00",  # NUL
    " \u200c \u200d \u2060 ",  # joiners and word joiner between spaces
    "\u3164\u115f",  # Hangul fillers
    "\u00ad\u034f",  # soft hyphen, combining grapheme joiner
    "\u2800",  # braille blank
]


@pytest.mark.parametrize("title", INVISIBLE)
def test_invisible_thread_title_is_refused(client, auth, factory, title):
    auth.login(factory.user())
    response = client.post(
        "/community/new", data={"category": "general", "title": title, "body": "A real question"}
    )
    assert response.status_code == 422
    assert 'id="title-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("body", INVISIBLE)
def test_invisible_body_is_refused_everywhere(client, auth, factory, forum, body):
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator)
    post_id = forum.opening(thread_id)
    auth.login(factory.user())
    new = client.post(
        "/community/new", data={"category": "general", "title": "Real title", "body": body}
    )
    reply = client.post(f"/community/t/{thread_id}/reply", data={"body": body})
    flag = client.post(f"/community/posts/{post_id}/flag", data={"reason": "other", "note": body})
    for response, field in ((new, "body"), (reply, "body"), (flag, "note")):
        assert response.status_code == 422
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    auth.logout()
    auth.login(moderator)
    edit = client.post(f"/community/posts/{post_id}/edit", data={"body": body})
    assert edit.status_code == 422 and 'id="body-error"' in edit.get_data(as_text=True)


def test_nul_inside_real_text_is_dropped_not_an_error(client, auth, factory, forum):
    auth.login(factory.user("moderator"))
    response = client.post(
        "/community/new",
        data={"category": "general", "title": "Aphids\x00 again", "body": "On\x00 the roses"},
    )
    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    assert forum.get_thread(thread_id).title == "Aphids again"
    assert forum.post(forum.opening(thread_id)).body == "On the roses"


@pytest.mark.parametrize("title", INVISIBLE)
def test_invisible_split_title_is_refused(client, auth, factory, forum, title):
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator)
    reply_id = forum.reply(thread_id, moderator, "Move me")
    auth.login(moderator)
    response = client.post(
        f"/community/t/{thread_id}/moderate",
        data={"action": "split", "title": title, "post_ids": [reply_id]},
    )
    assert response.status_code == 422
    assert 'id="title-error"' in response.get_data(as_text=True)
