"""Retention: the dry run lists exactly what the real run deletes, recent data stays, files go
after the commit, and a second run finds nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

from app.channels.email.receiving import raw_dir, store_original
from app.extensions import db
from app.outbox import commit
from app.privacy.retention import nightly, run_retention
from app.tickets.attachments import store


def _add(table_name: str, /, **values) -> int:
    table = db.metadata.tables[table_name]
    return db.session.execute(insert(table).values(**values)).inserted_primary_key[0]


def _solve(ticket_id: int, at) -> None:
    tickets = db.metadata.tables["ticket"]
    db.session.execute(
        update(tickets).where(tickets.c.id == ticket_id).values(status="solved", solved_at=at)
    )


def _ids(table_name: str) -> set:
    table = db.metadata.tables[table_name]
    return set(db.session.scalars(select(next(iter(table.primary_key.columns)))))


def _setup(app, factory, now) -> dict:
    requester = factory.user()
    old, recent, still_open = (factory.ticket(requester, now=now) for _ in range(3))
    long_ago = now - timedelta(days=800)
    with app.app_context():
        _solve(old, long_ago)
        _solve(recent, now - timedelta(days=30))
        stored = store(b"%PDF old")
        _add(
            "ticket_attachment",
            ticket_id=old,
            uploader_id=requester.id,
            stored_name=stored,
            filename="old.pdf",
            content_type="application/pdf",
            size=8,
            created_at=long_ago,
        )
        raw = store_original(b"Subject: spam\r\n\r\nold quarantined")
        old_mail = _add(
            "channel_inbound",
            channel="email",
            source="imap",
            external_id="<q1@x>",
            received_at=now - timedelta(days=40),
            outcome="quarantined",
            raw_path=raw,
        )
        new_mail = _add(
            "channel_inbound",
            channel="email",
            source="imap",
            external_id="<q2@x>",
            received_at=now - timedelta(days=2),
            outcome="quarantined",
        )
        old_log = _add(
            "search_query_log", query="basil", result_count=1, created_at=now - timedelta(days=100)
        )
        new_log = _add("search_query_log", query="mint", result_count=1, created_at=now)
        registration = _add(
            "pending_registration",
            token_hash="a" * 64,
            email="p@example.org",
            display_name="Pending",
            password_hash="x",
            created_at=now - timedelta(days=70),
            expires_at=now - timedelta(days=69),
        )
        contact = _add(
            "user_account",
            email="contact@example.org",
            display_name="Contact",
            password_hash="!",
            role="member",
            is_suspended=False,
            is_contact=True,
            created_at=now - timedelta(days=90),
        )
        commit()
    return dict(old=old, recent=recent, still_open=still_open, attachment=stored, raw=raw,
                old_mail=old_mail, new_mail=new_mail, old_log=old_log, new_log=new_log,
                registration=registration, contact=contact)  # fmt: skip


def test_dry_run_lists_what_the_real_run_deletes(app, factory, now):
    rows = _setup(app, factory, now)
    with app.app_context():
        tickets_before = _ids("ticket")
        planned = run_retention(now, dry_run=True)
        commit()
        assert _ids("ticket") == tickets_before
        kinds = {(item.kind, item.row_id) for item in planned}
        assert kinds == {
            ("closed ticket", rows["old"]), ("attachment", 1),
            ("quarantined mail", rows["old_mail"]), ("search query log", rows["old_log"]),
            ("unconfirmed registration", rows["registration"]),
            ("unclaimed contact", rows["contact"]),
        }  # fmt: skip
        assert all(str(item.row_id) in item.label for item in planned)
        done = run_retention(now, dry_run=False)
        commit()
        assert {(item.kind, item.row_id) for item in done} == kinds
        assert rows["old"] not in _ids("ticket")
        assert {rows["recent"], rows["still_open"]} <= _ids("ticket")
        assert _ids("channel_inbound") == {rows["new_mail"]}
        assert _ids("search_query_log") == {rows["new_log"]}
        assert _ids("pending_registration") == set()
        assert rows["contact"] not in _ids("user_account")
        assert run_retention(now, dry_run=True) == []
        attachments = Path(app.config["TICKET_ATTACHMENT_DIR"])
        assert not (attachments / rows["attachment"]).exists()
        assert not (raw_dir() / rows["raw"]).exists()


def test_cli_and_nightly_job(app, factory, runner, now):
    _setup(app, factory, now)
    result = runner.invoke(args=["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would delete closed ticket: #" in result.output
    assert "Dry run: would delete 1 attachment, 1 closed ticket" in result.output
    with app.app_context():
        assert nightly(now.replace(hour=4)) == {}
        counts = nightly(now.replace(hour=app.config["PRIVACY_RETENTION_HOUR"]))
        commit()
        assert counts["closed ticket"] == 1 and counts["search query log"] == 1
    result = runner.invoke(args=["privacy", "retention"])
    assert result.exit_code == 0 and "deleted nothing." in result.output
