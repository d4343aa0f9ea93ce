"""Every new request, whatever the channel, gets a receipt: reference, promise and a link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.forum import services as forum
from app.forum.models import ForumCategory
from app.outbox import commit
from app.tickets.models import Ticket


@pytest.fixture
def app_config(tmp_path):
    return {"FORUM_PREMODERATE_POSTS": 0, "TICKET_ATTACHMENT_DIR": str(tmp_path / "files")}


def _receipts(mailbox, to):
    return [m for m in mailbox.messages() if m["To"] == to and "received" in m["Subject"]]


def _assert_receipt(message, ticket_id):
    assert message["Subject"] == f"[#{ticket_id}] We received your request"
    body = message.get_content()
    assert f"#{ticket_id}" in body
    assert re.search(r"We will reply by [^\n]*\d\d:\d\d \(Berlin time\)\.", body)
    assert re.search(rf"https?://[^\s]+/requests/{ticket_id}\b", body)


def test_receipt_for_a_request_from_the_site(client, auth, factory, mailbox, app):
    member = factory.user()
    auth.login(member)
    response = client.post(
        "/requests/new",
        data={"category": "app", "subject": "Reminders stopped", "impact": "blocked",
              "description": "No reminders since Monday."},
    )  # fmt: skip
    ticket_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    [receipt] = _receipts(mailbox, member.email)
    _assert_receipt(receipt, ticket_id)


def test_receipt_for_an_escalated_forum_thread(client, auth, factory, mailbox, app):
    author = factory.user(created_at=datetime(2025, 1, 1, tzinfo=UTC))
    with app.app_context():
        category = forum.category_by_slug("general")
        if category is None:  # PostgreSQL runs empty every table, seeded ones too
            category = ForumCategory(name="General", slug="general", description="", position=0)
            db.session.add(category)
            db.session.flush()
        thread = forum.create_thread(
            db.session.merge(author), category, "Sync lost my plants", "All plants are gone.",
            datetime.now(UTC) - timedelta(hours=1),
        )  # fmt: skip
        thread_id = thread.id
        commit()
    auth.login(author)
    client.post(f"/requests/escalate/{thread_id}", data={"category": "app", "impact": "blocked"})
    with app.app_context():
        ticket_id = db.session.scalar(db.select(Ticket.id))
    [receipt] = _receipts(mailbox, author.email)
    _assert_receipt(receipt, ticket_id)


def test_no_receipt_when_the_request_is_refused(client, auth, factory, mailbox):
    member = factory.user()
    auth.login(member)
    client.post("/requests/new", data={"category": "app", "subject": "", "impact": "minor"})
    assert _receipts(mailbox, member.email) == []
