"""Usability journeys at a desktop (1280x800) and a phone (390x844) size: a question typed in
plain words finds the guide (with suggestions as it is typed), the header's menu on a phone,
the person's own menu (an agent reaches the queue from it), and no page scrolls sideways at
320 px. axe checks every page state visited."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account, check_accessibility, sign_in, unique

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
QUESTION = "why don't my reminders show up on my phone"
GUIDE = "Reminders not arriving"


def _open_menu(tab, size) -> None:
    """On a phone the header's links are behind the Menu button; open it if so."""
    toggle = tab.locator("#nav-toggle")
    if size is PHONE:
        expect(toggle).to_be_visible()
        if toggle.get_attribute("aria-expanded") == "false":
            toggle.click()
    expect(tab.locator("#nav-menu")).to_be_visible()


def _no_sideways_scroll(tab, what: str) -> None:
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    viewport = tab.evaluate("() => window.innerWidth")
    assert width <= viewport, f"{what}: the page is {width} px wide in a {viewport} px window"


@SIZES
def test_a_plain_question_finds_the_guide(tabs, size):
    tab = tabs.open(size)
    tab.goto("/")
    box = tab.get_by_label("Search the Help Center")
    box.press_sequentially("reminders not arriving", delay=10)
    # Suggestions appear under the box as the person types.
    suggestions = tab.locator("#home-suggestion-list")
    expect(suggestions.get_by_role("link", name=GUIDE)).to_be_visible()
    expect(tab.locator("#home-suggestion-status")).to_contain_text("suggestion")
    check_accessibility(tab, context=f"home with suggestions {size['width']}")
    box.fill(QUESTION)
    box.press("Enter")
    expect(tab.get_by_role("heading", name="Results")).to_be_visible()
    titles = tab.locator(".search-hit h3").all_inner_texts()
    assert GUIDE in titles[:3], titles
    first = tab.locator(".search-hit").first
    # Labelled with the kind of page in the singular, not the filter's plural.
    expect(first.locator(".search-hit-type")).not_to_contain_text("Help articles")
    if size is PHONE:
        # The filters are folded, so the first result starts on the first screen.
        expect(tab.locator("#search-filters-toggle")).not_to_have_attribute("open", "")
        assert first.bounding_box()["y"] + 40 < size["height"]
    check_accessibility(tab, context=f"search results {size['width']}")
    tab.locator(".search-hit").filter(has_text=GUIDE).get_by_role("link", name=GUIDE).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(GUIDE)
    # The guide's steps keep their numbers: in-page navigation is a list, not a header bar.
    steps = tab.locator("nav.kb-toc ol")
    assert steps.evaluate("e => getComputedStyle(e).listStyleType") == "decimal"
    assert steps.evaluate("e => getComputedStyle(e).display") == "block"
    # Breadcrumbs sit together, not spread across the width of the page.
    first, second = tab.locator("nav.kb-breadcrumbs li").all()[:2]
    gap = second.bounding_box()["x"] - (first.bounding_box()["x"] + first.bounding_box()["width"])
    assert gap < 40, gap
    check_accessibility(tab, context=f"guide {size['width']}")


def test_the_phone_menu_is_a_keyboard_disclosure(tabs):
    tab = tabs.open(PHONE)
    tab.goto("/")
    toggle = tab.locator("#nav-toggle")
    links = tab.locator("#nav-menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(links).to_be_hidden()
    header = tab.locator("header.site-header").bounding_box()
    assert header["height"] < 100, header  # one row, not three or four
    check_accessibility(tab, context="phone, menu closed")
    toggle.focus()
    tab.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(links.get_by_role("link", name="Community")).to_be_visible()
    check_accessibility(tab, context="phone, menu open")
    tab.keyboard.press("Tab")
    expect(links.get_by_role("link", name="Help Center")).to_be_focused()
    tab.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(links).to_be_hidden()
    tab.keyboard.press("Space")
    expect(links.get_by_role("link", name="Wiki")).to_be_visible()
    links.get_by_role("link", name="Wiki").click()
    expect(tab.get_by_role("heading", level=1)).to_be_visible()
    assert tab.url.endswith("/wiki/")


def test_on_a_desktop_the_links_are_always_there(tabs):
    tab = tabs.open(DESKTOP)
    tab.goto("/")
    expect(tab.locator("#nav-toggle")).to_be_hidden()
    expect(tab.locator("#nav-menu").get_by_role("link", name="Submit a request")).to_be_visible()


@SIZES
def test_agent_reaches_the_queue_from_the_menu(tabs, live_server, size):
    # One live site for both sizes, and a staff name can't be taken twice: a name of its own.
    name = f"Quinn Agent {unique()}"
    email = account(live_server, "agent_t1", name)
    tab = tabs.open(size)
    sign_in(tab, email, name)
    _open_menu(tab, size)
    menu_button = tab.locator("#user-menu-button")
    expect(menu_button).to_contain_text(name)
    menu_button.focus()
    tab.keyboard.press("Enter")  # a details/summary disclosure: the keyboard opens it
    menu = tab.locator("#user-menu")
    for name in ("Agent queue", "My requests", "Wiki watchlist", "Community profile",
                 "Account settings", "App sign-in tokens"):  # fmt: skip
        expect(menu.get_by_role("link", name=name)).to_be_visible()
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    check_accessibility(tab, context=f"user menu open {size['width']}")
    tab.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Agent queue")).to_be_hidden()
    tab.keyboard.press("Enter")
    menu.get_by_role("link", name="Agent queue").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("queue")
    check_accessibility(tab, context=f"agent queue {size['width']}")
    _open_menu(tab, size)
    tab.locator("#user-menu-button").click()
    menu.get_by_role("link", name="Wiki watchlist").click()
    expect(tab.get_by_role("heading", level=1, name="Your wiki watchlist")).to_be_visible()
    check_accessibility(tab, context=f"watchlist {size['width']}")


def _forum_thread(tab) -> str:
    tab.goto("/community/new")
    tab.get_by_label("Title").fill(f"Basil seedlings fall over {uuid.uuid4().hex[:6]}")
    tab.get_by_label("Your question or message").fill(
        "My basil seedlings fall over after a week on the windowsill. What am I doing wrong?"
    )
    tab.get_by_role("button", name="Post thread").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Basil seedlings")
    return tab.url


def _ticket(tab) -> None:
    tab.goto("/requests/new")
    tab.get_by_label("Category").select_option(index=1)
    tab.get_by_label("Subject").fill("Reminders stopped on my phone after the last update")
    tab.locator("input[name=impact]").first.check()
    tab.get_by_label("Description").fill("Since Monday no watering reminders arrive on my phone.")
    tab.get_by_role("button", name="Submit request").click()
    expect(tab.get_by_role("heading", level=1)).to_be_visible()


def _wiki_page(tab) -> str:
    title = f"Watering calendar {uuid.uuid4().hex[:6]}"
    tab.goto("/wiki/new")
    tab.get_by_label("Title").fill(title)
    tab.locator("textarea[name=body]").fill("Water **basil** every second day in summer.")
    tab.get_by_role("button", name="Save").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(title)
    tab.get_by_role("link", name="Edit", exact=True).click()
    tab.locator("textarea[name=body]").fill("Water basil every day in a heat wave.")
    tab.get_by_role("button", name="Save").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(title)
    return tab.url


def test_no_page_scrolls_sideways_at_320_px(tabs, live_server):
    email = account(live_server, "agent_t1", "Rowan Agent")
    moderator = account(live_server, "moderator", "Mo Moderator")
    small = {"width": 320, "height": 640}
    tab = tabs.open(small)
    for url in ("/", f"/search/?q={QUESTION}", "/articles/reminders-not-arriving",
                "/articles/grow-journal-walkthrough", "/community/", "/wiki/"):  # fmt: skip
        tab.goto(url)
        _no_sideways_scroll(tab, url)
        check_accessibility(tab, context=f"{url} at 320 px")
    sign_in(tab, moderator, "Mo Moderator")
    thread = _forum_thread(tab)
    _no_sideways_scroll(tab, "forum thread")
    tab.locator("#nav-toggle").click()
    tab.locator("#user-menu-button").click()
    tab.get_by_role("button", name="Sign out").click()
    sign_in(tab, email, "Rowan Agent")
    _ticket(tab)
    history = _wiki_page(tab) + "/history"
    for url in ("/requests/", "/requests/queue", history, thread):
        tab.goto(url)
        _no_sideways_scroll(tab, url)
        check_accessibility(tab, context=f"{url} at 320 px")


def test_phone_pages_start_with_their_content(tabs, live_server):
    moderator = account(live_server, "moderator", "Pat Moderator")
    tab = tabs.open(PHONE)
    tab.goto("/articles/grow-journal-walkthrough")
    # The video (or, without its file, the poster and transcript note) is on the first screen.
    video = tab.locator("section.kb-video")
    player = video.locator("video, .kb-video-missing, iframe").first
    assert player.bounding_box()["y"] < PHONE["height"] - 100
    if tab.locator("#video-missing").count():
        expect(
            tab.locator("#video-missing").get_by_role("link", name="Read the transcript")
        ).to_be_visible()
        assert tab.locator("video").count() == 0  # no player that would only spin
    check_accessibility(tab, context="video article on a phone")
    sign_in(tab, moderator, "Pat Moderator")
    _forum_thread(tab)
    first_post = tab.locator("article.forum-post").first
    assert first_post.bounding_box()["y"] < PHONE["height"] - 150
    check_accessibility(tab, context="forum thread on a phone")


@SIZES
def test_a_failed_form_moves_focus_to_the_error_summary(tabs, size):
    tab = tabs.open(size)
    tab.goto("/account/register")
    title = tab.title()
    tab.get_by_role("button", name="Create account").click()
    summary = tab.locator(".error-summary")
    expect(summary).to_be_focused()
    assert tab.title().startswith("Error: ") and tab.title().endswith(title.split(" · ")[-1])
    # Each problem in the summary leads to its field.
    summary.get_by_role("link").first.click()
    assert tab.evaluate("() => document.activeElement.tagName") == "INPUT"
    check_accessibility(tab, context=f"register with errors {size['width']}")
