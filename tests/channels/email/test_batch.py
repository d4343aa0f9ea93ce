"""Importing fetched mail in batches: the SQL statements each message costs are pinned, a batch
imported twice (a crash between its commit and the mailbox's flags) changes nothing the second
time, and a message the disk refuses is left for later without holding its batch back."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage

from sqlalchemy import event, func, select

from app.channels.email.batch import batches, import_batch
from app.channels.email.receiving import raw_dir
from app.channels.models import InboundMessage
from app.extensions import db
from app.tickets.models import Ticket

#: Statements per imported message (a new ticket) from a known sender: the message's savepoint
#: (2), the sender's hourly count, the claim (insert-on-conflict, then its row), the identity
#: with its user, the ticket, its clock, its event, the receipt queued, the incident check and
#: the message's outcome. The help articles a receipt suggests are read once per batch (the
#: 0.2 of slack). A first message from an address adds its contact and identity (four; it
#: took 27 statements with a commit per message and the receipt sent inline).
KNOWN_SENDER_STATEMENTS = 12
NEW_SENDER_STATEMENTS = KNOWN_SENDER_STATEMENTS + 4


def letter(number: int, sender: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = sender, "support@growgrebuddy.com"
    message["Subject"], message["Message-ID"] = f"Watering {number}", f"<b{number}@example.org>"
    message.set_content("My basil reminders stopped. " * 40)
    return bytes(message)


def statements_per_message(messages: list[tuple[int, bytes]], now) -> float:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        done, left = import_batch(messages, "imap", lambda: now)
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    assert (len(done), left) == (len(messages), [])
    return count / len(messages)


def test_statements_per_imported_message_are_pinned(app, now):
    with app.app_context():
        first = [(n, letter(n, f"p{n}@example.org")) for n in range(10)]
        assert statements_per_message(first, now) <= NEW_SENDER_STATEMENTS + 0.2
        again = [(n, letter(n, f"p{n - 10}@example.org")) for n in range(10, 20)]
        assert statements_per_message(again, now) <= KNOWN_SENDER_STATEMENTS + 0.2
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 20


def test_a_batch_imported_twice_makes_its_tickets_once(app, now):
    messages = [(n, letter(n, "ana@example.org")) for n in range(5)]
    with app.app_context():
        assert import_batch(messages, "imap", lambda: now) == ([0, 1, 2, 3, 4], [])
        # The fetcher died before flagging them: the next run finds them again.
        assert import_batch(messages, "imap", lambda: now) == ([0, 1, 2, 3, 4], [])
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 5
        assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 5


def test_a_message_the_disk_refuses_is_left_and_the_rest_imported(app, now):
    messages = [(n, letter(n, f"p{n}@example.org")) for n in range(4)]
    with app.app_context():
        # Where the third message's original would go is a file: writing it fails (OSError).
        digest = hashlib.sha256(messages[2][1]).hexdigest()
        raw_dir().mkdir(parents=True, exist_ok=True)
        (raw_dir() / digest[:2]).write_text("in the way")
        assert import_batch(messages, "imap", lambda: now) == ([0, 1, 3], [2])
        subjects = db.session.scalars(select(Ticket.subject).order_by(Ticket.id)).all()
        assert subjects == ["Watering 0", "Watering 1", "Watering 3"]


def test_batches_hold_at_most_50_messages_or_20_mb():
    assert [len(b) for b in batches((n, 1000) for n in range(120))] == [50, 50, 20]
    big = 15 * 1024 * 1024
    assert list(batches([("a", big), ("b", big), ("c", 10), ("d", 40 * 1024 * 1024)])) == [
        ["a"],
        ["b", "c"],
        ["d"],
    ]
