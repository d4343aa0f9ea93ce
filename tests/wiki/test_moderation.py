"""Protection, hidden revisions, rollback, the review rule (rejecting asks first), watching
and CSRF."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.wiki.models import WikiPage
from tests.conftest import confirm_form


@pytest.mark.parametrize(
    ("level", "member", "contributor", "moderator"),
    [("none", True, True, True), ("semi", False, True, True), ("full", False, False, True)],
)
def test_protection_levels(client, factory, wiki, level, member, contributor, moderator, auth):
    users = {"member": factory.user(), "contributor": factory.user("contributor"),
             "moderator": factory.user("moderator")}  # fmt: skip
    auth.switch_to(users["moderator"])
    wiki.create()
    if level != "none":
        assert client.post("/wiki/basil-care/protect", data={"level": level}).status_code == 302
    for role, allowed in (("member", member), ("contributor", contributor),
                          ("moderator", moderator)):  # fmt: skip
        auth.switch_to(users[role])
        assert (client.get("/wiki/basil-care/edit").status_code == 200) is allowed, role
        base = str(wiki.page("basil-care").current_revision_id)
        response = client.post(
            "/wiki/basil-care/edit",
            data={"body": f"By {role}.\n", "edit_token": role, "base_revision_id": base},
        )
        assert response.status_code == (302 if allowed else 403), role


def test_only_moderators_protect(client, factory, wiki, auth):
    auth.switch_to(factory.user("contributor"))
    wiki.create()
    assert client.post("/wiki/basil-care/protect", data={"level": "full"}).status_code == 403


def test_hidden_revision_is_gone_for_readers_and_search(client, factory, wiki, app, auth):
    member, moderator = factory.user(), factory.user("moderator")
    auth.switch_to(member)
    wiki.create(body="Good advice.\n")
    wiki.save("basil-care", "Call 555-SPAM now!\n")
    spam = wiki.revisions("basil-care")[-1]
    auth.switch_to(moderator)
    assert client.get(f"/wiki/basil-care/revisions/{spam.id}/hide").status_code == 200
    assert client.post(f"/wiki/basil-care/revisions/{spam.id}/hide").status_code == 302
    assert "555-SPAM" in client.get(f"/wiki/basil-care/revisions/{spam.id}").get_data(as_text=True)
    auth.switch_to(member)
    for url in ("/wiki/basil-care", f"/wiki/basil-care/revisions/{spam.id}",
                "/wiki/basil-care/history", "/wiki/recent"):  # fmt: skip
        assert "555-SPAM" not in client.get(url).get_data(as_text=True), url
    assert "Good advice." in client.get("/wiki/basil-care").get_data(as_text=True)
    assert client.get(f"/wiki/basil-care/diff?to={spam.id}").status_code == 403
    # Reverting to a hidden revision would publish it again.
    assert client.get(f"/wiki/basil-care/revisions/{spam.id}/revert").status_code == 403
    with app.app_context():
        page = db.session.scalar(select(WikiPage))
        assert page.current_revision.body_text == "Good advice."
    # Editing from the public text replaces the hidden head.
    form = wiki.edit_form("basil-care")
    assert wiki.save("basil-care", "Good advice, improved.\n", form=form).status_code == 302
    assert "555-SPAM" not in wiki.revisions("basil-care")[-1].body


def test_rollback_undoes_consecutive_edits_of_one_user(client, factory, wiki, auth):
    ann, vandal, moderator = factory.user(), factory.user(), factory.user("moderator")
    auth.switch_to(ann)
    wiki.create(body="Fine.\n")
    auth.switch_to(vandal)
    wiki.save("basil-care", "Bad 1.\n")
    wiki.save("basil-care", "Bad 2.\n")
    auth.switch_to(moderator)
    assert client.get(f"/wiki/basil-care/rollback/{ann.id}").status_code == 404
    assert client.get(f"/wiki/basil-care/rollback/{vandal.id}").status_code == 200
    assert client.post(f"/wiki/basil-care/rollback/{vandal.id}").status_code == 302
    last = wiki.revisions("basil-care")[-1]
    assert (last.kind, last.body) == ("rollback", "Fine.\n")
    assert "Rolled back 2 edits" in last.summary
    auth.switch_to(ann)
    assert client.post(f"/wiki/basil-care/rollback/{vandal.id}").status_code == 403


def test_watchers_are_emailed_with_unsubscribe_link(client, factory, wiki, mailbox, app, auth):
    watcher, editor = factory.user(display_name="Wendy"), factory.user(display_name="Ed")
    auth.switch_to(editor)
    wiki.create()
    auth.switch_to(watcher)
    assert client.post("/wiki/basil-care/watch", data={"action": "watch"}).status_code == 302
    wiki.save("basil-care", "My own edit.\n")  # no mail to the editor themself
    assert mailbox.messages() == []
    auth.switch_to(editor)
    wiki.save("basil-care", "Ed's edit.\n", summary="Fixed typo")
    [message] = mailbox.messages()
    assert message["To"] == watcher.email
    text = message.get_content()
    assert "Ed changed" in text and "Fixed typo" in text
    link = re.search(r"http://help\.test(/wiki/unwatch/\S+)", text).group(1)
    assert client.get(link).status_code == 200  # a confirmation, not the action
    assert client.post(link).status_code == 200
    wiki.save("basil-care", "Another.\n")
    assert len(mailbox.messages()) == 1
    assert client.post("/wiki/unwatch/forged-token").status_code == 410


def test_forms_need_csrf(client, factory, wiki, app, auth):
    user = factory.user()
    auth.switch_to(user)
    wiki.create()
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/wiki/preview", data={"body": "x"}).status_code == 400
    response = client.post("/wiki/basil-care/edit", data={"body": "x", "edit_token": "t"})
    assert response.status_code == 400
    assert len(wiki.revisions("basil-care")) == 1


@pytest.mark.parametrize("app_config", [{"WIKI_REVIEW_FIRST_EDITS": 1, "WIKI_NEW_ACCOUNT_DAYS": 7}])
def test_rejecting_a_held_edit_asks_first(app_config, client, factory, wiki, auth):
    veteran, newcomer, moderator = (
        factory.user("contributor"), factory.user(display_name="Nell"), factory.user("moderator"),
    )  # fmt: skip
    auth.switch_to(veteran)
    wiki.create(body="Intro.\n")
    auth.switch_to(newcomer)
    wiki.save("basil-care", "Intro.\n\nBuy pills.\n", summary="More tips")
    [held] = wiki.revisions("basil-care", status="pending")
    auth.switch_to(moderator)
    assert f'id="reject-{held.id}" class="secondary">Reject…' in client.get(
        "/wiki/review"
    ).get_data(as_text=True)
    assert client.post(f"/wiki/review/{held.id}", data={"decision": "ban"}).status_code == 400
    asked = client.post(f"/wiki/review/{held.id}", data={"decision": "reject"})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Reject the edit to “Basil care”?" in page and "The edit by Nell (More tips)" in page
    assert 'href="/wiki/review" role="button"' in page  # Cancel
    assert f"/wiki/basil-care/diff?from={held.parent_id}&amp;to={held.id}" in page
    assert [r.id for r in wiki.revisions("basil-care", status="pending")] == [held.id]
    action, fields = confirm_form(page)
    assert action == f"/wiki/review/{held.id}"
    assert fields == {"decision": ["reject"], "confirm": ["1"]}
    assert client.post(action, data=fields).status_code == 302
    assert wiki.revisions("basil-care", status="pending") == []
    assert [r.id for r in wiki.revisions("basil-care", status="rejected")] == [held.id]
    assert wiki.revisions("basil-care")[-1].body == "Intro.\n"
