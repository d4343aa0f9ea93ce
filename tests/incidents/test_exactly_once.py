"""Exactly-once notifications under retries, against a real local SMTP server: a temporary
refusal leaves the update's mail queued, the drain sends it later, and neither a second drain
nor a retried update sends anything twice."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.extensions import db
from app.incidents.models import IncidentNotice
from app.models import utcnow
from app.outbox import OutboxEvent, commit, drain

from .conftest import T0


class _Flaky:
    """Answers DATA with a temporary 451 ``failures`` times, then accepts."""

    def __init__(self, failures: int):
        self.failures = failures
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        if self.failures:
            self.failures -= 1
            return "451 4.3.0 Try again later"
        self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = _Flaky(failures=0)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def app_config(smtp):
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp[1]}


def _to(raw: bytes) -> str:
    return BytesParser(policy=policy.default).parsebytes(raw)["To"]


def _subject(raw: bytes) -> str:
    return BytesParser(policy=policy.default).parsebytes(raw)["Subject"]


def test_a_refused_update_mail_is_sent_once_by_the_drain(app, incidents, factory, smtp):
    from app.incidents import services

    handler, _ = smtp
    lead = incidents.lead()
    incident_id = incidents.declare(lead)
    member = factory.user()
    factory.ticket(member, T0 + timedelta(minutes=1))
    handler.received.clear()
    handler.failures = 1  # the update's mail is refused once, temporarily
    with app.app_context():
        incident = incidents.get(incident_id)
        for _ in range(2):  # the same submission twice (a retry after a lost answer)
            services.post_update(factory._row(lead), incident, "", T0 + timedelta(minutes=20),
                                 notify_requesters=True, token="same-submission")  # fmt: skip
            commit()
        assert handler.received == []
        pending = (
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.processed_at.is_(None), OutboxEvent.kind == "mail")
        )
        assert db.session.scalar(pending) == 1
        later = utcnow() + timedelta(hours=2)  # past the back-off
        assert drain(["mail"], later) == 1
        assert drain(["mail"], later + timedelta(minutes=1)) == 0
        assert db.session.scalar(pending) == 0
        assert db.session.scalar(select(func.count()).select_from(IncidentNotice)) == 1
    sent = [raw for raw in handler.received if "Update: Plant sync is down" in _subject(raw)]
    assert [_to(raw) for raw in sent] == [member.email]
