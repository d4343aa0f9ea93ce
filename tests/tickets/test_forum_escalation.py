"""A forum thread becomes a ticket; the thread links to it; the resolution goes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.forum import services as forum
from app.forum.models import ForumCategory
from app.outbox import commit
from app.tickets.models import Ticket

OLD = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def app_config(tmp_path):
    # No pre-moderation: the thread is public at once, as an established member's would be.
    return {"FORUM_PREMODERATE_POSTS": 0, "TICKET_ATTACHMENT_DIR": str(tmp_path / "files")}


@pytest.fixture
def thread(app, factory):
    author = factory.user(created_at=OLD)
    with app.app_context():
        category = forum.category_by_slug("general")
        if category is None:  # PostgreSQL runs empty every table, seeded ones too
            category = ForumCategory(name="General", slug="general", description="", position=0)
            db.session.add(category)
            db.session.flush()
        created = forum.create_thread(
            db.session.merge(author), category, "Sync lost my plants",
            "After the update all my plants are gone.", datetime.now(UTC) - timedelta(hours=1),
        )  # fmt: skip
        thread_id = created.id
        commit()
    return {"author": author, "id": thread_id}


def test_author_escalates_thread(app, client, auth, thread):
    auth.login(thread["author"])
    page = client.get(f"/requests/escalate/{thread['id']}")
    assert page.status_code == 200 and "Sync lost my plants" in page.get_data(as_text=True)
    response = client.post(
        f"/requests/escalate/{thread['id']}", data={"category": "app", "impact": "broken"}
    )
    assert response.status_code == 302
    with app.app_context():
        ticket = db.session.scalar(db.select(Ticket))
        assert (ticket.channel, ticket.forum_thread_id, ticket.priority) == (
            "forum", thread["id"], "high",
        )  # fmt: skip
        assert ticket.requester_id == thread["author"].id
        assert forum.get_thread(thread["id"]).escalated_ticket_id == ticket.id
    # Once is enough.
    again = client.post(
        f"/requests/escalate/{thread['id']}", data={"category": "app", "impact": "broken"}
    )
    assert again.status_code == 422 and "already escalated" in again.get_data(as_text=True)


def test_others_cannot_escalate(client, auth, factory, thread):
    auth.login(factory.user())
    assert client.get(f"/requests/escalate/{thread['id']}").status_code == 404
    assert (
        client.post(
            f"/requests/escalate/{thread['id']}", data={"category": "app", "impact": "minor"}
        ).status_code
        == 404
    )
    assert client.get("/requests/escalate/999999").status_code == 404


def test_moderator_escalates_for_author_and_agent_posts_resolution(
    app, client, auth, factory, thread
):
    auth.login(factory.user("moderator"))
    response = client.post(
        f"/requests/escalate/{thread['id']}", data={"category": "privacy", "impact": "minor"}
    )
    assert response.status_code == 302
    with app.app_context():
        ticket = db.session.scalar(db.select(Ticket))
        assert ticket.requester_id == thread["author"].id
        ticket_id = ticket.id
    auth.logout()
    auth.login(factory.user("agent_t1"))
    work = client.get(f"/requests/{ticket_id}/work").get_data(as_text=True)
    assert "Sync lost my plants" in work and 'id="post-resolution"' in work
    response = client.post(
        f"/requests/{ticket_id}/thread-resolution", data={"body": "Fixed in version 2.4.1."}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with app.app_context():
        posts = [p.body for p in forum.get_thread(thread["id"]).posts]
        assert "Fixed in version 2.4.1." in posts


def _escalation_note(client, thread_id):
    page = client.get(f"/community/t/{thread_id}").get_data(as_text=True)
    return page.split('forum-escalated" role="status">', 1)[1].split("</p>", 1)[0]


def test_thread_says_escalated_until_an_agent_takes_the_request(app, client, auth, factory, thread):
    auth.login(thread["author"])
    client.post(f"/requests/escalate/{thread['id']}", data={"category": "app", "impact": "minor"})
    with app.app_context():
        ticket_id = db.session.scalar(db.select(Ticket.id))
    note = _escalation_note(client, thread["id"])
    assert note.startswith("Escalated to support") and f"#{ticket_id}" in note
    assert "agent is on it" not in note
    auth.logout()
    auth.login(factory.user("agent_t1"))
    assert client.post(f"/requests/{ticket_id}/claim").status_code == 302
    auth.logout()
    note = _escalation_note(client, thread["id"])
    assert note.startswith("A support agent is on it") and f"#{ticket_id}" in note


def test_an_agents_reply_or_assignment_also_counts_as_taken(app, client, auth, factory, thread):
    auth.login(factory.user("moderator"))
    client.post(f"/requests/escalate/{thread['id']}", data={"category": "app", "impact": "minor"})
    with app.app_context():
        ticket_id = db.session.scalar(db.select(Ticket.id))
    auth.logout()
    auth.login(factory.user("agent_t1"))
    client.post(f"/requests/{ticket_id}/agent-reply", data={"body": "Internal", "internal": "y"})
    assert _escalation_note(client, thread["id"]).startswith("Escalated to support")
    client.post(f"/requests/{ticket_id}/agent-reply", data={"body": "Which version do you use?"})
    assert _escalation_note(client, thread["id"]).startswith("A support agent is on it")
