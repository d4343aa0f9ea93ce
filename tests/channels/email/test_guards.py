"""Loops, floods, bounces and outages: the per-sender limit quarantines, an admin retries or
discards at the quarantine page (others get 404/403), a bounce of our reply is noted on the
ticket and marks the address, and a database outage makes `mail receive` exit 75."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import select

from app import create_app
from app.channels.models import ChannelIdentity, InboundMessage
from app.extensions import db
from app.outbox import commit
from app.tickets.models import Ticket, TicketEvent
from app.tickets.workspace import agent_reply
from tests.conftest import site_config


@pytest.fixture
def app_config():
    return {"EMAIL_SENDER_MAX_PER_HOUR": 2}


def letter(number: int, sender="flood@example.org") -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = sender, "support@growgrebuddy.com"
    message["Subject"], message["Message-ID"] = f"Question {number}", f"<n{number}@example.org>"
    message.set_content("Hello?")
    return bytes(message)


def receive(runner, raw: bytes) -> str:
    result = runner.invoke(args=["mail", "receive"], input=raw)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_flood_is_quarantined_and_an_admin_retries_or_discards(
    app, runner, client, auth, factory
):
    outputs = [receive(runner, letter(n)) for n in range(4)]
    assert [o.split(":")[0].strip() for o in outputs] == [
        "ticket",
        "ticket",
        "quarantined",
        "quarantined",
    ]
    member, agent, admin = factory.user(), factory.user("agent_t1"), factory.user("admin")
    with app.app_context():
        held = db.session.scalars(
            select(InboundMessage.id).where(InboundMessage.outcome == "quarantined")
            .order_by(InboundMessage.id)
        ).all()  # fmt: skip
    for who, status in ((member, 403), (agent, 403)):
        auth.switch_to(who) if who is not member else auth.login(who)
        assert client.get("/admin/mail/quarantine").status_code == status
        assert client.get(f"/admin/mail/messages/{held[0]}.eml").status_code == 404
    auth.switch_to(admin)
    page = client.get("/admin/mail/quarantine")
    assert page.status_code == 200 and b"EMAIL_SENDER_MAX_PER_HOUR" in page.data
    original = client.get(f"/admin/mail/messages/{held[0]}.eml")
    assert original.headers["Content-Disposition"].startswith("attachment")
    assert original.data == letter(2)
    assert client.post(f"/admin/mail/quarantine/{held[0]}/retry").status_code == 302
    assert client.get(f"/admin/mail/quarantine/{held[1]}/discard").status_code == 200
    assert client.post(f"/admin/mail/quarantine/{held[1]}/discard").status_code == 302
    assert client.post(f"/admin/mail/quarantine/{held[1]}/retry").status_code == 404
    with app.app_context():
        outcomes = [db.session.get(InboundMessage, record_id).outcome for record_id in held]
        assert outcomes == ["ticket", "discarded"]
        assert len(db.session.scalars(select(Ticket)).all()) == 3


def test_a_bounce_of_our_reply_is_noted_on_the_ticket_and_marks_the_address(
    app, runner, mailbox, factory, now
):
    receive(runner, letter(1, "gone@example.net"))
    agent = factory.user("agent_t1")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        agent_reply(agent, ticket, "Try again", now)
        commit()
        ticket_id = ticket.id
    ours = mailbox.messages()[-1]
    dsn = (
        "From: MAILER-DAEMON@mx.example.net\r\nTo: support@growgrebuddy.com\r\n"
        "Subject: Undelivered\r\nMessage-ID: <dsn1@mx.example.net>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {ours['Message-ID']}\r\n\r\n"
        "--B--\r\n"
    ).encode()
    sent = len(mailbox.messages())
    assert receive(runner, dsn).startswith("bounce")
    assert len(mailbox.messages()) == sent  # never answered
    with app.app_context():
        assert len(db.session.scalars(select(Ticket)).all()) == 1
        identity = db.session.scalar(select(ChannelIdentity))
        assert identity.bouncing_since is not None
        event = db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                      TicketEvent.kind == "channel_event")
        ).one()  # fmt: skip
        assert (
            event.after["what"] == "bounce" and "gone@example.net: 5.1.1" in event.after["detail"]
        )


def test_receive_exits_75_when_the_database_is_unavailable(app, runner, tmp_path):
    # A real outage: the same site with its database server gone (nothing listens on port 9).
    gone = create_app(site_config("postgresql://postgres@127.0.0.1:9/helpcenter", tmp_path))
    result = gone.test_cli_runner().invoke(args=["mail", "receive"], input=letter(9))
    assert result.exit_code == 75, result.output
    with gone.app_context():
        db.engine.dispose()
    # Nothing was lost: the MTA's retry, once the database is back, imports it.
    assert receive(runner, letter(9)).startswith("ticket")
