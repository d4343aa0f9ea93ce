"""A person registers, signs out, signs in, resets a forgotten password and looks around."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility

pytestmark = pytest.mark.browser


def _email() -> str:
    return f"gardener-{uuid.uuid4().hex[:8]}@example.com"


def test_register_logout_login_reset(page, live_server):
    email = _email()
    page.goto("/")
    check_accessibility(page, context="home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    check_accessibility(page, context="register")

    # A too-short password is explained next to the field, and nothing is lost.
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Display name").fill("Rosa Gardener")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    page.locator("#password-error").wait_for()
    assert "at least 12 characters" in page.locator("#password-error").inner_text()
    assert page.get_by_label("E-mail address").input_value() == email
    check_accessibility(page, context="register with errors")

    page.get_by_label("Password").fill("tomatoes and basil")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    check_accessibility(page, context="registration sent")
    # The account is created from the link mailed to the address.
    message = [m for m in live_server.mail() if m["To"] == email][-1]
    link = re.search(r"http://\S+/account/register/confirm/\S+", message.get_content()).group(0)
    assert link.startswith(live_server.url + "/")
    page.goto(link)
    check_accessibility(page, context="confirm registration")
    page.get_by_role("button", name="Confirm and sign in").click()
    page.get_by_text("Welcome, Rosa Gardener!").wait_for()

    # Sign out is in the person's own menu (a disclosure under their name).
    page.locator("#user-menu-button").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    check_accessibility(page, context="login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("tomatoes and basil")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as Rosa Gardener.").wait_for()
    expect(page.locator("#user-menu-button")).to_contain_text("Rosa Gardener")
    page.locator("#user-menu-button").click()
    page.get_by_role("link", name="Account settings").click()
    assert page.get_by_role("heading", name="Your account", exact=True).is_visible()
    check_accessibility(page, context="account")
    page.locator("#user-menu-button").click()
    page.get_by_role("button", name="Sign out").click()

    # Forgotten password: the link arrives through the development mailer.
    page.goto("/account/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    message = [m for m in live_server.mail() if m["To"] == email][-1]
    link = re.search(r"http://\S+/account/reset/\S+", message.get_content()).group(0)
    assert link.startswith(live_server.url + "/")
    page.goto(link)
    check_accessibility(page, context="reset form")
    page.locator("#password").fill("sunflowers all summer")
    page.get_by_label("Repeat the new password").fill("sunflowers all summer")
    page.get_by_role("button", name="Save new password").click()
    page.get_by_text("Your password is changed.").wait_for()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("sunflowers all summer")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as Rosa Gardener.").wait_for()


@pytest.mark.parametrize("path", ["/", "/community/", "/wiki/", "/search/", "/requests/new"])
def test_sections_open_and_are_accessible(page, path):
    response = page.goto(path)
    assert response.status == 200 or response.status == 302
    assert page.locator("main#main").is_visible()
    check_accessibility(page, context=path)


def test_phone_width_has_no_horizontal_scroll(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    tab = context.new_page()
    tab.goto("/account/register")
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    context.close()
    assert width <= 360


def test_keyboard_skip_link(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
