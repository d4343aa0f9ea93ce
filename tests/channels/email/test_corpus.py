"""Fifty awkward messages (RFC 5322 and RFC 3464 examples, encodings, broken MIME, bounces,
auto-replies, loops, spoofing; `corpus/`) and a 25 MB one: none crashes the import, none is
lost (each is a ticket, a reply, a bounce record or a quarantined item with its original)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.channels.email.receiving import import_message, read_original
from app.channels.models import InboundMessage
from app.extensions import db
from app.outbox import commit
from app.tickets.models import Ticket, TicketAttachment, TicketEvent

CORPUS = Path(__file__).parent / "corpus"
SAFE = {"ticket", "reply", "follow_up", "bounce", "quarantined"}
#: What each message must become where it is not simply a new ticket.
EXPECTED = {
    "15-no-from.eml": "quarantined",
    "33-rfc3464-dsn.eml": "bounce",
    "34-postfix-dsn-headers.eml": "bounce",
    "35-qmail-bounce.eml": "bounce",
    "36-dsn-delayed.eml": "bounce",
    "40-own-address-loop.eml": "quarantined",
}
NO_RECEIPT = {"37-out-of-office.eml", "38-precedence-bulk.eml", "39-x-autoreply.eml"}


@pytest.fixture
def app_config():
    return {"EMAIL_TRUSTED_AUTHSERV_ID": "mx.growgrebuddy.com"}


def test_every_message_of_the_corpus_is_kept_and_accounted_for(app, mailbox, now):
    files = sorted(CORPUS.glob("*.eml"))
    assert len(files) >= 40
    outcomes = {}
    with app.app_context():
        for path in files:
            before = len(mailbox.messages())
            raw = path.read_bytes()
            record = import_message(raw, "pipe", now)
            commit()
            assert record is not None, path.name
            outcomes[path.name] = record.outcome
            assert read_original(record.raw_path) == raw  # the original is kept byte for byte
            sent = len(mailbox.messages()) - before
            if path.name in NO_RECEIPT or record.outcome != "ticket":
                assert sent == 0, path.name
            else:
                assert sent == 1, path.name
        assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == len(files)
        for name, outcome in outcomes.items():
            assert outcome in SAFE, (name, outcome)
            assert outcome == EXPECTED.get(name, "ticket"), (name, outcome)
        tickets = {t.subject: t for t in db.session.scalars(select(Ticket))}
        html_only = tickets["HTML only"]
        assert (
            "alert" not in html_only.description_html
            and "onclick" not in html_only.description_html
        )
        assert "photo (https://example.org/pic)" in html_only.description
        assert tickets["Try this"].description.endswith(
            "- Attachment not added: tool.exe: only these file types are accepted: "
            "gif, jpg, log, pdf, png, txt, webp."
        )
        assert "TNEF" in tickets["Outlook"].description
        assert "Deep plain text." in tickets["Nested"].description
        names = set(db.session.scalars(select(TicketAttachment.filename)))
        assert {"screen.png", "manual.pdf", "übersicht \u2013 log.txt"} <= names
        assert "水やりの通知が来ません。" in tickets["テスト"].description
        assert "\u201cdoesn\u2019t\u201d" in tickets["Quotes"].description
        spoofed = tickets["Please change my e-mail address"]
        assert db.session.scalar(
            select(func.count()).select_from(TicketEvent).where(
                TicketEvent.ticket_id == spoofed.id, TicketEvent.kind == "channel_event"
            )
        ) == 1  # fmt: skip


def test_a_25_mb_message_imports_and_its_large_attachment_is_named_not_stored(app, now):
    message = EmailMessage()
    message["From"], message["To"] = "big@example.org", "support@growgrebuddy.com"
    message["Subject"], message["Message-ID"] = "Huge log", "<big@example.org>"
    message.set_content("The log is attached.")
    message.add_attachment(b"x" * (18 * 1024 * 1024), "text", "plain", filename="huge.log")
    raw = bytes(message)
    assert len(raw) > 24 * 1024 * 1024
    with app.app_context():
        record = import_message(raw, "pipe", now)
        commit()
        ticket = db.session.get(Ticket, record.ticket_id)
        assert "Attachment not added: huge.log is larger than" in ticket.description
        assert import_message(raw, "pipe", now) is None  # delivered twice: still one ticket
