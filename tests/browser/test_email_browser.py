"""The mail quarantine page in a real browser: an admin sees why a message was held, retries
it (still held, with the reason said), then discards it after confirming; axe finds no serious
problem on either page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account as _account
from tests.browser.conftest import check_accessibility
from tests.browser.conftest import sign_in as _sign_in
from tests.browser.conftest import unique as _uid

pytestmark = pytest.mark.browser


def test_an_admin_retries_then_discards_a_quarantined_message(live_server, tabs):
    from app.channels.email.receiving import import_message
    from app.extensions import db
    from app.models import utcnow
    from app.outbox import commit

    tag = _uid()
    raw = (
        f"From: support@growgrebuddy.com\r\nTo: support@growgrebuddy.com\r\n"
        f"Subject: loop {tag}\r\nMessage-ID: <loop-{tag}@growgrebuddy.com>\r\n\r\nEcho\r\n"
    ).encode()
    with live_server.app.app_context():
        import_message(raw, "pipe", utcnow())
        commit()
        db.session.remove()
    email = _account(live_server, "admin", "Ada Admin")
    tab = tabs.open()
    _sign_in(tab, email, "Ada Admin")
    tab.goto("/admin/mail/quarantine")
    row = tab.locator("tr", has_text=f"loop-{tag}")
    expect(row).to_contain_text("a mail loop")
    check_accessibility(tab, context="mail quarantine")
    row.get_by_role("button", name="Retry").click()
    expect(tab.get_by_text("Still quarantined: Sent from our own support address")).to_be_visible()
    tab.locator("tr", has_text=f"loop-{tag}").get_by_role("link", name="Discard").click()
    check_accessibility(tab, context="discard confirmation")
    tab.get_by_role("button", name="Yes, discard it").click()
    expect(tab.get_by_text("Discarded. The original stays on disk.")).to_be_visible()
    expect(tab.locator("tr", has_text=f"loop-{tag}")).to_have_count(0)
