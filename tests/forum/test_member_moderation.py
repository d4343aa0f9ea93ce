"""Moderating members from their profile (silence, suspend with a confirmation step, lift a
suspension) and the confirmation step of the other hard-to-undo actions: merge and split on the
thread's moderation page, reject and suspend in the review queue."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.conftest import confirm_form


def _user(app, user):
    from app.accounts.models import User

    with app.app_context():
        row = db.session.get(User, user.id)
        db.session.expunge(row)
        return row


def _silenced_until(app, user):
    from app.forum.models import ForumUserState

    with app.app_context():
        state = db.session.get(ForumUserState, user.id)
        return state.silenced_until if state else None


# --- The profile form: errors next to the field ---


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({"silence_hours": "0"}, "silence_hours", "Silence for 1 to 8760 hours"),
        ({"silence_hours": "99999"}, "silence_hours", "Silence for 1 to 8760 hours"),
        ({"silence_hours": "soon"}, "silence_hours", "Not a valid integer value"),
        ({"reason": "x" * 501}, "reason", "Keep the reason to 500 characters or fewer."),
    ],
)
def test_refused_silence_shows_the_error_next_to_the_field(
    client, auth, factory, forum, app, data, field_id, message
):
    member, moderator = factory.user(), factory.user("moderator")
    auth.login(moderator)
    typed = {"action": "silence", "reason": "Shouting in every thread", "silence_hours": "5"}
    typed.update(data)
    response = client.post(f"/community/users/{member.id}/moderate", data=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<small id="{field_id}-error" class="field-error">{message}' in html
    # Linked to its field for screen readers.
    assert re.search(rf'aria-describedby="[^"]*{field_id}-error" aria-invalid="true"', html)
    # The profile itself, with what the moderator typed still in the form.
    assert "Moderate this member" in html and member.display_name in html
    assert f'value="{typed["reason"]}"' in html
    assert f'value="{typed["silence_hours"]}"' in html
    assert _silenced_until(app, member) is None
    assert forum.log_actions() == []


def test_silence_from_the_profile_works_and_shows(client, auth, factory, forum, app):
    member, moderator = factory.user(), factory.user("moderator")
    auth.login(moderator)
    profile = client.get(f"/community/users/{member.id}").get_data(as_text=True)
    assert 'id="silence_hours"' in profile and 'value="72"' in profile  # the configured default
    assert "In good standing" in profile
    response = client.post(
        f"/community/users/{member.id}/moderate",
        data={"action": "silence", "reason": "cool off", "silence_hours": "5"},
    )
    assert response.status_code == 302
    assert _silenced_until(app, member) is not None
    assert ("silence", "user", member.id, "cool off") in forum.log_actions()
    assert "Silenced" in client.get(f"/community/users/{member.id}").get_data(as_text=True)


def test_unknown_action_is_a_form_error(client, auth, factory, forum):
    member = factory.user()
    auth.login(factory.user("moderator"))
    response = client.post(f"/community/users/{member.id}/moderate", data={"action": "ban"})
    assert response.status_code == 422
    assert "Choose an action." in response.get_data(as_text=True)
    assert forum.log_actions() == []


def test_members_cannot_moderate_members(client, auth, factory, app):
    member = factory.user()
    auth.login(factory.user())
    profile = client.get(f"/community/users/{member.id}").get_data(as_text=True)
    assert "Moderate this member" not in profile
    data = {"action": "suspend", "confirm": "1"}
    assert client.post(f"/community/users/{member.id}/moderate", data=data).status_code == 403
    assert not _user(app, member).is_suspended


# --- Suspend (confirmed) and lift ---


def _sign_in(member_client, member) -> None:
    response = member_client.post(
        "/account/login", data={"email": member.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302


def test_suspend_asks_first_then_suspends_and_lifting_lets_them_sign_in(
    app, client, auth, factory, forum
):
    member, moderator = factory.user(display_name="Sam Spammer"), factory.user("moderator")
    member_client = app.test_client()
    _sign_in(member_client, member)
    assert member_client.get("/account/").status_code == 200

    auth.login(moderator)
    url = f"/community/users/{member.id}/moderate"
    asked = client.post(url, data={"action": "suspend", "reason": "Spam <links>"})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Suspend Sam Spammer&#39;s account?" in page
    assert "Reason for the log: Spam &lt;links&gt;" in page
    assert f'href="/community/users/{member.id}" role="button"' in page  # Cancel
    # Nothing happened yet.
    assert not _user(app, member).is_suspended
    assert forum.log_actions() == []
    assert member_client.get("/account/").status_code == 200

    action, fields = confirm_form(page)
    assert action == url
    assert fields == {"action": ["suspend"], "reason": ["Spam <links>"], "confirm": ["1"]}
    assert client.post(action, data=fields).status_code == 302
    assert _user(app, member).is_suspended
    assert ("suspend", "user", member.id, "Spam <links>") in forum.log_actions()
    assert member_client.get("/account/").status_code == 302  # signed out everywhere

    profile = client.get(f"/community/users/{member.id}").get_data(as_text=True)
    assert "The account is suspended" in profile and ">Suspended</span>" in profile
    assert 'id="unsuspend-user"' in profile and 'id="suspend-user"' not in profile

    lifted = client.post(url, data={"action": "unsuspend", "reason": "Appeal accepted"})
    assert lifted.status_code == 302
    assert not _user(app, member).is_suspended
    assert forum.log_actions()[-1] == ("unsuspend", "user", member.id, "Appeal accepted")
    assert "In good standing" in client.get(lifted.headers["Location"]).get_data(as_text=True)
    # The old session stays ended; signing in again works.
    assert member_client.get("/account/").status_code == 302
    _sign_in(member_client, member)
    assert member_client.get("/account/").status_code == 200


def test_suspended_member_cannot_sign_in_until_lifted(app, client, auth, factory, forum):
    member, moderator = factory.user(), factory.user("moderator")
    auth.login(moderator)
    url = f"/community/users/{member.id}/moderate"
    client.post(url, data={"action": "suspend", "confirm": "1"})
    other = app.test_client()
    login = {"email": member.email, "password": "correct horse battery"}
    refused = other.post("/account/login", data=login)
    assert refused.status_code != 302 and "suspended" in refused.get_data(as_text=True)
    client.post(url, data={"action": "unsuspend"})
    assert other.post("/account/login", data=login).status_code == 302


def test_lifting_refuses_an_account_that_is_not_suspended(client, auth, factory, forum):
    member = factory.user()
    auth.login(factory.user("moderator"))
    response = client.post(
        f"/community/users/{member.id}/moderate", data={"action": "unsuspend", "reason": "why"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This account isn&#39;t suspended." in html and 'value="why"' in html
    assert forum.log_actions() == []


def test_staff_cannot_be_suspended_and_no_confirmation_is_offered(client, auth, factory, app):
    agent = factory.user("agent_t1")
    auth.login(factory.user("moderator"))
    response = client.post(
        f"/community/users/{agent.id}/moderate", data={"action": "suspend", "reason": "no"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "can&#39;t be suspended" in html and 'id="confirm-form"' not in html
    assert not _user(app, agent).is_suspended


def test_unsuspend_service_is_for_moderators_and_audited(app, factory, forum, now):
    from app.accounts.models import User
    from app.forum import moderation, services
    from app.outbox import commit

    member, moderator, other = factory.user(), factory.user("moderator"), factory.user()
    with app.app_context():
        person = db.session.get(User, member.id)
        acting = db.session.get(User, moderator.id)
        moderation.suspend_user(person, acting, now, reason="spam")
        with pytest.raises(services.ForumError, match="Only moderators"):
            moderation.unsuspend_user(person, db.session.get(User, other.id), now)
        moderation.unsuspend_user(person, acting, now, reason="appeal")
        commit()
        assert not db.session.get(User, member.id).is_suspended
    assert forum.log_actions() == [
        ("suspend", "user", member.id, "spam"),
        ("unsuspend", "user", member.id, "appeal"),
    ]


def test_suspend_form_keeps_csrf_through_the_confirmation(app, client, auth, factory):
    member = factory.user()
    auth.login(factory.user("moderator"))
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/community/users/{member.id}/moderate"
    assert client.post(url, data={"action": "suspend", "confirm": "1"}).status_code == 400
    profile = client.get(f"/community/users/{member.id}").get_data(as_text=True)
    token = profile.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    asked = client.post(url, data={"action": "suspend", "csrf_token": token})
    assert asked.status_code == 200
    action, fields = confirm_form(asked.get_data(as_text=True))
    assert fields["csrf_token"][0]
    assert client.post(action, data=fields).status_code == 302
    assert _user(app, member).is_suspended


# --- Merge and split: confirmation, and the merge target's range ---


@pytest.mark.parametrize("target", ["99999999999999999999999", "0", "-4", "2147483648"])
def test_out_of_range_merge_target_is_a_field_error(client, auth, factory, forum, target):
    moderator = factory.user("moderator")
    thread_id = forum.thread(moderator)
    auth.login(moderator)
    response = client.post(
        f"/community/t/{thread_id}/moderate",
        data={"action": "merge", "target": target, "reason": "dupe", "confirm": "1"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<small id="target-error" class="field-error">There is no thread with that number.' in (
        html
    )
    assert forum.get_thread(thread_id).status == "published"


def test_merge_asks_first(client, auth, factory, forum):
    moderator = factory.user("moderator")
    source = forum.thread(moderator, title="Mildew again")
    target = forum.thread(moderator, title="Mildew on courgettes")
    auth.login(moderator)
    url = f"/community/t/{source}/moderate"
    assert 'id="merge-thread">Merge…' in client.get(url).get_data(as_text=True)
    # Refusals come before the question: merging a thread into itself.
    itself = client.post(url, data={"action": "merge", "target": source})
    assert itself.status_code == 422 and 'id="target-error"' in itself.get_data(as_text=True)
    asked = client.post(url, data={"action": "merge", "target": target, "reason": "same"})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Merge “Mildew again” into “Mildew on courgettes”?" in page
    assert f'href="{url}" role="button"' in page  # Cancel goes back to the moderation page
    assert forum.get_thread(source).status == "published"
    assert forum.log_actions() == []
    action, fields = confirm_form(page)
    assert fields == {
        "action": ["merge"], "target": [str(target)], "reason": ["same"], "confirm": ["1"]
    }  # fmt: skip
    done = client.post(action, data=fields)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/t/{target}")
    assert forum.get_thread(source).status == "merged"
    assert [entry[0] for entry in forum.log_actions()] == ["merge"]


def test_split_asks_first_and_carries_every_chosen_reply(client, auth, factory, forum):
    moderator, helper = factory.user("moderator"), factory.user("moderator")
    thread_id = forum.thread(moderator, title="Tomatoes")
    kept = forum.reply(thread_id, helper, "Stays here")
    first = forum.reply(thread_id, helper, "About peppers")
    second = forum.reply(thread_id, helper, "Peppers too")
    auth.login(moderator)
    url = f"/community/t/{thread_id}/moderate"
    untitled = client.post(url, data={"action": "split", "post_ids": [first]})
    assert untitled.status_code == 422 and 'id="title-error"' in untitled.get_data(as_text=True)
    data = {"action": "split", "post_ids": [first, second], "title": "Peppers", "reason": "topic"}
    asked = client.post(url, data=data)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Move 2 replies to a new thread?" in page
    assert f"#{first} by" in page and f"#{second} by" in page and f"#{kept} by" not in page
    assert forum.post(first).thread_id == thread_id
    assert forum.log_actions() == []
    action, fields = confirm_form(page)
    assert fields["post_ids"] == [str(first), str(second)] and fields["confirm"] == ["1"]
    done = client.post(action, data=fields)
    assert done.status_code == 302
    new_id = int(done.headers["Location"].rsplit("/", 1)[1])
    assert forum.post(first).thread_id == new_id and forum.post(second).thread_id == new_id
    assert forum.post(kept).thread_id == thread_id
    assert forum.get_thread(new_id).title == "Peppers"


# --- The review queue: reject and "hide and suspend author" ---


@pytest.mark.parametrize("action", ["reject", "suspend"])
def test_queue_actions_ask_first(client, auth, factory, forum, app, action):
    author, moderator = factory.user(display_name="Nina New"), factory.user("moderator")
    post_id = forum.opening(forum.thread(author, title="First question"))
    item_id = next(item[0] for item in forum.queue_items() if item[1] == post_id)
    auth.login(moderator)
    url = f"/community/moderation/queue/{item_id}"
    client.post(url, data={"action": "claim"})
    item_page = client.get(url).get_data(as_text=True)
    assert 'id="reject-item">Reject…' in item_page
    assert 'id="suspend-item">Hide and suspend author…' in item_page
    asked = client.post(url, data={"action": action, "reason": "junk", "body": "ignored"})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    expected = "Reject this post by Nina New?" if action == "reject" else "suspend Nina New?"
    assert expected in page
    assert "whole thread “First question” is removed" in page or action == "suspend"
    assert forum.post(post_id).status == "pending"
    assert not _user(app, author).is_suspended
    assert forum.log_actions() == []
    action_url, fields = confirm_form(page)
    assert fields == {"action": [action], "reason": ["junk"], "confirm": ["1"]}
    assert client.post(action_url, data=fields).status_code == 302
    assert forum.post(post_id).status == ("rejected" if action == "reject" else "hidden")
    assert _user(app, author).is_suspended is (action == "suspend")


def test_queue_suspend_of_a_moderator_is_refused_before_asking(client, auth, factory, forum):
    author, moderator, flagger = (
        factory.user("moderator"), factory.user("moderator"), factory.user(),
    )  # fmt: skip
    post_id = forum.opening(forum.thread(author))  # a moderator's post: published at once
    auth.login(flagger)
    client.post(f"/community/posts/{post_id}/flag", data={"reason": "spam"})
    auth.logout()
    item_id = next(item[0] for item in forum.queue_items() if item[1] == post_id)
    auth.login(moderator)
    url = f"/community/moderation/queue/{item_id}"
    client.post(url, data={"action": "claim"})
    response = client.post(url, data={"action": "suspend"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409  # the queue page's status for a form-level refusal
    assert "can&#39;t be suspended" in html and 'id="confirm-form"' not in html
    assert forum.post(post_id).status == "published"


def test_confirmation_is_plain_html(client, auth, factory, forum):
    moderator = factory.user("moderator")
    source, target = forum.thread(moderator), forum.thread(moderator, title="Other")
    auth.login(moderator)
    page = client.post(
        f"/community/t/{source}/moderate", data={"action": "merge", "target": target}
    ).get_data(as_text=True)
    article = page.split('<article class="narrow confirm-page">', 1)[1].split("</article>", 1)[0]
    assert "<script" not in article and "onclick" not in article
    assert '<form method="post" action="/community/t/' in article
    assert '<button type="submit" class="contrast" id="confirm-action">Yes, merge' in article
    assert 'aria-labelledby="confirm-heading"' in article
