"""The incident switch in a real browser: declare an outage, see the banner on the site and in
the widget demo, post an update, watch a new request get the auto-reply and the link, resolve
and see the linked ticket solved and its requester told once; the same as a drill shows nothing
to an anonymous visitor."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account as _account
from tests.browser.conftest import check_accessibility
from tests.browser.conftest import sign_in as _sign_in
from tests.browser.conftest import unique as _uid
from tests.browser.test_tickets_browser import _submit_request

pytestmark = pytest.mark.browser


def _declare(tab, title: str, *, drill: bool = False) -> int:
    tab.goto("/incidents/new?drill=1" if drill else "/incidents/new")
    tab.get_by_label("Type of crisis").select_option(label="Outage")
    tab.get_by_label("Severity").select_option(label="Major")
    tab.get_by_label("Public title").fill(title)
    tab.get_by_label("Affected request categories").select_option(label="App Functionality")
    tab.get_by_label("Affected features (fills {affected_features})").fill("plant sync")
    tab.get_by_label("Workaround link or advice (fills {workaround_link})").fill(
        "pull down to refresh"
    )
    tab.get_by_role("button", name="Declare").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(title)
    return int(re.search(r"/incidents/(\d+)$", tab.url).group(1))


def _resolve(tab, incident_id: int, message: str) -> None:
    tab.goto(f"/incidents/{incident_id}")
    tab.get_by_label("Final message").fill(message)
    tab.get_by_role("button", name="Resolve the incident").click()
    expect(tab.get_by_text("Incident resolved.")).to_be_visible()


def test_an_outage_from_declaration_to_resolution(tabs, live_server):
    uid = _uid()
    lead_name, member_name = f"Lea Lead {uid}", f"Mo Member {uid}"
    lead = tabs.open()
    _sign_in(lead, _account(live_server, "agent_t2", lead_name), lead_name)
    title = f"Plant sync is down {uid}"
    incident_id = _declare(lead, title)
    try:
        check_accessibility(lead, context="incident screen")
        visitor = tabs.open()
        visitor.goto("/")
        banner = visitor.locator(".site-banner")
        expect(banner).to_contain_text(f"Outage: {title}. Next update by")
        expect(banner.get_by_role("link", name="Status and updates")).to_have_attribute(
            "href", f"/status/{incident_id}"
        )
        visitor.goto("/api/demo")
        expect(visitor.locator("#demo-incident")).to_contain_text(f"Outage: {title}")
        expect(visitor.locator("#demo-incident a")).to_have_attribute(
            "href", re.compile(rf"/status/{incident_id}$")
        )
        check_accessibility(visitor, context="widget demo with an incident")

        lead.get_by_role("textbox", name="Update", exact=True).fill(
            f"We found the cause of {title}; a fix is rolling out."
        )
        lead.get_by_label("Also e-mail the requesters of linked tickets").check()
        lead.get_by_role("button", name="Publish update").click()
        expect(lead.get_by_text("Update published.")).to_be_visible()
        visitor.goto(f"/status/{incident_id}")
        expect(visitor.locator(".incident-timeline")).to_contain_text("a fix is rolling out")
        check_accessibility(visitor, context="status page of an incident")

        member = tabs.open()
        _sign_in(member, _account(live_server, "member", member_name), member_name)
        ticket_id = _submit_request(
            member, f"Sync spins {uid}", "App Functionality", "Something minor is wrong",
            "My plants don't sync since this morning.",
        )  # fmt: skip
        expect(member.get_by_text(f'linked to the incident "{title}"')).to_be_visible()
        lead.goto(f"/incidents/{incident_id}")
        expect(lead.locator("#linked-items")).to_contain_text(f"Ticket #{ticket_id}")
    finally:
        _resolve(lead, incident_id, f"Sync works again ({uid}).")

    member.goto(f"/requests/{ticket_id}")
    expect(member.get_by_text(f"Sync works again ({uid}).")).to_be_visible()
    expect(member.locator("main")).to_contain_text("Solved")
    visitor.goto("/")
    expect(visitor.locator(".site-banner")).to_have_count(0)
    to_member = [m for m in live_server.mail() if member_name in m.get_content()]
    resolved = [m for m in to_member if f"Sync works again ({uid})." in m.get_content()]
    assert len(resolved) == 1


def test_a_drill_shows_nothing_to_an_anonymous_visitor(tabs, live_server):
    uid = _uid()
    lead_name = f"Dora Drill {uid}"
    lead = tabs.open()
    _sign_in(lead, _account(live_server, "agent_t3", lead_name), lead_name)
    title = f"Drill: reminders late {uid}"
    incident_id = _declare(lead, title, drill=True)
    try:
        expect(lead.locator("#drill-mark")).to_have_text("DRILL")
        lead.goto("/")
        expect(lead.locator(".site-banner")).to_contain_text(f"DRILL: Outage: {title}")
        visitor = tabs.open()
        visitor.goto("/")
        expect(visitor.locator(".site-banner")).to_have_count(0)
        visitor.goto("/status")
        expect(visitor.locator("main")).not_to_contain_text(title)
        assert visitor.goto(f"/status/{incident_id}").status == 404
        visitor.goto("/api/demo")
        expect(visitor.get_by_role("button", name="Start the tour")).to_be_visible()
        expect(visitor.locator("#demo-incident")).to_be_hidden()
    finally:
        _resolve(lead, incident_id, "Drill over.")
    lead.goto("/incidents/")
    expect(lead.locator("#drill-reports")).to_contain_text(title)
    expect(lead.locator("#drill-reports")).to_contain_text(lead_name)
    check_accessibility(lead, context="incident list with drill reports")
