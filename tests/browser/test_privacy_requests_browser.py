"""Privacy requests in a real browser: a person downloads their data and opens the zip; a person
deletes their account, signs in during the cooling-off (cancelled), deletes again and, after the
job, can no longer sign in; an agent asks on a privacy ticket and another admin approves. Each
page is axe-checked. The job runs in this process at an injected time (as the timer would)."""

from __future__ import annotations

import inspect
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.conftest import PASSWORD, account, check_accessibility, sign_in, unique

pytestmark = pytest.mark.browser


def _run_privacy_job(live_server, now: datetime) -> dict:
    from app.privacy.jobs import run_due

    with live_server.app.app_context():
        outcome = run_due(now)
        db.session.remove()
    return outcome


def _end_cooling_off(live_server, email: str) -> None:
    """Seven days pass: the person's waiting erasure becomes due (the clock stays real, so the
    mail it records is due at once, as in production)."""
    from sqlalchemy import update

    from app.accounts.services import find_user_by_email
    from app.privacy.request_models import PrivacyRequest

    with live_server.app.app_context():
        subject = find_user_by_email(email)
        db.session.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.subject_id == subject.id, PrivacyRequest.status == "waiting")
            .values(due_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
        db.session.remove()


def _needs_core(function) -> None:
    if "raise NotImplementedError" in inspect.getsource(function):
        pytest.skip(f"privacy-core's {function.__name__} is not implemented yet")


def test_a_person_downloads_their_data_and_opens_the_zip(page, live_server, tmp_path):
    from app.privacy.export import build_export

    name = f"Dana {unique()}"
    email = account(live_server, "member", name)
    sign_in(page, email, name)
    page.goto("/account/")
    check_accessibility(page, context="account page with the privacy section")
    page.get_by_role("button", name="Download my data").click()
    expect(page.get_by_text("We are preparing your archive.")).to_be_visible()
    expect(page.locator("#export-status-words")).to_have_text("about to start")
    check_accessibility(page, context="account page, export under way")
    page.get_by_role("button", name="Download my data").click()
    expect(page.locator("#export-error")).to_contain_text("being prepared")
    check_accessibility(page, context="export refused")

    _needs_core(build_export)
    page.goto("/account/")
    _run_privacy_job(live_server, datetime.now(UTC))
    # privacy.js notices the end of the job and reloads the page.
    expect(page.locator("#export-status-words")).to_have_text("done", timeout=15_000)
    mail = [m for m in live_server.mail() if m["To"] == email and "ready" in m["Subject"]][-1]
    link = re.search(r"https?://\S+/account/privacy/download/\S+", mail.get_content()).group(0)
    with page.expect_download() as download:
        page.evaluate("url => { window.location.href = url; }", link)
    saved = tmp_path / "export.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as bundle:
        names = bundle.namelist()
        assert names and any(name.endswith(".json") for name in names)
        assert any(email in bundle.read(name).decode("utf-8", "replace") for name in names)


def test_a_person_deletes_their_account_with_a_cooling_off(page, tabs, live_server):
    from app.privacy.erasure import erase_person

    name = f"Ezra {unique()}"
    email = account(live_server, "member", name)
    phone = tabs.open({"width": 390, "height": 844})
    sign_in(phone, email, name)
    sign_in(page, email, name)
    page.goto("/account/")
    page.get_by_role("link", name="Delete my account").click()
    check_accessibility(page, context="delete account confirmation")
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#password-error")).to_have_text("That is not your password.")
    check_accessibility(page, context="delete account, wrong password")
    page.get_by_label("Delete my posts where nobody replied").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#deletion-scheduled")).to_contain_text("signed out everywhere")
    check_accessibility(page, context="deletion scheduled")
    phone.goto("/account/")
    expect(phone).to_have_url(re.compile(r"/account/login"))  # signed out on the phone too

    # Signing in during the cooling-off cancels it, and the page says so.
    page.goto("/account/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#deletion-cancelled")).to_contain_text("cancelled")
    check_accessibility(page, context="deletion cancelled")

    # Asked again, and this time the cooling-off runs out.
    page.goto("/account/delete")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#deletion-scheduled")).to_be_visible()
    _needs_core(erase_person)
    _end_cooling_off(live_server, email)
    outcome = _run_privacy_job(live_server, datetime.now(UTC))
    assert outcome.get("done", 0) >= 1
    assert any(m["To"] == email and "is deleted" in m["Subject"] for m in live_server.mail())
    page.goto("/account/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The e-mail address or password is not right.").first).to_be_visible()


def test_an_agent_asks_and_another_admin_approves(page, tabs, live_server):
    from app.accounts.services import find_user_by_email
    from app.outbox import commit
    from app.privacy.export import build_export
    from app.tickets import services

    requester = account(live_server, "member", f"Rita {unique()}")
    asking_name, approving_name = f"Ada {unique()}", f"Bea {unique()}"
    asking = account(live_server, "admin", asking_name)
    approving = account(live_server, "admin", approving_name)
    with live_server.app.app_context():
        ticket = services.create_ticket(
            find_user_by_email(requester), category="privacy", subject="Send me my data",
            description="Please export everything you hold about me.", impact="minor",
            channel="web", now=datetime.now(UTC),
        )  # fmt: skip
        ticket_id = ticket.id
        commit()
        db.session.remove()

    sign_in(page, asking, asking_name)
    page.goto(f"/requests/{ticket_id}/work")
    panel = page.locator("#privacy-panel")
    expect(panel).to_contain_text("None yet.")
    check_accessibility(page, context="privacy ticket with the privacy panel")
    panel.get_by_role("link", name="Request an export or erasure").click()
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.locator("#reason-error")).to_be_visible()
    check_accessibility(page, context="privacy request form with errors")
    page.get_by_label("Export their data").check()
    page.get_by_label("Reason").fill("Requester asked in this ticket; identity checked")
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.locator("#privacy-panel")).to_contain_text("waiting for an admin's approval")
    expect(page.get_by_text("asked for an export of the requester's data")).to_be_visible()
    request_link = page.locator("#privacy-requests li").first
    request_id = int(request_link.get_attribute("id").rsplit("-", 1)[1])
    page.goto(f"/admin/privacy/requests/{request_id}")
    expect(page.locator("#four-eyes")).to_be_visible()  # nobody approves their own request

    other = tabs.open()
    sign_in(other, approving, approving_name)
    other.goto("/admin/privacy/requests")
    check_accessibility(other, context="privacy requests list")
    other.get_by_role("link", name=f"Export #{request_id}").click()
    check_accessibility(other, context="privacy request decision page")
    other.get_by_role("button", name="Approve").click()
    expect(other.get_by_text(f"Request #{request_id} approved.")).to_be_visible()

    page.goto(f"/requests/{ticket_id}/work")
    expect(page.get_by_text("approved an export of the requester's data")).to_be_visible()
    _needs_core(build_export)
    _run_privacy_job(live_server, datetime.now(UTC))
    page.reload()
    link = page.locator(f"#privacy-link-{request_id}")
    expect(link).to_have_value(re.compile(r"/account/privacy/download/"))
    expect(page.get_by_text("finished an export of the requester's data")).to_be_visible()
    check_accessibility(page, context="privacy ticket with the export's link")
