"""The composer: a server-rendered preview (the one sanitiser, CSRF-protected), @mentions that
link to profiles and notify the member, and the members' notifications page."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def app_config():
    return {"FORUM_PREMODERATE_POSTS": 0}


def test_preview_renders_through_the_sanitiser(client, auth, factory):
    ana = factory.user(display_name="Ana Gardener")
    auth.login(factory.user())
    response = client.post(
        "/community/preview", data={"body": "**Hi** <script>alert(1)</script> @Ana Gardener"}
    )
    assert response.status_code == 200
    html = response.json["html"]
    assert "<strong>Hi</strong>" in html and "<script" not in html
    assert f'href="/community/users/{ana.id}"' in html and "@Ana Gardener" in html
    assert client.get("/community/preview").status_code == 405
    assert client.post("/community/preview", data={"body": ""}).json["html"] == ""


def test_preview_needs_sign_in(client):
    assert client.post("/community/preview", data={"body": "x"}).status_code in (302, 401)


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_preview_needs_the_token(self, client, auth, factory):
        user = factory.user()
        page = client.get("/account/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/account/login", data={"email": user.email,
                                             "password": "correct horse battery",
                                             "csrf_token": token})  # fmt: skip
        assert client.post("/community/preview", data={"body": "x"}).status_code == 400
        page = client.get("/community/new").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        ok = client.post("/community/preview", data={"body": "x"}, headers={"X-CSRFToken": token})
        assert ok.status_code == 200
        assert 'data-preview-url="/community/preview"' in page


def test_mentions_link_and_notify(client, auth, factory, forum, mailbox):
    asker = factory.user(display_name="Rosa")
    ana = factory.user(display_name="Ana Gardener")
    thread_id = forum.thread(asker, title="Basil turns purple")
    auth.login(asker)
    client.post(f"/community/t/{thread_id}/reply",
                data={"body": "Maybe @Ana Gardener knows? (not @nobody-here)"})  # fmt: skip
    page = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert re.search(rf'<a href="/community/users/{ana.id}"[^>]*>@Ana Gardener</a>', page)
    [mail] = [m for m in mailbox.messages() if m["To"] == ana.email]
    assert "Rosa mentioned you" in mail["Subject"] and "Basil turns purple" in mail["Subject"]
    assert re.search(rf"/community/t/{thread_id}#post-\d+", mail.get_content())
    auth.logout()
    auth.login(ana)
    notes = client.get("/community/notifications").get_data(as_text=True)
    assert "Rosa mentioned you in \u201cBasil turns purple\u201d" in notes
    # Editing the post or quoting it later does not notify again.
    client.post(f"/community/t/{thread_id}/reply", data={"body": "> @Ana Gardener knows?\n\nYes"})
    assert len([m for m in mailbox.messages() if m["To"] == ana.email]) == 1


def test_notifications_page_with_read_and_unread(client, auth, factory, forum, app):
    asker = factory.user(display_name="Rosa")
    helper = factory.user(display_name="Max")
    thread_id = forum.thread(asker, title="Tomatoes split")
    auth.login(helper)
    client.post(f"/community/t/{thread_id}/reply", data={"body": "Water less often."})
    auth.logout()
    auth.login(asker)
    with app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db
        from app.forum.models import ForumPost

        latest = select(func.max(ForumPost.id)).where(ForumPost.thread_id == thread_id)
        reply_id = db.session.scalar(latest)
    client.post(f"/community/posts/{reply_id}/like")
    client.post(f"/community/posts/{reply_id}/accept")
    mine = client.get("/community/notifications").get_data(as_text=True)
    assert "Max replied to \u201cTomatoes split\u201d" in mine
    assert mine.count('class="forum-notification forum-notification-unread"') == 1
    auth.logout()
    auth.login(helper)
    theirs = client.get("/community/notifications").get_data(as_text=True)
    assert "Rosa liked your reply in \u201cTomatoes split\u201d" in theirs
    assert "Rosa accepted your reply as the answer to \u201cTomatoes split\u201d" in theirs
    assert theirs.count("forum-notification-unread") == 2
    assert "2 unread" in client.get("/community/").get_data(as_text=True)
    opened = client.get(re.search(r'href="(/community/notifications/\d+)"', theirs).group(1))
    assert opened.status_code == 302 and f"/community/t/{thread_id}" in opened.headers["Location"]
    assert client.get("/community/notifications").get_data(as_text=True).count(
        "forum-notification-unread") == 1  # fmt: skip
    client.post("/community/notifications/read")
    after = client.get("/community/notifications").get_data(as_text=True)
    assert "forum-notification-unread" not in after
    # Someone else's notification is not theirs to open.
    auth.logout()
    auth.login(asker)
    other = re.search(r'href="/community/notifications/(\d+)"', theirs).group(1)
    assert client.get(f"/community/notifications/{other}").status_code == 404


def test_new_thread_suggests_similar_threads_from_the_search(client, auth, factory, forum, runner):
    forum.thread(factory.user(), title="Basil leaves turn purple at night")
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    auth.login(factory.user())
    page = client.get("/community/new").get_data(as_text=True)
    url = re.search(r'id="title"[^>]*data-suggest-url="([^"]+)"', page) or re.search(
        r'data-suggest-url="([^"]+)"[^>]*id="title"', page
    )
    assert url and "type=forum_thread" in url.group(1)
    assert 'id="similar-list"' in page and "js/suggest.js" in page
    found = client.get(url.group(1).replace("&amp;", "&") + "&log=0&q=purple+basil").json
    assert [hit["title"] for hit in found["results"]] == ["Basil leaves turn purple at night"]
