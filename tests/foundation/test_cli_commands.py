"""Every ``flask outbox`` and ``flask users`` command, on the database the suite runs on
(SQLite, and PostgreSQL when TEST_DATABASE_URL is set): a query one engine accepts and the
other refuses fails here."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.mail import OutgoingMail
from app.outbox import OutboxEvent, record_mail


def _run(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result.output


def test_outbox_commands(app, runner, now):
    with app.app_context():
        _pending, failing, parked = (
            record_mail(OutgoingMail(f"{n}@example.com", "Hi", "Body"), now)
            for n in ("pending", "failing", "parked")
        )
        db.session.flush()
        failing.attempts = 2
        failing.last_error = "TimeoutError: timed out"
        failing.available_at = now + timedelta(days=365)
        parked.attempts = 10
        parked.parked_at = now
        parked.last_error = "PermanentError: 550 no such mailbox"
        db.session.commit()
        parked_id = parked.id
    status = _run(runner, "outbox", "status")
    assert "mail: 1 pending" in status
    assert "mail: 1 failing" in status
    assert "mail: 1 parked" in status
    assert f"parked #{parked_id} mail" in status and "550 no such mailbox" in status
    assert "handled 1 event(s)" in _run(runner, "outbox", "drain")
    assert "1 event(s) back in the queue" in _run(runner, "outbox", "retry", str(parked_id))
    assert "handled 1 event(s)" in _run(runner, "outbox", "drain")
    assert "0 event(s) back in the queue" in _run(runner, "outbox", "retry", "--all-parked")
    assert runner.invoke(args=["outbox", "retry"]).exit_code != 0
    status = _run(runner, "outbox", "status")
    assert status.strip() == "mail: 1 failing"
    with app.app_context():
        assert (
            db.session.scalar(select(db.func.count()).where(OutboxEvent.processed_at.is_(None)))
            == 1
        )


def test_users_commands(app, runner):
    assert "password:" in _run(runner, "users", "bootstrap-admin")
    assert "exists already" in _run(runner, "users", "bootstrap-admin")
    assert "Created member" in _run(
        runner, "users", "create", "--email", "m@example.com", "--name", "M"
    )
    assert "now moderator" in _run(runner, "users", "set-role", "m@example.com", "moderator")
    listing = _run(runner, "users", "list")
    assert "admin\tadmin@growgrebuddy.local" in listing
    assert "moderator\tm@example.com" in listing
