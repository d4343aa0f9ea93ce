"""Moderating and writing in a real browser, on a desktop and on a phone: the review item's
action buttons share one size and line up, and the composer's preview shows the post as it
will look."""

from __future__ import annotations

from itertools import pairwise

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account as _account
from tests.browser.conftest import check_accessibility
from tests.browser.conftest import sign_in as _sign_in
from tests.browser.conftest import unique as _uid
from tests.browser.test_forum_browser import _start_thread

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(VIEWPORTS))
def sized(request, browser, live_server):
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


def _boxes(tab, selector: str) -> list[dict]:
    return tab.locator(selector).evaluate_all(
        "(nodes) => nodes.map((n) => { const r = n.getBoundingClientRect();"
        " return {top: Math.round(r.top), height: Math.round(r.height)}; })"
    )


def test_review_actions_share_one_size_and_line(sized, live_server):
    uid = _uid()
    member = sized()
    name = f"Nia Newcomer {uid}"
    _sign_in(member, _account(live_server, "member", name), name)
    title = f"Seedlings fall over {uid}"
    _start_thread(member, title, "My tomato seedlings fall over after a week.")
    moderator = sized()
    mod_name = f"Moe Moderator {uid}"
    _sign_in(moderator, _account(live_server, "moderator", mod_name), mod_name)
    moderator.goto("/community/moderation/queue")
    link = moderator.locator("a[id^=review-]", has_text=title)
    while link.count() == 0:
        moderator.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    link.click()
    moderator.get_by_role("button", name="Claim").click()
    expect(moderator.get_by_text("You are handling this item.")).to_be_visible()
    boxes = _boxes(moderator, ".forum-actions > button")
    assert len(boxes) >= 5
    assert len({box["height"] for box in boxes}) == 1, boxes
    # Buttons wrap into rows on a phone; each one starts on its neighbour's line or below it,
    # never a few pixels off.
    for before, after in pairwise(boxes):
        assert after["top"] == before["top"] or after["top"] >= before["top"] + before["height"]
    width = moderator.evaluate("() => document.documentElement.scrollWidth")
    assert width <= moderator.viewport_size["width"]
    check_accessibility(moderator, context="review item, claimed")

    # The thread's tool row mixes forms' buttons and links styled as buttons: one size too.
    moderator.get_by_role("link", name=title).first.click()
    tools = _boxes(moderator, ".forum-thread-tools button, .forum-thread-tools a[role=button]")
    assert len(tools) >= 2
    assert len({box["height"] for box in tools}) == 1, tools


def test_composer_preview_shows_the_post_as_it_will_look(sized, live_server):
    uid = _uid()
    author = sized()
    name = f"Pia Poster {uid}"
    _sign_in(author, _account(live_server, "moderator", name), name)
    path = _start_thread(author, f"Preview check {uid}", "Opening post.")
    author.goto(path)
    box = author.get_by_label("Your reply")
    box.fill("Water **deeply** <script>alert(1)</script> once a week.")
    author.get_by_role("button", name="Preview").click()
    preview = author.locator("#preview-body")
    expect(preview.locator("strong")).to_have_text("deeply")
    expect(preview).to_contain_text("once a week.")
    assert preview.locator("script").count() == 0
    check_accessibility(author, context="thread with reply preview")
