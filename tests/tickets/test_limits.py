"""Limits on opening tickets and uploading attachments (per account and per client address,
site and API together), and on-call paging throttled for repeated Critical tickets."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.outbox import commit
from app.tickets.models import Ticket, TicketEvent

# 400 KB: three of them exceed a 1 MB budget (and each request stays below the 500 KB at which
# the test client spools its body to a temporary file it never closes).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * (400 * 1024)


@pytest.fixture
def app_config(tmp_path):
    return {
        "TICKET_ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "RATELIMIT_ENABLED": True,
        "TICKET_CREATE_LIMIT_PER_ACCOUNT": "2 per hour",
        "TICKET_CREATE_LIMIT_PER_IP": "3 per hour",
        "TICKET_UPLOAD_MB_PER_ACCOUNT": "1 per hour",
        "TICKET_UPLOAD_MB_PER_IP": "100 per hour",
    }


def _form(**extra):
    return {"category": "app", "subject": "Reminders stopped", "description": "Since Monday.",
            "impact": "minor", **extra}  # fmt: skip


def _count(app, model=Ticket) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def _token(app, user) -> dict[str, str]:
    from app.api.services import create_token

    with app.app_context():
        plain = create_token(db.session.merge(user), "Phone", datetime.now(UTC)).plain
        commit()
    return {"Authorization": f"Bearer {plain}"}


def test_an_account_opens_a_limited_number_of_tickets(app, client, auth, factory):
    auth.login(factory.user())
    for _ in range(2):
        assert client.post("/requests/new", data=_form()).status_code == 302
    refused = client.post("/requests/new", data=_form())
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    page = refused.get_data(as_text=True)
    assert "You have opened several requests in a short time" in page
    assert 'value="Reminders stopped"' in page  # the form keeps what was typed
    assert _count(app) == 2


def test_a_form_error_does_not_use_up_the_limit(app, client, auth, factory):
    auth.login(factory.user())
    for _ in range(3):
        assert client.post("/requests/new", data=_form(subject="")).status_code == 422
    assert client.post("/requests/new", data=_form()).status_code == 302


def test_one_address_opens_a_limited_number_of_tickets(app, client, auth, factory):
    for account in range(2):
        auth.login(factory.user())
        for _ in range(2 if account == 0 else 1):
            assert client.post("/requests/new", data=_form()).status_code == 302
        auth.logout()
    auth.login(factory.user())  # a fresh account, same address: the address's budget is spent
    assert client.post("/requests/new", data=_form()).status_code == 429
    assert _count(app) == 3


def test_attachment_bytes_are_limited_per_account(app, client, auth, factory):
    auth.login(factory.user())
    first = client.post("/requests/new", data=_form(attachments=[(io.BytesIO(PNG), "a.png")]))
    assert first.status_code == 302
    ticket_id = int(first.headers["Location"].rsplit("/", 1)[1])
    reply = {"body": "Another screenshot", "attachments": [(io.BytesIO(PNG), "b.png")]}
    assert client.post(f"/requests/{ticket_id}/reply", data=reply).status_code == 302
    reply = {"body": "And one more", "attachments": [(io.BytesIO(PNG), "c.png")]}
    refused = client.post(f"/requests/{ticket_id}/reply", data=reply)
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert "You have uploaded a lot of attachments recently" in refused.get_data(as_text=True)
    # Without files the reply goes through: only the bytes are limited.
    assert (
        client.post(f"/requests/{ticket_id}/reply", data={"body": "Text only"}).status_code == 302
    )


def test_the_api_shares_the_limit_and_answers_429(app, client, auth, factory):
    member = factory.user()
    headers = _token(app, member)
    auth.login(member)
    assert client.post("/requests/new", data=_form()).status_code == 302
    auth.logout()
    body = {"category": "app", "subject": "Sync", "description": "Broken.", "impact": "minor"}
    assert client.post("/api/v1/requests", json=body, headers=headers).status_code == 201
    refused = client.post("/api/v1/requests", json=body, headers=headers)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and "opened several requests" in error["message"]
    assert _count(app) == 2


def test_limits_can_be_switched_off(app, client, auth, factory):
    app.config["RATELIMIT_ENABLED"] = False
    auth.login(factory.user())
    for _ in range(4):
        assert client.post("/requests/new", data=_form()).status_code == 302


def _pages(mailbox) -> list[str]:
    return [m["Subject"] for m in mailbox.messages() if "[Critical]" in m["Subject"]]


def _kinds(app, ticket_id) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(TicketEvent.kind)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.id)
            )
        )


def test_repeated_critical_tickets_page_on_call_once_per_window(
    app, factory, tickets, mailbox, now
):
    factory.user("agent_t3", email="oncall@example.com")
    member, other = factory.user(), factory.user()
    first = tickets.create(member, now, impact="blocked")
    assert len(_pages(mailbox)) == 1
    assert "on_call_paged" in _kinds(app, first)
    # Again within the window: the ticket is created and at Tier 3, but nobody is paged again.
    second = tickets.create(member, now + timedelta(minutes=10), impact="blocked")
    assert len(_pages(mailbox)) == 1
    with app.app_context():
        ticket = tickets.get(second)
        assert (ticket.priority, ticket.tier) == ("critical", 3)
        throttled = next(e for e in tickets.events(second) if e.kind == "page_throttled")
        assert throttled.after == {"tier": 3, "window_minutes": 30, "paged_for": first}
    assert "on_call_paged" not in _kinds(app, second)
    # Another requester's Critical ticket still pages, and so does this one's after the window.
    tickets.create(other, now + timedelta(minutes=11), impact="blocked")
    assert len(_pages(mailbox)) == 2
    tickets.create(member, now + timedelta(minutes=31), impact="blocked")
    assert len(_pages(mailbox)) == 3


def test_an_agent_raising_a_ticket_to_critical_always_pages(app, factory, tickets, mailbox, now):
    from app.tickets import workspace

    factory.user("agent_t3", email="oncall@example.com")
    agent, member = factory.user("agent_t1"), factory.user()
    tickets.create(member, now, impact="blocked")
    ticket_id = tickets.create(member, now, impact="minor")
    with app.app_context():
        workspace.change_properties(
            db.session.merge(agent), tickets.get(ticket_id), now + timedelta(minutes=5),
            priority="critical",
        )  # fmt: skip
        commit()
    assert len(_pages(mailbox)) == 2
