"""Reading and posting through the real pages: threads, replies, quotes, edits, deletes,
accepted answers, likes, follows with e-mail and one-click unsubscribe, profiles, contracts."""

from __future__ import annotations

import re

import pytest

from app.extensions import db


@pytest.fixture
def app_config():
    # Pre-moderation has its own tests (test_moderation.py); here members publish at once.
    return {"FORUM_PREMODERATE_POSTS": 0}


def test_forum_readable_without_account_with_seeded_categories(client):
    response = client.get("/community/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("Account", "Billing and Payments", "App Functionality", "Feature Requests",
                 "Bug Reports", "Data and Privacy", "General"):  # fmt: skip
        assert name in html
    assert "No threads here yet" in html
    assert client.get("/community/c/bug-reports").status_code == 200
    assert client.get("/community/c/nope").status_code == 404
    assert client.get("/community/t/999").status_code == 404


def test_start_thread_and_reply_through_pages(client, auth, factory, forum, app):
    asker, helper = factory.user(), factory.user()
    auth.login(asker)
    response = client.post(
        "/community/new",
        data={"category": "app-functionality", "title": "Sensor offline", "body": "It **blinks**."},
    )
    assert response.status_code == 302
    thread_id = int(re.search(r"/community/t/(\d+)", response.headers["Location"]).group(1))
    auth.logout()
    auth.login(helper)
    response = client.post(f"/community/t/{thread_id}/reply", data={"body": "Re-pair it."})
    assert response.status_code == 302
    auth.logout()
    page = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert "Sensor offline" in page
    assert "<strong>blinks</strong>" in page
    assert "Re-pair it." in page
    listing = client.get("/community/c/app-functionality").get_data(as_text=True)
    assert "Sensor offline" in listing and "1 reply" in listing
    assert {"type": "forum_thread", "id": thread_id} in forum.search_events()


def test_new_thread_errors_next_to_field(client, auth, factory):
    auth.login(factory.user())
    response = client.post("/community/new", data={"category": "general", "title": "", "body": "x"})
    assert response.status_code == 422
    assert 'id="title-error"' in response.get_data(as_text=True)


def test_posting_requires_sign_in(client, forum, factory):
    thread_id = forum.thread(factory.user())
    assert client.get("/community/new").status_code == 302
    assert client.post(f"/community/t/{thread_id}/reply", data={"body": "hi"}).status_code == 302


def test_new_thread_prefilled_from_guide(client, auth, factory):
    auth.login(factory.user())
    html = client.get("/community/new?guide=sensor-not-pairing&steps=4").get_data(as_text=True)
    note = "I tried the guide [Sensor not pairing](/articles/sensor-not-pairing) (steps 1–4)"  # noqa: RUF001
    assert note in html
    hostile = client.get('/community/new?guide="><script>&steps=x').get_data(as_text=True)
    assert "I tried the guide" not in hostile


def test_new_thread_from_guide_links_it_by_title_and_proposes_category_and_title(
    client, auth, factory, forum
):
    auth.login(factory.user())
    html = client.get(
        "/community/new?guide=reminders-not-arriving&steps=4&category=app-functionality"
        "&title=Reminders+not+arriving"
    ).get_data(as_text=True)
    assert (
        "I tried the guide [Reminders not arriving](/articles/reminders-not-arriving) (steps 1–4)"  # noqa: RUF001
        in html
    )
    assert re.search(r'<option[^>]*selected[^>]*value="app-functionality"|'
                     r'<option[^>]*value="app-functionality"[^>]*selected', html)  # fmt: skip
    assert re.search(r'id="title"[^>]*value="Reminders not arriving: the guide didn&#39;t help"'
                     r'|value="Reminders not arriving: the guide didn&#39;t help"[^>]*id="title"',
                     html)  # fmt: skip
    # Without a title the slug reads as words; a title cannot smuggle Markdown in.
    plain = client.get("/community/new?guide=reminders-not-arriving").get_data(as_text=True)
    assert "[Reminders not arriving](/articles/reminders-not-arriving)" in plain
    odd = client.get("/community/new?guide=reminders-not-arriving&title=x](http://evil)[y")
    assert "](http://evil)" not in odd.get_data(as_text=True)


def test_quote_prefills_reply(client, auth, factory, forum):
    asker = factory.user(display_name="Ana")
    thread_id = forum.thread(asker, body="My basil is purple.")
    auth.login(factory.user())
    html = client.get(f"/community/t/{thread_id}/reply?quote={forum.opening(thread_id)}").get_data(
        as_text=True
    )
    assert "Ana wrote:\n&gt; My basil is purple." in html


def test_edit_keeps_history_for_moderators_only(client, auth, factory, forum):
    author, moderator = factory.user(), factory.user("moderator")
    thread_id = forum.thread(author, body="First version")
    post_id = forum.opening(thread_id)
    auth.login(author)
    assert (
        client.post(f"/community/posts/{post_id}/edit", data={"body": "Second"}).status_code == 302
    )
    assert client.get(f"/community/posts/{post_id}/history").status_code == 403
    auth.logout()
    auth.login(moderator)
    history = client.get(f"/community/posts/{post_id}/history").get_data(as_text=True)
    assert "First version" in history and "Second" in history


def test_cannot_edit_someone_elses_post(client, auth, factory, forum):
    thread_id = forum.thread(factory.user(), body="Mine")
    auth.login(factory.user())
    response = client.post(f"/community/posts/{forum.opening(thread_id)}/edit", data={"body": "X"})
    assert response.status_code == 422
    assert "only edit your own" in response.get_data(as_text=True)
    assert forum.post(forum.opening(thread_id)).body == "Mine"


def test_delete_is_confirmed_and_soft(client, auth, factory, forum, app):
    author, moderator = factory.user(), factory.user("moderator")
    thread_id = forum.thread(author)
    reply_id = forum.reply(thread_id, author, "Oops, wrong thread")
    auth.login(author)
    confirm = client.get(f"/community/posts/{reply_id}/delete")
    assert "Delete this post?" in confirm.get_data(as_text=True)
    assert forum.post(reply_id).status == "published"
    assert client.post(f"/community/posts/{reply_id}/delete").status_code == 302
    assert forum.post(reply_id).status == "deleted"
    assert "Oops, wrong thread" not in client.get(f"/community/t/{thread_id}").get_data(
        as_text=True
    )
    auth.logout()
    auth.login(moderator)
    page = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert "Oops, wrong thread" in page and "Deleted" in page


def test_accepted_answer_by_asker_and_unanswered_sort(client, auth, factory, forum):
    asker, helper, stranger = factory.user(), factory.user(), factory.user()
    answered = forum.thread(asker, title="Answered one")
    lonely = forum.thread(asker, title="Lonely one")
    reply_id = forum.reply(answered, helper, "Use rainwater.")
    unanswered = client.get("/community/?sort=unanswered").get_data(as_text=True)
    assert "Lonely one" in unanswered and "Answered one" not in unanswered
    auth.login(stranger)
    client.post(f"/community/posts/{reply_id}/accept")
    assert forum.get_thread(answered).accepted_post_id is None
    auth.logout()
    auth.login(asker)
    client.post(f"/community/posts/{reply_id}/accept")
    assert forum.get_thread(answered).accepted_post_id == reply_id
    page = client.get(f"/community/t/{answered}").get_data(as_text=True)
    assert "Accepted answer" in page
    assert page.index("Accepted answer") < page.index(f'id="post-{reply_id}"')
    assert lonely


def test_like_toggles_and_not_own(client, auth, factory, forum):
    author, fan = factory.user(), factory.user()
    thread_id = forum.thread(author)
    post_id = forum.opening(thread_id)
    auth.login(fan)
    client.post(f"/community/posts/{post_id}/like")
    assert forum.post(post_id).like_count == 1
    client.post(f"/community/posts/{post_id}/like")
    assert forum.post(post_id).like_count == 0
    auth.logout()
    auth.login(author)
    client.post(f"/community/posts/{post_id}/like")
    assert forum.post(post_id).like_count == 0


def test_follow_thread_mails_replies_and_one_click_unsubscribe(
    client, auth, factory, forum, mailbox
):
    asker, follower, helper = factory.user(), factory.user(), factory.user()
    thread_id = forum.thread(asker, title="Aphids")
    auth.login(follower)
    client.post(f"/community/t/{thread_id}/follow", data={"follow": "1"})
    auth.logout()
    forum.reply(thread_id, helper, "Ladybirds eat them.")
    to = sorted(message["To"] for message in mailbox.messages())
    assert to == sorted([asker.email, follower.email])  # the author follows their own thread
    message = next(m for m in mailbox.messages() if m["To"] == follower.email)
    assert "Ladybirds eat them." in message.get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"http://help\.test(/community/unsubscribe/\S+)", message.get_content()).group(
        1
    )
    assert "Unsubscribe" in client.get(link).get_data(as_text=True)  # GET only asks
    assert client.post(link).status_code == 200  # no sign-in, no CSRF form needed
    assert client.post(link).status_code == 410
    forum.reply(thread_id, helper, "Or soapy water.")
    assert [m["To"] for m in mailbox.messages()].count(follower.email) == 1


def test_follow_category_mails_new_threads(client, auth, factory, forum, mailbox):
    fan = factory.user()
    auth.login(fan)
    client.post("/community/c/bug-reports/follow", data={"follow": "1"})
    forum.thread(factory.user(), title="Crash on start", category="bug-reports")
    forum.thread(factory.user(), title="Elsewhere", category="general")
    subjects = [m["Subject"] for m in mailbox.messages() if m["To"] == fan.email]
    assert subjects == ["New post in “Crash on start”"]


def test_tampered_unsubscribe_token_is_refused(client):
    assert client.get("/community/unsubscribe/not-a-token").status_code == 410


def test_profile_shows_counts_and_trust(client, auth, factory, forum):
    asker, helper = factory.user(), factory.user(display_name="Helpful Hana")
    thread_id = forum.thread(asker)
    reply_id = forum.reply(thread_id, helper)
    auth.login(asker)
    client.post(f"/community/posts/{reply_id}/accept")
    auth.logout()
    html = client.get(f"/community/users/{helper.id}").get_data(as_text=True)
    assert "Helpful Hana" in html
    assert re.search(r'id="profile-posts">1<', html)
    assert re.search(r'id="profile-accepted">1<', html)
    assert "0: New" in html
    auth.login(helper)
    assert "Next trust level: Basic" in client.get(f"/community/users/{helper.id}").get_data(
        as_text=True
    )


def test_reading_counts_posts_read_once(client, auth, factory, forum, app):
    from app.forum.models import ForumUserState

    thread_id = forum.thread(factory.user())
    forum.reply(thread_id, factory.user())
    reader = factory.user()
    auth.login(reader)
    client.get(f"/community/t/{thread_id}")
    client.get(f"/community/t/{thread_id}")
    with app.app_context():
        assert db.session.get(ForumUserState, reader.id).posts_read == 2


def test_escalation_and_staff_reply_contract(client, auth, factory, forum, app, now):
    from app.forum import services
    from app.outbox import commit

    asker, agent = factory.user(), factory.user("agent_t1")
    thread_id = forum.thread(asker)
    auth.login(asker)
    assert f'href="/requests/escalate/{thread_id}"' in client.get(
        f"/community/t/{thread_id}"
    ).get_data(as_text=True)
    with app.app_context():
        from app.accounts.models import User

        agent_row = db.session.get(User, agent.id)
        thread = services.visible_thread_for(agent_row, thread_id)
        services.mark_thread_escalated(thread, "1042", agent_row, now)
        services.post_reply(thread, agent_row, "Fixed on our side.", now, as_staff=True)
        commit()
        assert services.get_thread(thread_id).escalated_ticket_id == 1042
    page = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    # Escalated, but no agent has taken the request yet: the thread says only what is true.
    assert "Escalated to support (request 1042)" in page and "Support team" in page
    assert "agent is on it" not in page and "escalate-thread" not in page
    with app.app_context():
        services.mark_escalation_taken(thread_id, now)
        commit()
    page = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert "A support agent is on it (request 1042)" in page


def test_search_contract(forum, factory, app):
    from app.forum import services
    from app.outbox import commit

    author = factory.user()
    thread_id = forum.thread(author, body="Public words")
    reply_id = forum.reply(thread_id, author, "Reply words")
    with app.app_context():
        thread = services.get_thread(thread_id)
        services.delete_post(services.get_post(reply_id), thread.author, thread.created_at)
        commit()
        thread = services.get_thread(thread_id)
        assert services.is_thread_public(thread)
        assert services.thread_search_text(thread) == "Public words"
    assert forum.search_events().count({"type": "forum_thread", "id": thread_id}) >= 3


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_forms_need_csrf_token(client, factory, forum, app_config):
    user = factory.user()
    thread_id = forum.thread(factory.user())
    login = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post(
        "/account/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    page = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    refused = client.post(f"/community/t/{thread_id}/reply", data={"body": "no token"})
    assert refused.status_code == 400


def test_unsubscribe_page_keeps_a_hidden_threads_title_private(client, auth, factory, forum, app):
    from sqlalchemy import select

    from app.forum import follows
    from app.forum.models import HIDDEN, ForumSubscription, ForumThread

    follower = factory.user()
    thread_id = forum.thread(factory.user("moderator"), title="Private drama")
    auth.login(follower)
    client.post(f"/community/t/{thread_id}/follow", data={"follow": "1"})
    auth.logout()
    with app.app_context():
        subscription = db.session.scalar(
            select(ForumSubscription).where(ForumSubscription.user_id == follower.id)
        )
        link = f"/community/unsubscribe/{follows.unsubscribe_token(subscription)}"
    assert "Private drama" in client.get(link).get_data(as_text=True)
    with app.app_context():
        db.session.get(ForumThread, thread_id).status = HIDDEN  # a moderator hid it since
        db.session.commit()
    html = client.get(link).get_data(as_text=True)
    assert "Private drama" not in html and "no longer public" in html
    assert client.post(link).status_code == 200  # unsubscribing still works


def test_quoting_a_post_with_links_does_not_trip_the_link_limit(client, auth, factory, forum, app):
    app.config["FORUM_PREMODERATE_POSTS"] = 0
    expert = factory.user("moderator", display_name="Ana")
    links = "See https://a.example/1, https://b.example/2 and https://c.example/3."
    thread_id = forum.thread(expert, body=links)
    newcomer = factory.user()
    auth.login(newcomer)
    quote = client.get(f"/community/t/{thread_id}/reply?quote={forum.opening(thread_id)}")
    assert "&gt; See https://a.example/1" in quote.get_data(as_text=True)
    body = f"Ana wrote:\n> {links}\n\nThe second one worked for me."
    client.post(f"/community/t/{thread_id}/reply", data={"body": body})
    reply = [item for item in forum.queue_items() if item[2] == "spam"]
    assert reply == []
    # The same links typed as a made-up quote in another thread still count.
    other = forum.thread(expert, title="Other thread")
    client.post(f"/community/t/{other}/reply", data={"body": body + " (again)"})
    assert [item[2] for item in forum.queue_items()] == ["spam"]
