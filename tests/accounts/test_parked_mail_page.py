"""Admins see mail that could never be sent (parked outbox events) with its error."""

from __future__ import annotations

from app.extensions import db
from app.mail import OutgoingMail
from app.outbox import record_mail


def _park(app, now, to: str, error: str) -> None:
    with app.app_context():
        event = record_mail(OutgoingMail(to, "[Critical] T-1 Sync broken", "Body"), now)
        db.session.flush()
        event.parked_at = now
        event.attempts = 1
        event.last_error = error
        db.session.commit()


def test_admin_sees_parked_events_with_their_error(app, client, auth, factory, now):
    _park(app, now, "oncall@example.com", "PermanentError: 550 No such mailbox")
    auth.login(factory.user("admin"))
    assert "/account/outbox" in client.get("/account/").get_data(as_text=True)
    page = client.get("/account/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "oncall@example.com" in html and "550 No such mailbox" in html
    assert "flask outbox retry" in html


def test_only_admins_see_it(client, auth, factory):
    assert client.get("/account/outbox").status_code == 302
    auth.login(factory.user("moderator"))
    assert client.get("/account/outbox").status_code == 403
    assert "/account/outbox" not in client.get("/account/").get_data(as_text=True)
