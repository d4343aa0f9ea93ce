"""Attachments: type by extension and content, size limit, served only as downloads."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.tickets.models import Ticket, TicketAttachment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {"category": "bug", "subject": "Crash", "impact": "broken", "description": "It crashes."}


@pytest.fixture
def app_config(tmp_path):
    return {"TICKET_ATTACHMENT_DIR": str(tmp_path / "files"), "TICKET_ATTACHMENT_MAX_BYTES": 1024}


def _post(client, *files):
    data = {**FORM, "attachments": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/requests/new", data=data, content_type="multipart/form-data")


def test_image_and_log_are_stored_and_downloaded(client, auth, factory, app, tmp_path):
    auth.login(factory.user())
    response = _post(client, ("screen.png", PNG), ("app.log", b"line 1\nline 2\n"))
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(TicketAttachment).order_by(TicketAttachment.id)).all()
        assert [(a.filename, a.content_type) for a in stored] == [
            ("screen.png", "image/png"), ("app.log", "text/plain"),
        ]  # fmt: skip
        ticket_id, ids = stored[0].ticket_id, [a.id for a in stored]
        assert (tmp_path / "files" / stored[0].stored_name).read_bytes() == PNG
    download = client.get(f"/requests/{ticket_id}/attachments/{ids[0]}")
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.html", b"<script>alert(1)</script>", "only these file types"),
        ("fake.png", b"<svg onload=alert(1)>", "not a valid .png"),
        ("binary.log", b"\x00\x01\x02", "not a valid .log"),
        ("huge.png", PNG + b"\x00" * 2048, "larger than"),
    ],
)
def test_rejected_files_show_next_to_the_field(client, auth, factory, app, name, content, message):
    auth.login(factory.user())
    response = _post(client, (name, content))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="attachments-error"' in html and message in html
    with app.app_context():
        assert db.session.scalar(select(Ticket)) is None


def test_files_of_a_transaction_that_does_not_commit_are_removed(app, factory, tmp_path, now):
    """A request that fails after the upload leaves no file on disk without its row."""
    from app.outbox import commit
    from app.tickets import services
    from app.tickets.attachments import Upload

    requester = factory.user()
    folder = tmp_path / "files"
    fields = {**FORM, "impact": "minor", "channel": "web", "now": now}
    with app.app_context():
        user = db.session.merge(requester)
        services.create_ticket(user, **fields, attachments=[Upload("a.png", PNG)])
        assert len(list(folder.iterdir())) == 1  # written before the commit
        db.session.rollback()
        assert list(folder.iterdir()) == []
        services.create_ticket(user, **fields, attachments=[Upload("b.png", PNG)])
        db.session.close()  # ended without a commit, as a failed request's teardown does
        assert list(folder.iterdir()) == []
        ticket = services.create_ticket(user, **fields, attachments=[Upload("c.png", PNG)])
        commit()
        kept = db.session.get(Ticket, ticket.id).attachments
        assert [path.name for path in folder.iterdir()] == [kept[0].stored_name]
        db.session.rollback()  # a later transaction's rollback leaves committed files alone
        assert len(list(folder.iterdir())) == 1
