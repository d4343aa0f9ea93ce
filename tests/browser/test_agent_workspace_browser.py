"""The agent's ticket page in a real browser, on a desktop and on a phone: a saved response goes
in at the cursor without losing what the agent typed, and the history reads as sentences."""

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

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(VIEWPORTS))
def sized(request, browser, live_server):
    """Two browsers of one size: the requester's and the agent's."""
    contexts, errors = [], []

    def new_tab():
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[request.param])
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        return tab

    yield new_tab
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _ticket_for_agent(sized, live_server):
    uid = _uid()
    requester = f"Rosa Requester {uid}"
    member = sized()
    _sign_in(member, _account(live_server, "member", requester), requester)
    ticket_id = _submit_request(
        member, f"Reminders stopped {uid}", "App Functionality", "Something minor is wrong",
        "No watering reminder since the update.",
    )  # fmt: skip
    agent = f"Alex Agent {uid}"
    tab = sized()
    _sign_in(tab, _account(live_server, "agent_t1", agent), agent)
    tab.goto(f"/requests/{ticket_id}/work")
    return tab, ticket_id, requester, agent


def test_saved_response_goes_in_at_the_cursor(sized, live_server):
    tab, ticket_id, requester, _ = _ticket_for_agent(sized, live_server)
    box = tab.get_by_label("Message")
    box.fill("Thanks for writing.\n\nBest wishes, Alex")
    # The cursor sits after the first paragraph; the saved response belongs there.
    box.evaluate("(el) => { el.focus(); el.setSelectionRange(21, 21); }")
    tab.get_by_label("Saved response").select_option(label="Ask for more details")
    tab.get_by_role("button", name="Use this response").click()
    value = box.input_value()
    assert value.startswith("Thanks for writing.\n\nHello " + requester + ",\n\nthank you")
    assert f"your request #{ticket_id}." in value
    assert value.endswith("You can attach it to your reply.\nBest wishes, Alex")
    # The page did not reload (nothing lost) and the cursor follows the inserted text.
    assert re.search(rf"/requests/{ticket_id}/work$", tab.url)
    caret = box.evaluate("(el) => el.selectionStart")
    assert value[:caret].endswith("You can attach it to your reply.\n")
    expect(box).to_be_focused()

    # A selection is replaced by the response; the text around it stays.
    box.fill("Hi! REPLACE ME Bye")
    box.evaluate("(el) => { el.focus(); el.setSelectionRange(4, 14); }")
    tab.get_by_label("Saved response").select_option(label="Ask for more details")
    tab.get_by_role("button", name="Use this response").click()
    value = box.input_value()
    assert value.startswith("Hi! Hello ") and value.endswith(" Bye") and "REPLACE" not in value


def test_timeline_reads_as_sentences(sized, live_server):
    tab, ticket_id, requester, agent = _ticket_for_agent(sized, live_server)
    tab.get_by_role("button", name="Claim this ticket").click()
    expect(tab.get_by_text(f"You have claimed #{ticket_id}.")).to_be_visible()
    items = tab.locator("#timeline li")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text(f"{requester} submitted the request on the website")
    expect(items.nth(0)).to_contain_text("priority Medium, category App Functionality")
    expect(items.nth(1)).to_contain_text(f"{agent} claimed the ticket")
    expect(items.nth(2)).to_contain_text(f"{agent} changed the status from New to Open")
    text = tab.locator("#timeline").inner_text()
    for raw in ("assignee_id", "None", "claimed True", "forum_thread_id", "+00:00"):
        assert raw not in text
    # Local times, names linked to their profiles.
    expect(items.nth(0).locator("time")).to_have_text(re.compile(r"^\d\d \w{3} \d{4}, \d\d:\d\d$"))
    profile = items.nth(1).get_by_role("link", name=agent)
    expect(profile).to_have_attribute("href", re.compile(r"/community/users/\d+$"))
    # The deadline counts down next to its time.
    expect(tab.locator("#sla-first-response")).to_contain_text(re.compile(r"\(due in \d"))
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], "the history pushes the page sideways"
    check_accessibility(tab, context="agent ticket page history")
