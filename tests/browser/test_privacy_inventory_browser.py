"""The admins' data inventory page in a real browser: every table with its columns, the
personal ones marked, reachable from the table list, without serious accessibility violations
(axe)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account, check_accessibility, sign_in

pytestmark = pytest.mark.browser


def test_admin_reads_the_data_inventory(page, live_server):
    email = account(live_server, "admin", "Inventory Admin")
    sign_in(page, email, "Inventory Admin")
    page.goto("/admin/privacy/inventory")
    expect(page.get_by_role("heading", name="Data inventory", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Tables").get_by_role("link", name="user_account").click()
    section = page.locator("#table-user_account")
    row = section.get_by_role("row").filter(has=page.locator("code", has_text="email"))
    expect(row.first).to_contain_text("yes")
    expect(row.first).to_contain_text("delete")
    check_accessibility(page, context="data inventory")
