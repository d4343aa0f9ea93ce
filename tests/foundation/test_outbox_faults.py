"""Mail under faults, against real local SMTP servers: a request never waits on mail beyond a
short budget nor sends other requests' mail; a retry is the same message (same Message-ID);
a message that can never be sent is parked with its error instead of retried for ever."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from app.mail import FileMailer, OutgoingMail
from app.outbox import OutboxEvent, commit, drain, record_mail


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Recorder:
    """Accepts mail; ``drop_after_data`` closes the connection once a message is received,
    before answering, so the sender cannot know it arrived; ``refuse`` answers every
    recipient with a permanent 550."""

    def __init__(self, *, drop_after_data: int = 0, refuse: bool = False):
        self.received: list[bytes] = []
        self.drop_after_data = drop_after_data
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        if self.drop_after_data:
            self.drop_after_data -= 1
            server.transport.close()
        return "250 OK"


def _smtp(handler):
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller


class _SilentServer:
    """Accepts TCP connections and never says a word (no SMTP greeting)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.sock.close()
        for connection in self.held:
            connection.close()


def _smtp_config(port: int) -> dict:
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}


def _message_ids(raw: list[bytes]) -> list[str]:
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(content)["Message-ID"] for content in raw]


class TestSmtpThatNeverGreets:
    @pytest.fixture
    def silent(self):
        server = _SilentServer()
        yield server
        server.close()

    @pytest.fixture
    def app_config(self, silent):
        return _smtp_config(silent.port)

    def test_a_request_stays_fast_and_its_answer_unaffected(self, app, client, factory):
        user = factory.user()
        started = time.monotonic()
        response = client.post("/account/reset", data={"email": user.email})
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert elapsed < 1.0, f"the request waited {elapsed:.2f} s on mail"
        with app.app_context():
            event = db.session.scalar(select(OutboxEvent))
            # Left for the drain, which retries it later.
            assert event.processed_at is None and event.parked_at is None
            assert event.claimed_until is None


def test_a_request_sends_only_its_own_mail(app, client, factory, mailbox, now):
    user = factory.user()
    with app.app_context():
        for n in range(3):
            record_mail(OutgoingMail(f"backlog{n}@example.com", "Old", "From elsewhere"), now)
        db.session.commit()  # a backlog, e.g. left by an outage: the drain's work
    client.post("/account/reset", data={"email": user.email})
    assert [m["To"] for m in mailbox.messages()] == [user.email]
    with app.app_context():
        pending = db.session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.processed_at.is_(None))
        ).all()
        assert sorted(p["to"] for p in pending) == [f"backlog{n}@example.com" for n in range(3)]


class TestSmtpThatDropsAfterData:
    @pytest.fixture
    def recorder(self):
        return _Recorder(drop_after_data=1)

    @pytest.fixture
    def app_config(self, recorder):
        controller = _smtp(recorder)
        yield _smtp_config(controller.port)
        controller.stop()

    def test_the_retry_is_the_same_message(self, app, recorder, now):
        with app.app_context():
            record_mail(OutgoingMail("x@example.com", "Paged", "Body"), now)
            db.session.commit()
            assert drain(["mail"], now) == 0
            event = db.session.scalar(select(OutboxEvent))
            assert event.attempts == 1 and event.processed_at is None
            # Retries back off: not again at once...
            assert drain(["mail"], now + timedelta(seconds=5)) == 0
            # ...but after the back-off.
            assert drain(["mail"], now + timedelta(minutes=5)) == 1
            recorded_id = event.payload["message_id"]
        ids = _message_ids(recorder.received)
        assert len(ids) == 2 and ids[0] == ids[1] == recorded_id


class TestPermanentFailures:
    @pytest.fixture
    def app_config(self):
        controller = _smtp(_Recorder(refuse=True))
        yield {**_smtp_config(controller.port), "OUTBOX_MAX_ATTEMPTS": 3}
        controller.stop()

    def test_a_refused_recipient_is_parked_at_once(self, app, runner, now):
        with app.app_context():
            record_mail(OutgoingMail("gone@example.com", "Hi", "Body"), now)
            db.session.commit()
            assert drain(["mail"], now) == 0
            event = db.session.scalar(select(OutboxEvent))
            assert event.parked_at == now and "550" in event.last_error
            # Never picked up again.
            assert drain(["mail"], now + timedelta(days=2)) == 0
            assert db.session.scalar(select(OutboxEvent.attempts)) == 1
        status = runner.invoke(args=["outbox", "status"])
        assert status.exit_code == 0, status.output
        assert "mail: 1 parked" in status.output
        assert f"#{event.id}" in status.output and "550" in status.output

    def test_transient_failures_park_after_the_last_attempt(self, app, now):
        with app.app_context():
            from app.mail import SMTPMailer

            app.extensions["mailer"] = SMTPMailer("127.0.0.1", _free_port(), timeout=2)
            record_mail(OutgoingMail("x@example.com", "Hi", "Body"), now)
            db.session.commit()
            moment = now
            for _ in range(3):
                drain(["mail"], moment)
                moment += timedelta(days=1)
            event = db.session.scalar(select(OutboxEvent))
            assert event.attempts == 3 and event.parked_at is not None
            assert "ConnectionRefusedError" in event.last_error


@pytest.mark.parametrize(
    ("subject", "name"),
    [
        ("Sync broken\r\nBcc: everyone@example.com", "Ana"),
        ("Sync broken", "Ana\nBcc: everyone@example.com"),
        ("Sync\rbroken\x00\u2028again", "Ana\r\n\r\nBody injection"),
    ],
)
def test_line_breaks_in_header_values_never_break_the_mail(app, mailbox, now, subject, name):
    with app.app_context():
        record_mail(
            OutgoingMail(
                "x@example.com",
                subject,
                "Body",
                (("Reply-To", f"{name} <reply@example.com>"),),
            ),
            now,
        )
        commit()
        event = db.session.scalar(select(OutboxEvent))
        assert event.processed_at is not None, event.last_error
    [message] = mailbox.messages()
    assert "Bcc" not in message and message.get_content().strip() == "Body"
    for header in ("Subject", "Reply-To"):
        assert not any(ch in str(message[header]) for ch in "\r\n\x00")
    assert "Sync" in message["Subject"]


def test_message_id_is_fixed_when_the_mail_is_recorded(app, mailbox, now):
    with app.app_context():
        event = record_mail(OutgoingMail("x@example.com", "Hi", "Body"), now)
        commit()
        assert event.payload["message_id"].startswith("<")
        assert mailbox.messages()[0]["Message-ID"] == event.payload["message_id"]


class TestFileMailer:
    def test_stale_temporary_files_of_a_killed_writer_are_removed(self, tmp_path, now):
        mailer = FileMailer(tmp_path)
        stale = tmp_path / "0123.eml.tmp"
        stale.write_bytes(b"")
        old = time.time() - 3600
        import os

        os.utime(stale, (old, old))
        fresh = tmp_path / "4567.eml.tmp"
        fresh.write_bytes(b"")  # maybe another process writing right now: left alone
        mailer.send(OutgoingMail("a@example.com", "Hi", "Body").to_message("s@example.com", now))
        assert not stale.exists() and fresh.exists()
        assert len(list(tmp_path.glob("*.eml"))) == 1
