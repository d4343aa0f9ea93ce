"""Requester and agent pages through the real routes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.tickets.models import Ticket, TicketDeflection, TicketEvent

FORM = {
    "category": "app",
    "subject": "Reminders stopped",
    "impact": "minor",
    "description": "No reminders since Monday.",
}


def _submit(client, **overrides):
    return client.post("/requests/new", data={**FORM, **overrides})


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/requests/new")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_submit_request_and_see_it(client, auth, factory, app):
    auth.login(factory.user())
    assert client.get("/requests/").status_code == 200
    assert "You have no requests yet" in client.get("/requests/").get_data(as_text=True)
    response = _submit(client)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Reminders stopped" in page
    assert re.search(r"We will reply by \w+", page)
    listing = client.get("/requests/").get_data(as_text=True)
    assert "Reminders stopped" in listing and "We will reply by" in listing
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert (ticket.channel, ticket.priority, ticket.status) == ("web", "medium", "new")


def test_submit_errors_next_to_field(client, auth, factory):
    auth.login(factory.user())
    response = _submit(client, subject="", impact="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="subject-error"' in html and "Enter a subject" in html
    assert 'id="impact-error"' in html


def test_guide_prefill_is_stored(client, auth, factory, app):
    auth.login(factory.user())
    page = client.get("/requests/new?guide=sync-not-working&steps=4").get_data(as_text=True)
    assert "sync-not-working" in page and 'value="sync-not-working"' in page
    _submit(client, guide="sync-not-working", steps="4")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert (ticket.guide_slug, ticket.guide_steps) == ("sync-not-working", 4)


def test_requester_reply_solve_reopen(client, auth, factory, app):
    auth.login(factory.user())
    location = _submit(client).headers["Location"]
    ticket_id = int(location.rstrip("/").rsplit("/", 1)[-1])
    assert client.post(f"/requests/{ticket_id}/reply", data={"body": ""}).status_code == 422
    assert (
        client.post(f"/requests/{ticket_id}/reply", data={"body": "More info"}).status_code == 302
    )
    client.post(f"/requests/{ticket_id}/solve")
    page = client.get(location).get_data(as_text=True)
    assert "This request is solved" in page and 'id="reopen"' in page
    client.post(f"/requests/{ticket_id}/reopen")
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket.status == "open"
        kinds = [e.kind for e in db.session.scalars(select(TicketEvent).order_by(TicketEvent.id))]
        assert kinds == ["created", "requester_reply", "status", "status"]


def test_agent_workspace_flow(app, factory, auth, client, mailbox):
    member = factory.user(display_name="Rosa")
    agent = factory.user("agent_t1", display_name="Agent Ada")
    auth.login(member)
    ticket_id = int(_submit(client).headers["Location"].rsplit("/", 1)[-1])
    auth.logout()
    auth.login(agent)
    queue = client.get("/requests/queue?tier=1").get_data(as_text=True)
    assert "Reminders stopped" in queue and "1 ticket," in queue
    assert "Reminders stopped" not in client.get("/requests/queue?tier=2").get_data(as_text=True)
    assert "Reminders stopped" not in client.get(
        "/requests/queue?tier=1&priority=critical"
    ).get_data(as_text=True)
    work = client.get(f"/requests/{ticket_id}/work")
    assert work.status_code == 200 and 'id="claim"' in work.get_data(as_text=True)
    assert client.post(f"/requests/{ticket_id}/claim").status_code == 302
    # Saved response fills the reply box with the requester's name.
    filled = client.get(f"/requests/{ticket_id}/work?template=need-more-details").get_data(
        as_text=True
    )
    assert "Hello Rosa," in filled
    client.post(f"/requests/{ticket_id}/agent-reply", data={"body": "Secret", "internal": "y"})
    client.post(
        f"/requests/{ticket_id}/agent-reply",
        data={"body": "Please update the app.", "status_after": "pending"},
    )
    response = client.post(
        f"/requests/{ticket_id}/properties",
        data={"priority": "high", "category": "bug", "status": "solved"},
    )
    assert response.status_code == 302
    subjects = [m["Subject"] for m in mailbox.messages()]
    assert any("New reply" in s for s in subjects)
    assert any("solved" in s for s in subjects)
    assert all("Secret" not in m.get_content() for m in mailbox.messages())
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert (ticket.assignee_id, ticket.priority, ticket.category, ticket.status) == (
            agent.id, "high", "bug", "solved",
        )  # fmt: skip
    auth.logout()
    auth.login(member)
    page = client.get(f"/requests/{ticket_id}").get_data(as_text=True)
    assert "Please update the app." in page and "Secret" not in page


def test_queue_filters_breached_and_at_risk(app, factory, auth, client, tickets):
    from tests.tickets.conftest import berlin

    member = factory.user()
    late = tickets.create(member, berlin(2026, 11, 2, 11, 0), subject="Old and late")
    fresh = tickets.create(member, datetime.now(UTC), subject="Brand new one")
    auth.login(factory.user("agent_t2"))
    # The old ticket went to Tier 2 long ago only once the timer ran; run it now.
    tickets.tick(datetime.now(UTC))
    with app.app_context():
        tier = db.session.get(Ticket, late).tier
        assert db.session.get(Ticket, fresh).tier == 1
    breached = client.get(f"/requests/queue?tier={tier}&breached=1").get_data(as_text=True)
    assert "Old and late" in breached and "Brand new one" not in breached
    at_risk = client.get("/requests/queue?tier=1&at_risk=1").get_data(as_text=True)
    assert "Brand new one" not in at_risk


def test_merge_needs_confirmation(app, factory, auth, client, tickets, now):
    member = factory.user()
    first = tickets.create(member, now, subject="First")
    second = tickets.create(member, now, subject="Duplicate")
    auth.login(factory.user("agent_t1"))
    assert client.get(f"/requests/{second}/merge").status_code == 200
    response = client.post(f"/requests/{second}/merge", data={"into": first})
    assert response.status_code == 422 and "Tick the box" in response.get_data(as_text=True)
    response = client.post(f"/requests/{second}/merge", data={"into": first, "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        duplicate = db.session.get(Ticket, second)
        assert (duplicate.status, duplicate.merged_into_id) == ("closed", first)


def test_sla_help_shows_policy_table(client, auth, factory):
    auth.login(factory.user("agent_t2"))
    html = client.get("/requests/help/sla").get_data(as_text=True)
    assert "First response" in html and "closing time" in html
    assert "Monday\u2013Friday 09:00\u201317:00" in html


def test_deflection_is_logged(client, auth, factory, app):
    user = factory.user()
    auth.login(user)
    response = client.post(
        "/requests/deflection",
        json={"query": "sync", "article_url": "/articles/sync", "outcome": "clicked"},
    )
    assert response.status_code == 204
    bad = client.post("/requests/deflection", json={"query": "x", "outcome": "nope"})
    assert bad.status_code == 422
    evil = client.post(
        "/requests/deflection",
        json={"query": "x", "article_url": "https://evil.example/", "outcome": "clicked"},
    )
    assert evil.status_code == 422
    with app.app_context():
        rows = db.session.scalars(select(TicketDeflection)).all()
        assert [(r.user_id, r.query, r.outcome) for r in rows] == [(user.id, "sync", "clicked")]
