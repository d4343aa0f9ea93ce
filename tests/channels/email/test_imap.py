"""`flask mail fetch` against a real Dovecot, mail delivered over real SMTP: the 'done when'
round trip, marking what was imported, and two fetchers on one mailbox."""

from __future__ import annotations

import smtplib
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.outbox import commit
from app.tickets.models import Ticket, TicketMessage
from app.tickets.workspace import agent_reply

from .conftest import PASSWORD


@pytest.fixture
def app_config(dovecot, smtp_to_dovecot):
    return {
        "EMAIL_IMAP_HOST": "127.0.0.1",
        "EMAIL_IMAP_PORT": dovecot.port,
        "EMAIL_IMAP_SECURITY": "none",
        "EMAIL_IMAP_USERNAME": "support",
        "EMAIL_IMAP_PASSWORD": PASSWORD,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_to_dovecot.port,
        "MAIL_USE_TLS": False,
    }


def send(smtp_to_dovecot, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_to_dovecot.port, timeout=10) as client:
        client.send_message(message)


def fetch(runner) -> str:
    result = runner.invoke(args=["mail", "fetch"])
    assert result.exit_code == 0, result.output
    return result.output


def test_mailbox_to_ticket_reply_to_mailbox_and_back(
    app, runner, dovecot, smtp_to_dovecot, factory, now
):
    first = EmailMessage()
    first["From"], first["To"] = "Ana <ana@growgrebuddy.com>", "support@growgrebuddy.com"
    first["Subject"], first["Message-ID"] = "Basil reminders stopped", "<ana-1@growgrebuddy.com>"
    first.set_content("Since Monday no reminder arrives.")
    send(smtp_to_dovecot, first)
    assert "imported 1 message(s)" in fetch(runner)
    assert "imported 0 message(s)" in fetch(runner)  # marked: not imported twice
    assert all("$HelpcenterImported" in flags for flags in dovecot.flags("support"))
    # A fetch leaves its receipts to the outbox drain (a batch never waits on the mail server).
    assert dovecot.messages("ana") == []
    assert runner.invoke(args=["outbox", "drain"]).exit_code == 0
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert (ticket.channel, ticket.subject) == ("email", "Basil reminders stopped")
        ticket_id = ticket.id
    agent = factory.user("agent_t1")
    with app.app_context():
        agent_reply(agent, db.session.get(Ticket, ticket_id), "Please update to 2.4.1.", now)
        commit()
    inbox = [message_from_bytes(raw, policy=policy.default) for raw in dovecot.messages("ana")]
    assert [m["Auto-Submitted"] for m in inbox] == ["auto-replied", None]
    answer = inbox[-1]
    assert answer["In-Reply-To"] == "<ana-1@growgrebuddy.com>"
    assert inbox[0]["Message-ID"] in answer["References"]

    reply = EmailMessage()
    reply["From"], reply["To"] = "Ana <ana@growgrebuddy.com>", answer["Reply-To"]
    reply["Subject"], reply["Message-ID"] = "Re: " + answer["Subject"], "<ana-2@growgrebuddy.com>"
    reply["In-Reply-To"] = answer["Message-ID"]
    reply["References"] = f"{answer['References']} {answer['Message-ID']}"
    text = answer.get_body(("plain",)).get_content()
    quoted = "\n".join("> " + line for line in text.splitlines())
    reply.set_content(f"That fixed it, thank you!\n\nOn Tuesday Support wrote:\n{quoted}\n")
    send(smtp_to_dovecot, reply)
    assert "imported 1 message(s)" in fetch(runner)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1
        last = db.session.scalars(select(TicketMessage).order_by(TicketMessage.id.desc())).first()
        assert (last.ticket_id, last.body) == (ticket_id, "That fixed it, thank you!")


def test_two_fetchers_on_one_mailbox_make_one_ticket_per_message(app, dovecot):
    from app.channels.email.imap import connect, fetch_once

    for number in range(6):
        message = EmailMessage()
        message["From"], message["To"] = f"p{number}@example.org", "support@growgrebuddy.com"
        message["Subject"], message["Message-ID"] = f"Question {number}", f"<q{number}@example.org>"
        message.set_content("Hello")
        dovecot.deliver("support", bytes(message))
    results = []

    def host():
        with app.app_context():
            client = connect()
            try:
                results.append(fetch_once(client))
            finally:
                client.logout()
            db.session.remove()

    # Two hosts at once on one mailbox; what one leaves (a locked database) the next run takes.
    hosts = [threading.Thread(target=host) for _ in range(2)]
    for thread in hosts:
        thread.start()
    for thread in hosts:
        thread.join(60)
    host()
    assert len(results) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 6
    assert all("$HelpcenterImported" in flags for flags in dovecot.flags("support"))


def test_idle_wakes_on_new_mail_and_times_out_without(app, dovecot):
    from app.channels.email.imap import connect, pending_uids, wait_for_mail

    with app.app_context():
        client = connect()
        try:
            assert wait_for_mail(client, 0.5) is False
            message = EmailMessage()
            message["From"], message["To"] = "idle@example.org", "support@growgrebuddy.com"
            message["Subject"], message["Message-ID"] = "Idle", "<idle@example.org>"
            message.set_content("Wake up")
            later = threading.Timer(0.5, dovecot.deliver, ("support", bytes(message)))
            later.start()
            started = time.monotonic()
            assert wait_for_mail(client, 20) is True
            assert time.monotonic() - started < 10
            later.join()
            # The connection is usable after IDLE: the new message is there to fetch.
            assert len(pending_uids(client)) == 1
        finally:
            client.logout()
