"""Mail goes out only after commit, through a real SMTP server; failures are retried."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from app.mail import OutgoingMail, SMTPMailer
from app.outbox import OutboxEvent, commit, drain, record_mail


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def app_config(request):
    if "smtp_server" in request.fixturenames:
        controller, _ = request.getfixturevalue("smtp_server")
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port}
    return {}


def test_reset_mail_through_real_smtp(app, client, factory, smtp_server):
    _, handler = smtp_server
    user = factory.user(email="smtp@example.com")
    client.post("/account/reset", data={"email": user.email})
    assert len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["smtp@example.com"]
    assert b"Reset your GrowgrEbuddy Help Center password" in envelope.content
    with app.app_context():
        event = db.session.scalar(select(OutboxEvent))
        assert event.processed_at is not None and event.attempts == 0


def test_smtp_mailer_directly(smtp_server, now):
    controller, handler = smtp_server
    mailer = SMTPMailer("127.0.0.1", controller.port)
    mailer.send(OutgoingMail("a@example.com", "Hi", "Body").to_message("s@example.com", now))
    assert handler.messages[0].mail_from == "s@example.com"


def test_rolled_back_change_sends_nothing(app, mailbox, now):
    with app.app_context():
        record_mail(OutgoingMail("x@example.com", "Never", "Never sent"), now)
        db.session.rollback()
        commit()
        assert db.session.scalar(select(OutboxEvent)) is None
    assert list(mailbox.directory.glob("*.eml")) == []


def test_failed_delivery_is_kept_and_retried(app, now):
    with app.app_context():
        # Nothing listens on this port: delivery fails, the event stays.
        app.extensions["mailer"] = SMTPMailer("127.0.0.1", _free_port(), timeout=2)
        record_mail(OutgoingMail("x@example.com", "Later", "Body"), now)
        db.session.commit()
        assert drain(["mail"], now) == 0
        event = db.session.scalar(select(OutboxEvent))
        assert event.processed_at is None and event.attempts == 1
        assert "ConnectionRefusedError" in event.last_error
        # Not retried before its back-off ends...
        assert drain(["mail"], now + timedelta(seconds=10)) == 0
        # ...and delivered once the server is reachable again.
        from app.mail import FileMailer

        app.extensions["mailer"] = FileMailer(app.config["MAIL_FILE_DIR"])
        assert drain(["mail"], now + timedelta(minutes=5)) == 1
        db.session.refresh(event)
        assert event.processed_at is not None


def test_claimed_event_is_not_handled_twice(app, now):
    with app.app_context():
        record_mail(OutgoingMail("x@example.com", "Once", "Body"), now)
        db.session.commit()
        event_id = db.session.scalar(select(OutboxEvent.id))
        from app.outbox import _claim

        assert _claim(event_id, now) is True
        # Another worker arrives while the first holds the claim.
        assert _claim(event_id, now + timedelta(seconds=1)) is False
        assert drain(["mail"], now + timedelta(seconds=1)) == 0
