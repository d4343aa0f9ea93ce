"""Privacy requests from a "Data and Privacy" ticket: an agent asks with a reason, another admin
approves or rejects (four eyes), every step is in the ticket's log, the ticket shows the result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db


@pytest.fixture
def people(factory):
    return {
        "requester": factory.user(),
        "agent": factory.user("agent_t1"),
        "admin": factory.user("admin"),
        "other_admin": factory.user("admin"),
    }


def _as(app, user, action, *args):
    """Run a service as ``user`` (re-read in this context), commit, return the result's id."""
    from app.accounts.models import User
    from app.outbox import commit

    with app.app_context():
        result = action(db.session.get(User, user.id), *args)
        commit()
        return getattr(result, "id", None)


def _ask(app, agent, ticket_id, kind, now, reason="Asked by e-mail, identity checked"):
    from app.privacy import requests
    from app.tickets.models import Ticket

    def action(user):
        return requests.request_for_ticket(
            user, db.session.get(Ticket, ticket_id), kind, reason, False, now
        )

    return _as(app, agent, action)


def _decide(app, admin, request_id, now, note=None):
    from app.privacy import requests

    def action(user):
        row = requests.get_request(request_id)
        if note is None:
            requests.approve(user, row, now)
        else:
            requests.reject(user, row, note, now)

    return _as(app, admin, action)


def _log(app, ticket_id) -> list[dict]:
    from app.tickets.models import TicketEvent

    with app.app_context():
        events = db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "privacy_request")
            .order_by(TicketEvent.id)
        )
        return [{"actor": event.actor_id, **event.after} for event in events]


@pytest.mark.parametrize(
    ("who", "category", "kind", "reason", "error"),
    [
        ("requester", "privacy", "export", "why", "PermissionDenied"),  # not an agent
        ("agent", "billing", "export", "why", "PermissionDenied"),  # not a privacy ticket
        ("agent", "privacy", "export", "  ", "DomainError"),  # no reason
        ("agent", "privacy", "archive", "why", "DomainError"),  # no such kind
    ],
)
def test_only_agents_ask_on_privacy_tickets_with_a_reason(
    app, factory, people, now, who, category, kind, reason, error
):
    ticket_id = factory.ticket(people["requester"], now, category=category)
    with pytest.raises(Exception) as refused:
        _ask(app, people[who], ticket_id, kind, now, reason)
    assert type(refused.value).__name__ == error


def test_an_admin_never_approves_their_own_request(app, factory, people, now):
    from app.errors import PermissionDenied
    from app.privacy.request_models import PrivacyRequest

    ticket_id = factory.ticket(people["requester"], now, category="privacy")
    request_id = _ask(app, people["admin"], ticket_id, "export", now)
    with pytest.raises(PermissionDenied):
        _decide(app, people["admin"], request_id, now)
    with pytest.raises(PermissionDenied):  # the agent who asked is no admin at all
        _decide(app, people["agent"], request_id, now)
    _decide(app, people["other_admin"], request_id, now + timedelta(minutes=5))
    with app.app_context():
        row = db.session.get(PrivacyRequest, request_id)
        assert (row.status, row.decided_by_id) == ("approved", people["other_admin"].id)
        assert row.due_at == now + timedelta(minutes=5)
    assert [(e["step"], e["actor"]) for e in _log(app, ticket_id)] == [
        ("requested", people["admin"].id),
        ("approved", people["other_admin"].id),
    ]


def test_a_decided_request_is_not_decided_twice(app, factory, people, now):
    from app.errors import DomainError

    ticket_id = factory.ticket(people["requester"], now, category="privacy")
    request_id = _ask(app, people["agent"], ticket_id, "export", now)
    _decide(app, people["admin"], request_id, now)
    with pytest.raises(DomainError, match="decided already"):
        _decide(app, people["other_admin"], request_id, now, note="No")


def test_one_open_request_of_a_kind_per_person(app, factory, people, now):
    from app.errors import DomainError

    ticket_id = factory.ticket(people["requester"], now, category="privacy")
    _ask(app, people["agent"], ticket_id, "erasure", now)
    with pytest.raises(DomainError, match="already open"):
        _ask(app, people["agent"], ticket_id, "erasure", now)
    assert _ask(app, people["agent"], ticket_id, "export", now)


def test_rejecting_needs_a_reason_and_logs_it(app, factory, people, now):
    from app.errors import DomainError

    ticket_id = factory.ticket(people["requester"], now, category="privacy")
    request_id = _ask(app, people["agent"], ticket_id, "erasure", now)
    with pytest.raises(DomainError) as refused:
        _decide(app, people["admin"], request_id, now, note=" ")
    assert refused.value.field == "note"
    _decide(app, people["admin"], request_id, now, note="Identity not verified")
    assert _log(app, ticket_id)[-1] == {
        "actor": people["admin"].id, "step": "rejected", "request": request_id,
        "kind": "erasure", "reason": "Identity not verified",
    }  # fmt: skip


def test_an_approved_erasure_cools_off_and_signing_in_cancels_it(
    app, client, auth, factory, people, now, mailbox
):
    from app.privacy.request_models import PrivacyRequest

    ticket_id = factory.ticket(people["requester"], now, category="privacy")
    request_id = _ask(app, people["agent"], ticket_id, "erasure", now)
    _decide(app, people["admin"], request_id, now)
    with app.app_context():
        row = db.session.get(PrivacyRequest, request_id)
        assert (row.status, row.due_at) == ("waiting", now + timedelta(days=7))
    assert mailbox.messages()[-1]["To"] == people["requester"].email
    assert auth.login(people["requester"]).headers["Location"].endswith("/account/delete/cancelled")
    steps = [e["step"] for e in _log(app, ticket_id)]
    assert steps == ["requested", "approved", "cancelled"]


def test_the_agent_and_the_admin_pages(app, client, auth, factory, people, now):
    ticket_id = factory.ticket(people["requester"], now, category="privacy")
    other_ticket = factory.ticket(people["requester"], now, category="billing")
    auth.login(people["agent"])
    assert 'id="privacy-panel"' not in client.get(f"/requests/{other_ticket}/work").text
    assert 'id="privacy-panel"' in client.get(f"/requests/{ticket_id}/work").text
    empty = client.post(f"/privacy/tickets/{ticket_id}/request", data={"kind": "export"})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.text
    asked = client.post(
        f"/privacy/tickets/{ticket_id}/request",
        data={"kind": "export", "reason": "Asked in the ticket", "posts": "anonymise"},
    )
    assert asked.status_code == 302
    work = client.get(f"/requests/{ticket_id}/work").text
    assert (
        "waiting for an admin&#39;s approval" in work or "waiting for an admin's approval" in work
    )
    assert "asked for an export of the requester" in work  # the ticket's log
    assert client.get("/admin/privacy/requests").status_code == 403

    auth.switch_to(people["admin"])
    listing = client.get("/admin/privacy/requests").text
    assert "Asked in the ticket" in listing
    from app.privacy.request_models import PrivacyRequest

    with app.app_context():
        request_id = db.session.scalars(select(PrivacyRequest.id)).one()
    refused = client.post(f"/admin/privacy/requests/{request_id}", data={"reject": "Reject"})
    assert refused.status_code == 422 and 'id="note-error"' in refused.text
    approved = client.post(f"/admin/privacy/requests/{request_id}", data={"approve": "Approve"})
    assert approved.status_code == 302
    assert "about to start" in client.get(f"/admin/privacy/requests/{request_id}").text


def test_the_admin_who_asked_sees_why_they_cannot_decide(app, client, auth, factory, people, now):
    ticket_id = factory.ticket(people["requester"], now, category="privacy")
    request_id = _ask(app, people["admin"], ticket_id, "export", now)
    auth.login(people["admin"])
    page = client.get(f"/admin/privacy/requests/{request_id}").text
    assert 'id="four-eyes"' in page and 'id="approve"' not in page
    forced = client.post(f"/admin/privacy/requests/{request_id}", data={"approve": "Approve"})
    assert forced.status_code == 403 and "Another admin must decide" in forced.text


def test_an_approved_erasure_runs_after_the_cooling_off_and_the_ticket_shows_the_counts(
    app, client, auth, factory, people, now
):
    from app.tickets.sla.tick import run_tick_jobs

    ticket_id = factory.ticket(people["requester"], now, category="privacy")
    request_id = _ask(app, people["agent"], ticket_id, "erasure", now)
    _decide(app, people["admin"], request_id, now)
    with app.app_context():
        assert run_tick_jobs(now + timedelta(days=7))["privacy requests"] == {"done": 1}
    steps = _log(app, ticket_id)
    assert [e["step"] for e in steps] == ["requested", "approved", "started", "done"]
    assert steps[-1]["deleted"] >= 1 and steps[-1]["actor"] is None
    auth.login(people["agent"])
    work = client.get(f"/requests/{ticket_id}/work").text
    assert f"{steps[-1]['deleted']} rows deleted" in work  # the panel
    assert "The privacy job finished the erasure of the requester" in work  # the log
