"""The team's side in a real browser: an agent completes an onboarding module with its quiz and
a team lead sees the progress; the weekly meeting page with a ticket flagged from the agent's
ticket page, a note and an action item; internal articles and their access page. axe-clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account, check_accessibility, sign_in, unique
from tests.browser.test_tickets_browser import _submit_request

pytestmark = pytest.mark.browser


@pytest.fixture
def trained_site(live_server):
    live_server.cli("team", "load-training")
    return live_server


def test_agent_completes_a_module_and_the_lead_sees_it(tabs, trained_site):
    uid = unique()
    agent_name = f"Nia New {uid}"
    tab = tabs.open()
    sign_in(tab, account(trained_site, "agent_t1", agent_name), agent_name)
    tab.locator("#user-menu-button").click()
    tab.get_by_role("link", name="Support team").click()
    expect(tab.locator("#progress-new-agent-onboarding")).to_have_text("0 of 3 modules complete.")
    check_accessibility(tab, context="team home")
    tab.get_by_role("link", name="New agent onboarding").click()
    tab.get_by_role("link", name="How tickets move between tiers").click()
    # The module's reading is an internal article the agent may open.
    expect(tab.get_by_role("link", name=re.compile("Escalation playbook"))).to_be_visible()
    tab.get_by_role("button", name="Submit answers").click()
    expect(tab.locator(".error-summary")).to_be_visible()
    check_accessibility(tab, context="quiz with errors")
    tab.get_by_label("30 minutes", exact=True).check()
    tab.get_by_label("Escalate at once to the tier that can act").check()
    tab.get_by_role("button", name="Submit answers").click()
    expect(tab.get_by_text("Passed with 100%. Module complete.")).to_be_visible()
    expect(tab.locator("#result")).to_contain_text("Complete")
    check_accessibility(tab, context="module passed")
    tab.goto("/team/")
    expect(tab.locator("#progress-new-agent-onboarding")).to_have_text("1 of 3 modules complete.")

    lead_name = f"Lea Lead {uid}"
    lead = tabs.open()
    sign_in(lead, account(trained_site, "admin", lead_name), lead_name)
    lead.goto("/team/")
    lead.get_by_role("link", name="Team progress").click()
    row = lead.get_by_role("row", name=re.compile(agent_name))
    expect(row).to_contain_text("1 of 3")
    expect(row).to_contain_text("In progress")
    check_accessibility(lead, context="team progress")


def test_weekly_meeting_page_with_flag_note_and_action(tabs, trained_site):
    uid = unique()
    member_name, agent_name = f"Mo Member {uid}", f"Ari Agent {uid}"
    member = tabs.open()
    sign_in(member, account(trained_site, "member", member_name), member_name)
    ticket_id = _submit_request(
        member, f"Charged twice {uid}", "Billing and Payments", "Something minor is wrong",
        "My card was charged twice for the annual plan.",
    )  # fmt: skip

    tab = tabs.open()
    sign_in(tab, account(trained_site, "agent_t2", agent_name), agent_name)
    tab.goto(f"/requests/{ticket_id}/work")
    panel = tab.locator("#team-panel")
    expect(panel.locator("#panel-internal")).to_contain_text("Runbook: Billing and Payments")
    check_accessibility(tab, context="ticket with team panel")
    tab.get_by_label("Why discuss it? (optional)").fill("Refund rules unclear")
    tab.get_by_role("button", name="Discuss at weekly").click()
    expect(tab.locator("#discuss-flagged")).to_contain_text("Refund rules unclear")

    tab.goto("/team/")
    tab.get_by_role("link", name="Weekly meeting").click()
    expect(tab.locator("h1")).to_contain_text("Weekly meeting, week of")
    expect(tab.locator("#flags")).to_contain_text(f"Charged twice {uid}")
    tab.get_by_role("button", name="Add action item").click()
    expect(tab.locator(".error-summary")).to_be_visible()
    check_accessibility(tab, context="weekly page with errors")
    tab.get_by_role("textbox", name="Action", exact=True).fill(f"Clarify refund rule {uid}")
    tab.get_by_label("Owner", exact=True).select_option(label=agent_name)
    tab.locator("#due_on").fill("2027-01-15")
    tab.get_by_role("button", name="Add action item").click()
    expect(tab.get_by_role("row", name=re.compile(f"Clarify refund rule {uid}"))).to_contain_text(
        agent_name
    )
    tab.get_by_role("textbox", name="Note", exact=True).fill(f"Agreed to ask billing {uid}")
    tab.get_by_role("button", name="Add note").click()
    expect(tab.locator("#notes")).to_contain_text(f"Agreed to ask billing {uid}")
    check_accessibility(tab, context="weekly page")


def test_internal_article_and_its_access_page(tabs, trained_site):
    name = f"Tia Tier3 {unique()}"
    tab = tabs.open()
    sign_in(tab, account(trained_site, "agent_t3", name), name)
    tab.goto("/internal/")
    tab.get_by_label("Search internal articles").fill("production")
    tab.get_by_role("button", name="Search").click()
    tab.get_by_role("link", name=re.compile("Tier 3 runbook")).click()
    expect(tab.locator("#internal-badge")).to_be_visible()
    check_accessibility(tab, context="internal article")
    tab.get_by_role("link", name="Who can see this").click()
    expect(tab.locator("#access-agent_t1")).to_contain_text("No")
    expect(tab.locator("#access-agent_t3")).to_contain_text("Yes")
    check_accessibility(tab, context="access page")
